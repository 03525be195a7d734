"""The one experiment path of every practical: data -> pipeline -> fit -> evaluate."""

from __future__ import annotations

import os
from collections.abc import Callable

import keras
import numpy as np

from practicas import evaluation, pipelines, training
from practicas.datasets import ImageDataset
from practicas.errors import InvalidInputError


def train_classifier(
    model: keras.Model | Callable[[], keras.Model],
    data: ImageDataset,
    *,
    epochs: int,
    batch_size: int,
    optimizer: Callable[[], object] | object = "adam",
    seed: int = 0,
    workdir: str | os.PathLike | None = None,
    validation: str = "split",
    validation_fraction: float = 0.1,
    featurewise: bool = False,
    rescale: bool = True,
    augmentation: pipelines.Augmentation | None = None,
    early_stopping_patience: int | None = None,
    preprocess=None,
    eval_batch_size: int | None = None,
    run=None,
) -> dict:
    """Train a classifier on ``data`` with the report's settings and evaluate it on the test split.

    The one experiment path of all three practicals. ``model`` is a built
    model (a transfer network, a frozen backbone with a head) or a builder
    called after seeding. ``validation="split"`` holds out the first
    ``validation_fraction`` of the training set (r001); ``"test"`` validates
    on the test split, as r000, r002, r003 and r004 do; ``"val"`` on the
    dataset's own validation split (the test split where it has none).
    Images are scaled to [0, 1] unless ``featurewise`` normalization (r001),
    a ``preprocess`` function, or ``rescale=False`` (a model that rescales
    inside) replaces that. A one-logit model trains with binary cross-entropy.
    ``run`` (a :class:`~practicas.runmode.RunContext`) records the fit's
    settings and caps a smoke run (:func:`practicas.training.fit`). Returns the
    model, its history and test metrics (accuracy, macro F1, confusion matrix, predictions).

    Example:
        >>> from practicas.basenet.models import simple_cnn
        >>> from practicas.standins import fashion_mnist_subset
        >>> result = train_classifier(simple_cnn, fashion_mnist_subset(train=128, test=64), epochs=1, batch_size=64)
        ... # doctest: +ELLIPSIS
        simple_cnn epoch 1/1: accuracy ..., loss ..., val_accuracy ..., val_loss ... (... s/epoch, about 0 s left)
        >>> sorted(result["metrics"])[:3], result["confusion"].shape
        (['accuracy', 'errors', 'macro_f1'], (10, 10))
    """
    training.set_seed(seed)
    if not isinstance(model, keras.Model):
        model = model()
    if callable(optimizer) and not isinstance(optimizer, (str, keras.optimizers.Optimizer)):
        optimizer = optimizer()
    training.compile_classifier(
        model,
        optimizer,
        binary=model.outputs[0].shape[-1] == 1,
        steps_per_execution=training.steps_per_execution_for(batch_size),
    )
    x_train, y_train = data.x_train, data.y_train
    if validation == "split":
        (x_fit, y_fit), (x_val, y_val) = pipelines.validation_split(x_train, y_train, validation_fraction)
    elif validation == "val" and data.x_val is not None:
        (x_fit, y_fit), (x_val, y_val) = (x_train, y_train), (data.x_val, data.y_val)
    elif validation in ("test", "val"):
        (x_fit, y_fit), (x_val, y_val) = (x_train, y_train), (data.x_test, data.y_test)
    else:
        raise InvalidInputError(f"unknown validation {validation!r}; choose one of 'split', 'test', 'val'")
    if featurewise:
        mean, std = pipelines.featurewise_stats(x_train)
    elif rescale and preprocess is None:
        mean, std = np.zeros(x_train.shape[-1], "float32"), np.full(x_train.shape[-1], 255.0, "float32")
    else:
        mean = std = None
    common = dict(mean=mean, std=std, preprocess=preprocess)
    evaluate = dict(batch_size=eval_batch_size or batch_size, shuffle=False, **common)
    train = pipelines.array_pipeline(
        x_fit, y_fit, batch_size=batch_size, shuffle=True, seed=seed, augmentation=augmentation, **common
    )
    val = pipelines.array_pipeline(x_val, y_val, **evaluate)
    test = pipelines.array_pipeline(data.x_test, data.y_test, **evaluate)
    history = training.fit(
        model,
        train,
        validation_data=val,
        epochs=epochs,
        seed=seed,
        workdir=workdir,
        early_stopping_patience=early_stopping_patience,
        run=run,
    )
    return {"model": model, "history": history, "test_dataset": test, **evaluate_classifier(model, test, data)}


def evaluate_classifier(model: keras.Model, test, data: ImageDataset) -> dict:
    """Test predictions, metrics (accuracy, macro F1, per class) and confusion matrix of ``model`` on ``test``.

    Example:
        >>> import keras
        >>> from practicas.standins import fashion_mnist_subset
        >>> data = fashion_mnist_subset(train=10, test=20)
        >>> model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
        >>> int(evaluate_classifier(model, data.x_test / 255.0, data)["confusion"].sum())
        20
    """
    predictions = evaluation.predicted_classes(evaluation.predict_logits(model, test))
    return {
        "predictions": predictions,
        "metrics": evaluation.classification_metrics(data.y_test, predictions, data.class_names),
        "confusion": evaluation.confusion_matrix(data.y_test, predictions, data.num_classes),
    }
