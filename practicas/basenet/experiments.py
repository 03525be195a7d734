"""Practical 1's trained networks that several artifacts share, and r000's continued training.

- :func:`vanilla_cnn_run`: r004's Vanilla CNN on 10 Monkey Species (its own
  table, r004-VCNN, and the from-scratch baseline of r004-T1 and r004-F8).
- :func:`continue_training`: r000-F2, the Simple CNN trained 10 more epochs.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from practicas import pipelines, standins, training
from practicas.basenet import models
from practicas.evaluation import run_summary
from practicas.experiments import evaluate_classifier, train_classifier
from practicas.pipelines import imagenet_eval_transform
from practicas.results import Curves
from practicas.runmode import RunContext, cached, epochs_for


def vanilla_cnn_inputs(data, quick: bool):
    """r004's inputs for the Vanilla CNN: ``(data, preprocess)`` for :func:`~practicas.experiments.train_classifier`.

    Full: every image resized to 256, centre-cropped to 224 and normalized
    with ImageNet's mean and std (r004's transform), once, up front. Quick:
    the 64x64 stand-in as it is, with pixels / 255 as the pipeline's preprocess.

    Example:
        >>> from practicas.datasets import ImageDataset
        >>> images = np.zeros((2, 256, 256, 3), "uint8")
        >>> data = ImageDataset("monkeys", images, np.arange(2), images, np.arange(2), ["a", "b"])
        >>> cropped, preprocess = vanilla_cnn_inputs(data, quick=False)
        >>> cropped.image_shape, preprocess is None
        ((224, 224, 3), True)
    """
    if quick:
        return data, lambda x: x / 255.0
    x_train, x_test = (keras.ops.convert_to_numpy(imagenet_eval_transform(x)) for x in (data.x_train, data.x_test))
    return dataclasses.replace(data, x_train=x_train, x_test=x_test), None


def vanilla_cnn_run(context: RunContext) -> dict:
    """r004's Vanilla CNN: Adam 1e-3, batch 32, 10 epochs, on r004's inputs (:func:`vanilla_cnn_inputs`).

    Trained once per process, with its state in ``out/.work/r004-VCNN-...``
    whichever artifact (or notebook cell) asks first. Quick mode: the stand-in
    folder at 64x64, pixels / 255, 3 epochs.

    Example:
        >>> run = vanilla_cnn_run(RunContext(quick=True, workdir=Path("out/.work/r004-VCNN-quick-seed0")))  # doctest: +SKIP
    """

    def compute():
        data, dataset = standins.experiment_data("monkeys", context, image_size=256)
        data, preprocess = vanilla_cnn_inputs(data, context.quick)
        result = train_classifier(
            lambda: models.vanilla_cnn(data.image_shape, data.num_classes),
            data,
            epochs=epochs_for(10, context.quick),
            batch_size=32,
            optimizer=lambda: keras.optimizers.Adam(1e-3),
            seed=context.seed,
            workdir=context.shared_workdir("r004-VCNN"),
            validation="test",
            rescale=False,
            preprocess=preprocess,
        )
        return {**result, "data": data, "dataset": dataset}

    return cached(context.shared_key("r004_vanilla"), compute)


def continue_training(run: dict, *, first_epochs: int, seed: int, workdir, learning_rate: float = 1e-3) -> Curves:
    """Train a finished run's model ``first_epochs`` more epochs, optimizer state kept, and draw epochs 1 to 2x (r000-F2).

    The model is cloned with its weights and Adam's moments, so the run
    itself is left as it was; the new epochs are numbered on from
    ``first_epochs`` and the figure starts where they do.

    Example:
        >>> curves = continue_training(run, first_epochs=10, seed=0, workdir="out/.work/more")  # doctest: +SKIP
    """
    model = keras.models.clone_model(run["model"])
    model.set_weights(run["model"].get_weights())
    training.compile_classifier(model, keras.optimizers.Adam(learning_rate))
    model.optimizer.build(model.trainable_variables)
    for target, source in zip(model.optimizer.variables, run["model"].optimizer.variables):
        target.assign(source)
    data = run["data"]
    scale = dict(mean=np.zeros(1, "float32"), std=np.full(1, 255.0, "float32"))
    train = pipelines.array_pipeline(data.x_train, data.y_train, batch_size=64, seed=seed, **scale)
    history = training.fit(
        model,
        train,
        validation_data=run["test_dataset"],
        epochs=2 * first_epochs,
        initial_epoch=first_epochs,
        previous_history=run["history"],
        seed=seed,
        workdir=workdir,
    )
    more = {"model": model, "history": history, **evaluate_classifier(model, run["test_dataset"], data)}
    shown_from = min(first_epochs, len(run["history"].history["loss"])) + 1
    return Curves({**run_summary(more, "Simple CNN"), "dataset": run["dataset"], "show_from_epoch": shown_from})
