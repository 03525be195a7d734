"""Gradient ascent: 64 filters as one batch vs one at a time (the keras.io way), and how noisy each preset is.

    python bench/ascent.py [--steps 30] [--filters 64] [--size 128] [--backend tensorflow,jax,torch]

ResNet50V2 (weights=None, 128x128), layer ``conv3_block4_out``. The sequential
baseline is the keras.io example's code ("Visualizing what convnets learn"):
a ``tf.function`` step called with a Python filter index (so it retraces per
filter), 30 steps of the L2-normalized gradient with learning rate 10. The
batched run is ``practicas.gradient_ascent.visualize`` with the ``keras_io``
preset and the same step budget. Both run twice, in fresh processes, with
TensorFlow's oneDNN kernels off and on (practicas turns them on; they help a
batch but slow a single image), and the summary compares the best time of
each. A roofline line says how fast the batched run could possibly be: the
convolutions' arithmetic divided by this CPU's float32 matmul throughput.
Then both presets optimize the same filters for the same steps; the table
gives their final mean activation and the fraction of spectral power above
half the Nyquist frequency (noise).
``--backend`` (default: every backend installed) runs the batched ascent and
the preset comparison once per Keras backend, each in a fresh process, one
table row each; the keras.io baseline and the oneDNN switch are TensorFlow's
and are skipped, with a note, where TensorFlow is not installed.
Targets: ratio >= 8 on a 2-core CPU; hf_default <= hf_keras_io / 2.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from backends import default_backends, parse_backends, run_in_backend

from practicas import gradient_ascent as ga

LAYER = "conv3_block4_out"


def keras_io_sequential(model, filter_indices, steps: int, size: int, seed: int = 0):
    """The keras.io example, verbatim in structure: one filter at a time (TensorFlow)."""
    import tensorflow as tf

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


def conv_macs_per_image(model) -> int:
    """Multiply-accumulates of every convolution up to ``LAYER``, for one image."""
    macs = 0
    for layer in keras.Model(model.inputs, model.get_layer(LAYER).output).layers:
        if isinstance(layer, keras.layers.Conv2D):
            out, kernel = layer.output.shape, layer.kernel.shape
            macs += out[1] * out[2] * out[3] * kernel[0] * kernel[1] * kernel[2]
    return macs


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    """This CPU's float32 throughput on a large matmul, in the active backend: a practical ceiling for convolutions."""
    a = keras.ops.convert_to_tensor(np.random.default_rng(0).uniform(size=(n, n)).astype("float32"))
    float(keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.matmul(a, a))))
    start = time.perf_counter()
    for _ in range(repeats):
        float(keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.matmul(a, a))))
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def measure(args) -> dict:
    """One process, one oneDNN setting: batched and sequential times; with ``--quality``, the two presets."""
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(args.size, args.size, 3))
    filters = range(args.filters)
    preprocess = keras.applications.resnet_v2.preprocess_input
    result = {
        "backend": keras.backend.backend(),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS") if keras.backend.backend() == "tensorflow" else None,
        "macs": conv_macs_per_image(model),
        "matmul_gflops": matmul_gflops(),
    }

    start = time.perf_counter()
    batched = ga.visualize(
        model, ga.filters(LAYER, filters), preset="keras_io", steps=args.steps, preprocess=preprocess
    )
    result["batched_s"] = time.perf_counter() - start

    result["sequential_s"] = None
    if keras.backend.backend() == "tensorflow":
        start = time.perf_counter()
        keras_io_sequential(model, filters, args.steps, args.size)
        result["sequential_s"] = time.perf_counter() - start

    if args.quality:
        default = ga.visualize(model, ga.filters(LAYER, filters), steps=args.steps, preprocess=preprocess)
        for name, vis in (("keras_io", batched), ("default", default)):
            result[name] = {
                "seconds": vis.seconds,
                "final": float(np.mean(vis.final)),
                "hf": float(np.mean(ga.high_frequency_fraction(vis.images))),
            }
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--filters", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--backend", default=default_backends(), help="comma-separated Keras backends")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quality", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print("RESULT " + json.dumps(measure(args)))
        return

    command = [sys.executable, __file__, "--measure", f"--steps={args.steps}", f"--filters={args.filters}"]
    command.append(f"--size={args.size}")
    runs = []
    for backend in parse_backends(args.backend):
        # oneDNN is read once, when TensorFlow is imported: one fresh process per setting.
        settings = ("0", "1") if backend == "tensorflow" else ("",)
        for onednn in settings:
            quality = ["--quality"] if onednn in ("1", "") else []
            run = run_in_backend(backend, command + quality, {"TF_ENABLE_ONEDNN_OPTS": onednn or "1"})
            if run is None:
                break
            runs.append(run)
    if not runs:
        raise SystemExit("no backend could run")

    print(f"{'backend':<12}{'oneDNN':<8}{'batched s':>11}{'sequential s':>14}{'ratio':>8}{'matmul GFLOP/s':>16}")
    for run in runs:
        onednn = {"1": "on", "0": "off"}.get(run["onednn"], "-")
        sequential = run["sequential_s"]
        sequential_text = (
            f"{sequential:>14.1f}{sequential / run['batched_s']:>8.2f}" if sequential else f"{'-':>14}{'-':>8}"
        )
        print(f"{run['backend']:<12}{onednn:<8}{run['batched_s']:>11.1f}{sequential_text}{run['matmul_gflops']:>16.0f}")
    if not any(run["sequential_s"] for run in runs):
        print("note: the keras.io baseline is TensorFlow code: no ratio without the tensorflow backend")
    tensorflow_runs = [run for run in runs if run["sequential_s"]]
    reference = tensorflow_runs or runs
    batched_s = min(run["batched_s"] for run in reference)
    # Forward plus the gradient with respect to the input: two convolutions' worth of multiply-adds, 2 FLOPs each.
    flop_per_image_step = 4 * runs[0]["macs"]
    floor_s = args.filters * args.steps * flop_per_image_step / (max(run["matmul_gflops"] for run in runs) * 1e9)
    summary = f"batched_s={batched_s:.1f}"
    if tensorflow_runs:
        sequential_s = min(run["sequential_s"] for run in tensorflow_runs)
        print(
            f"roofline: {flop_per_image_step / 1e9:.2f} GFLOP per image-step; {args.filters}x{args.steps} image-steps "
            f"take >= {floor_s:.1f} s at matmul speed, so ratio <= {sequential_s / floor_s:.1f} on this machine"
        )
        summary += f" sequential_s={sequential_s:.1f} ratio={sequential_s / batched_s:.2f}"

    print(f"\n{'preset (batched)':<18}{'backend':<12}{'seconds':>10}{'mean final activation':>24}{'HF fraction':>13}")
    for run in runs:
        if "keras_io" not in run:
            continue
        for name in ("keras_io", "default"):
            q = run[name]
            print(f"{name:<18}{run['backend']:<12}{q['seconds']:>10.1f}{q['final']:>24.4f}{q['hf']:>13.3f}")
    quality = next(run for run in reference if "keras_io" in run)
    summary += f" hf_keras_io={quality['keras_io']['hf']:.3f} hf_default={quality['default']['hf']:.3f}"
    for run in runs:
        if run["backend"] != "tensorflow":
            summary += f" batched_s[{run['backend']}]={run['batched_s']:.1f}"
    print(f"summary: {summary}")


if __name__ == "__main__":
    main()
