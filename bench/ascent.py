"""Gradient ascent: 64 filters as one batch vs one at a time (the keras.io way), and how noisy each preset is.

    python bench/ascent.py [--steps 30] [--filters 64] [--size 128]

ResNet50V2 (weights=None, 128x128), layer ``conv3_block4_out``. The sequential
baseline is the keras.io example's code ("Visualizing what convnets learn"):
a ``tf.function`` step called with a Python filter index (so it retraces per
filter), 30 steps of the L2-normalized gradient with learning rate 10. The
batched run is ``practicas.gradient_ascent.visualize`` with the ``keras_io``
preset and the same step budget. Then both presets optimize the same filters
for the same steps; the table gives their final mean activation and the
fraction of spectral power above half the Nyquist frequency (noise).
Targets: ratio >= 8 on a 2-core CPU; hf_default <= hf_keras_io / 2.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from practicas import gradient_ascent as ga

LAYER = "conv3_block4_out"


def keras_io_sequential(model, filter_indices, steps: int, size: int, seed: int = 0):
    """The keras.io example, verbatim in structure: one filter at a time."""
    feature_extractor = keras.Model(inputs=model.inputs, outputs=model.get_layer(LAYER).output)

    def compute_loss(input_image, filter_index):
        activation = feature_extractor(input_image)
        filter_activation = activation[:, 2:-2, 2:-2, filter_index]
        return tf.reduce_mean(filter_activation)

    @tf.function
    def gradient_ascent_step(img, filter_index, learning_rate):
        with tf.GradientTape() as tape:
            tape.watch(img)
            loss = compute_loss(img, filter_index)
        grads = tape.gradient(loss, img)
        grads = tf.math.l2_normalize(grads)
        img += learning_rate * grads
        return loss, img

    tf.random.set_seed(seed)
    images, losses = [], []
    for filter_index in filter_indices:
        img = (tf.random.uniform((1, size, size, 3)) - 0.5) * 0.25
        for _ in range(steps):
            loss, img = gradient_ascent_step(img, filter_index, 10.0)
        images.append(img[0].numpy())
        losses.append(float(loss))
    return np.stack(images), np.array(losses)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--filters", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(args.size, args.size, 3))
    filters = range(args.filters)
    preprocess = keras.applications.resnet_v2.preprocess_input

    start = time.perf_counter()
    batched = ga.visualize(model, ga.filters(LAYER, filters), preset="keras_io", steps=args.steps, preprocess=preprocess)
    batched_s = time.perf_counter() - start

    start = time.perf_counter()
    keras_io_sequential(model, filters, args.steps, args.size)
    sequential_s = time.perf_counter() - start

    default = ga.visualize(model, ga.filters(LAYER, filters), steps=args.steps, preprocess=preprocess)
    hf = {name: float(np.mean(ga.high_frequency_fraction(vis.images))) for name, vis in (("keras_io", batched), ("default", default))}

    print(f"{'run':<34}{'seconds':>10}{'mean final activation':>24}{'HF fraction':>13}")
    print(f"{'keras_io preset, batched':<34}{batched_s:>10.1f}{np.mean(batched.final):>24.4f}{hf['keras_io']:>13.3f}")
    print(f"{'keras.io example, one at a time':<34}{sequential_s:>10.1f}{'':>24}{'':>13}")
    print(f"{'default (lucid) preset, batched':<34}{default.seconds:>10.1f}{np.mean(default.final):>24.4f}{hf['default']:>13.3f}")
    print(f"summary: batched_s={batched_s:.1f} sequential_s={sequential_s:.1f} ratio={sequential_s / batched_s:.2f} "
          f"hf_keras_io={hf['keras_io']:.3f} hf_default={hf['default']:.3f}")


if __name__ == "__main__":
    main()
