"""One function that every practical's experiments share: data -> pipeline -> fit -> evaluate."""

from __future__ import annotations

import os
from typing import Callable

import keras
import numpy as np

from practicas import evaluation, pipelines, training
from practicas.datasets import ImageDataset


def train_classifier(
    build: Callable[[], keras.Model],
    data: ImageDataset,
    *,
    epochs: int,
    batch_size: int,
    optimizer: Callable[[], object] | str = "adam",
    seed: int = 0,
    workdir: str | os.PathLike | None = None,
    validation: str = "split",
    validation_fraction: float = 0.1,
    featurewise: bool = False,
    rescale: bool = True,
    augmentation: pipelines.Augmentation | None = None,
    early_stopping_patience: int | None = None,
    preprocess=None,
) -> dict:
    """Train a freshly built classifier on ``data`` and evaluate it on the test split.

    ``validation="split"`` holds out the first ``validation_fraction`` of the
    training set (r001); ``"test"`` validates on the test split, as r000 and
    r002 do. Images are scaled to [0, 1] unless ``featurewise`` normalization
    (r001) or a ``preprocess`` function replaces that. Returns the model, its
    history and test metrics (accuracy, macro F1, confusion matrix).

    Example:
        >>> result = train_classifier(simple_cnn, load_dataset("fashion_mnist").take(2000, 500),
        ...                           epochs=2, batch_size=64)  # doctest: +SKIP
        >>> result["metrics"]["accuracy"]  # doctest: +SKIP
        0.78
    """
    training.set_seed(seed)
    model = build()
    if callable(optimizer) and not isinstance(optimizer, str):
        optimizer = optimizer()
    training.compile_classifier(model, optimizer, binary=model.outputs[0].shape[-1] == 1)
    x_train, y_train = data.x_train, data.y_train
    if validation == "split":
        (x_fit, y_fit), (x_val, y_val) = pipelines.validation_split(x_train, y_train, validation_fraction)
    else:
        (x_fit, y_fit), (x_val, y_val) = (x_train, y_train), (data.x_test, data.y_test)
    if featurewise:
        mean, std = pipelines.featurewise_stats(x_train)
    elif rescale and preprocess is None:
        mean, std = np.zeros(x_train.shape[-1], "float32"), np.full(x_train.shape[-1], 255.0, "float32")
    else:
        mean = std = None
    common = dict(batch_size=batch_size, mean=mean, std=std, preprocess=preprocess)
    train = pipelines.array_pipeline(x_fit, y_fit, shuffle=True, seed=seed, augmentation=augmentation, **common)
    val = pipelines.array_pipeline(x_val, y_val, shuffle=False, **common)
    test = pipelines.array_pipeline(data.x_test, data.y_test, shuffle=False, **common)
    history = training.fit(
        model, train, validation_data=val, epochs=epochs, seed=seed, workdir=workdir,
        early_stopping_patience=early_stopping_patience,
    )
    logits = evaluation.predict_logits(model, test)
    predictions = evaluation.predicted_classes(logits)
    metrics = evaluation.classification_metrics(data.y_test, predictions, data.class_names)
    return {
        "model": model,
        "history": history,
        "test_dataset": test,
        "predictions": predictions,
        "metrics": metrics,
        "confusion": evaluation.confusion_matrix(data.y_test, predictions, data.num_classes),
        "stopped_epoch": getattr(history, "stopped_epoch", 0),
    }
