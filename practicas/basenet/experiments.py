"""Practical 1's trained networks that several artifacts share.

- :func:`vanilla_cnn_run`: r004's Vanilla CNN on 10 Monkey Species (its own
  table, r004-VCNN, and the from-scratch baseline of r004-T1 and r004-F8).
"""

from __future__ import annotations

import dataclasses

import keras

from practicas import standins
from practicas.basenet import models
from practicas.experiments import train_classifier
from practicas.pipelines import imagenet_eval_transform
from practicas.runmode import RunContext, cached, epochs_for


def vanilla_cnn_run(context: RunContext) -> dict:
    """r004's Vanilla CNN: Adam 1e-3, batch 32, 10 epochs, on r004's inputs (resize 256, centre crop 224, ImageNet mean/std).

    Trained once per process, with its state in ``out/.work/r004-VCNN-...``
    whichever artifact asks first. Quick mode: the stand-in folder at 64x64,
    pixels / 255, 3 epochs.

    Example:
        >>> run = vanilla_cnn_run(RunContext(quick=True, workdir=Path("out/.work/r004-VCNN-quick-seed0")))  # doctest: +SKIP
    """

    def compute():
        data, dataset = standins.experiment_data("monkeys", context, image_size=256)
        preprocess = (lambda x: x / 255.0) if context.quick else None
        if not context.quick:
            data = dataclasses.replace(
                data,
                x_train=imagenet_eval_transform(data.x_train).numpy(),
                x_test=imagenet_eval_transform(data.x_test).numpy(),
            )
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
