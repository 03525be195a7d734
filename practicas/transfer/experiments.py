"""Practical 2's trained networks that several artifacts share, and Practical 3 visualizes: r003's exercise 3.

- :func:`cats_vs_dogs_transfer`: MobileNet frozen, then fine-tuned (r003-F1;
  r003-F14 climbs its logit).
- :func:`emnist_run`: the EMNIST network (r003-F3; r003-F4 transfers its convs).
- :func:`train_digits`: r003's settings for 28x28 digit and letter networks
  (r003-F4, F5; the digit network of r003-F11 and F12).

Each trains once per process (:func:`practicas.runmode.cached`) and resumes
from its checkpoints across processes.
"""

from __future__ import annotations

import keras

from practicas import pipelines, standins
from practicas.experiments import evaluate_classifier, train_classifier
from practicas.pipelines import Augmentation
from practicas.runmode import RunContext, cached, epochs_for
from practicas.transfer import models
from practicas.transfer.finetune import FREEZE_BATCHNORM_WHEN_FINE_TUNING, fit_two_phase

# r003: "in both cases, cats vs dogs and MNIST, data augmentation was used" (its kind is not given).
R003_AUGMENTATION = Augmentation(
    horizontal_flip=True, zoom_range=0.1, width_shift_range=0.1, height_shift_range=0.1, rotation_range=10.0
)


def binary_pipelines(data, seed: int, batch_size: int = 32):
    """r003's cats-vs-dogs pipelines: augmented training, then validation (the dataset's, or test) and test, raw pixels.

    Example:
        >>> train, val, test = binary_pipelines(standins.colour_standin(train=64, test=32, classes=2), seed=0)
    """
    x_val, y_val = (data.x_val, data.y_val) if data.x_val is not None else (data.x_test, data.y_test)
    train = pipelines.array_pipeline(
        data.x_train, data.y_train, batch_size=batch_size, seed=seed, augmentation=R003_AUGMENTATION
    )
    val = pipelines.array_pipeline(x_val, y_val, batch_size=batch_size, shuffle=False)
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=batch_size, shuffle=False)
    return train, val, test


def cats_vs_dogs_transfer(context: RunContext) -> dict:
    """r003's transfer run: 50 epochs with MobileNet frozen (Adam 1e-3), then 10 fine-tuning all of it (Adam 1e-5).

    Quick mode: a thin MobileNet (alpha 0.25) at 64x64, pretrained on the spot
    on 8 other Fashion-MNIST classes instead of ImageNet, 2 + 1 epochs. The
    trained model is returned under ``"model"`` (r003-F14 visualizes it).

    Example:
        >>> run = cats_vs_dogs_transfer(RunContext(quick=True, workdir=Path("out/.work/r003-F1-quick-seed0")))  # doctest: +SKIP
    """

    def compute():
        data, label = standins.experiment_data("cats_vs_dogs", context)
        keras.utils.set_random_seed(context.seed)
        if context.quick:
            model = standins.quick_pretrained_mobilenet(data.image_shape, context.seed)
        else:
            model = models.mobilenet_cats_vs_dogs(data.image_shape, weights="imagenet")
        train, val, test = binary_pipelines(data, context.seed)
        history = fit_two_phase(
            model,
            models.backbone_of(model),
            train,
            validation_data=val,
            head_epochs=epochs_for(50, context.quick, 2),
            finetune_epochs=epochs_for(10, context.quick, 1),
            head_optimizer=lambda: keras.optimizers.Adam(1e-3),
            finetune_optimizer=lambda: keras.optimizers.Adam(1e-5),
            freeze_batchnorm=FREEZE_BATCHNORM_WHEN_FINE_TUNING["r003"],  # keras.io's guide: inference mode
            seed=context.seed,
            workdir=context.shared_workdir("cats_vs_dogs_transfer"),
        )
        return {
            "model": model,
            "history": history,
            **evaluate_classifier(model, test, data),
            "data": data,
            "dataset": label,
            "phase_boundary": history.phase_boundary,
        }

    return cached(context.shared_key("cats_vs_dogs_transfer"), compute)


def train_digits(model, data, *, epochs: int, seed: int, workdir, augmentation=None) -> dict:
    """Train a 28x28 digit or letter classifier the r003 way: pixels / 255, Adam 1e-3, batch 64, the test split as validation.

    Example:
        >>> run = train_digits(models.emnist_net(), standins.digits_standin(), epochs=1, seed=0, workdir=None)
        ... # doctest: +ELLIPSIS
        emnist_net epoch 1/1: accuracy ..., loss ..., val_accuracy ..., val_loss ... (... s/epoch, about 0 s left)
        >>> run["metrics"]["accuracy"] > 0.1
        True
    """
    return train_classifier(
        model,
        data,
        epochs=epochs,
        batch_size=64,
        eval_batch_size=256,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        seed=seed,
        workdir=workdir,
        validation="test",
        augmentation=augmentation,
    )


def emnist_run(context: RunContext) -> dict:
    """r003's EMNIST network trained on EMNIST letters a-j, 10 epochs, Adam, the test split as validation.

    Example:
        >>> run = emnist_run(RunContext(quick=True, workdir=Path("out/.work/r003-F3-quick-seed0")))  # doctest: +SKIP
    """

    def compute():
        data, label = standins.experiment_data("emnist_letters", context)
        run = train_digits(
            lambda: models.emnist_net(data.image_shape, 10),
            data,
            epochs=epochs_for(10, context.quick),
            seed=context.seed,
            workdir=context.shared_workdir("emnist"),
        )
        return {**run, "dataset": label}

    return cached(context.shared_key("emnist"), compute)
