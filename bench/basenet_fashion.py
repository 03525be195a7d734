"""Real-data check: r000's Simple CNN on the full offline Fashion-MNIST, 10 epochs on this CPU.

    python bench/basenet_fashion.py [--epochs 10] [--backend tensorflow,jax,torch]

Trains with r000's settings (Adam 1e-3, batch 64, the test set as validation),
prints test accuracy and seconds per epoch. If PyTorch is importable
(`pip install torch==2.13.0`), trains the same network in PyTorch on the same
data in a fresh process (so neither framework's thread pool slows the other)
and compares images per second. ``--backend`` (default: every backend
installed) trains the Keras network once per Keras backend, each in a fresh
process with the same data pipeline recipe (tf.data on TensorFlow, the
``PyDataset`` form elsewhere), one row each.
Expected: test accuracy >= 0.91 (two-conv CNNs score 0.916-0.934 in
Fashion-MNIST's benchmark table); Keras at least as fast as PyTorch per image.
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

import practicas  # noqa: F401  (first: it sets TensorFlow's CPU kernel choice before TensorFlow loads)
from practicas import evaluation, pipelines, training
from practicas.basenet.models import simple_cnn
from practicas.datasets import load_fashion_mnist


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def keras_run(data, epochs, batch_size):
    training.set_seed(0)
    model = simple_cnn()
    training.compile_classifier(model, keras.optimizers.Adam(1e-3))
    scale = dict(mean=np.zeros(1), std=np.full(1, 255.0))
    train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=batch_size, **scale)
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=512, shuffle=False, **scale)
    timer = EpochTimer()
    training.fit(model, train, validation_data=test, epochs=epochs, seed=0, callbacks=[timer])
    predictions = evaluation.predicted_classes(evaluation.predict_logits(model, test))
    accuracy = evaluation.classification_metrics(data.y_test, predictions)["accuracy"]
    # The first epoch includes tracing; report the steady state.
    seconds = float(np.median(timer.times[1:] if len(timer.times) > 1 else timer.times))
    return accuracy, seconds


def torch_run(data, epochs, batch_size):
    import torch
    from torch import nn

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(6272, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    x = torch.from_numpy(data.x_train.transpose(0, 3, 1, 2).astype("float32") / 255.0)
    y = torch.from_numpy(data.y_train)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        for index in torch.randperm(len(x)).split(batch_size):
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x[index]), y[index]).backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:] if len(times) > 1 else times))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--backend", default=default_backends(), help="comma-separated Keras backends")
    parser.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keras-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = load_fashion_mnist()
    if args.torch_only:
        print("RESULT " + json.dumps(torch_run(data, args.epochs, args.batch_size)))
        return
    if args.keras_only:
        accuracy, seconds = keras_run(data, args.epochs, args.batch_size)
        print("RESULT " + json.dumps({"backend": keras.backend.backend(), "accuracy": accuracy, "seconds": seconds}))
        return
    settings = [f"--epochs={args.epochs}", f"--batch-size={args.batch_size}"]
    runs = [
        run_in_backend(b, [sys.executable, __file__, "--keras-only", *settings]) for b in parse_backends(args.backend)
    ]
    runs = [run for run in runs if run is not None]
    if not runs:
        raise SystemExit("no Keras backend could run")
    n = len(data.x_train)
    print(f"{'framework':<18}{'s/epoch':>10}{'images/s':>12}{'test acc':>10}")
    for run in runs:
        print(
            f"{'keras/' + run['backend']:<18}{run['seconds']:>10.1f}{n / run['seconds']:>12.0f}{run['accuracy']:>10.4f}"
        )
    ratio = "na"
    try:  # plain PyTorch, no Keras: the reference speed for the same network
        torch_s = run_in_backend("torch", [sys.executable, __file__, "--torch-only", *settings])
    except RuntimeError as error:
        raise RuntimeError(f"the PyTorch run failed: {error}") from None
    if torch_s is None:
        print("pytorch not importable: pip install torch==2.13.0 to compare")
    else:
        print(f"{'pytorch (native)':<18}{torch_s:>10.1f}{n / torch_s:>12.0f}{'':>10}")
        ratio = f"{torch_s / runs[0]['seconds']:.2f}"  # images per second, Keras over PyTorch
    first = runs[0]
    summary = f"test_accuracy={first['accuracy']:.4f} s_per_epoch={first['seconds']:.1f}"
    summary += f" keras_over_torch={ratio}" + (f" ({first['backend']})" if first["backend"] != "tensorflow" else "")
    for run in runs[1:]:
        summary += (
            f" s_per_epoch[{run['backend']}]={run['seconds']:.1f} test_accuracy[{run['backend']}]={run['accuracy']:.4f}"
        )
    print(f"summary: {summary}")


if __name__ == "__main__":
    main()
