"""Practical 2's trained networks that several artifacts share, and Practical 3 visualizes: r003's exercise 3.

- :func:`cats_vs_dogs_transfer`: MobileNet frozen, then fine-tuned, as notebook 02's
  cells train it (r003-F1; r003-F14 climbs its logit).
- :func:`emnist_run`: the EMNIST network (r003-F3; r003-F4 transfers its convs).
- :func:`train_digits`: r003's settings for 28x28 digit and letter networks
  (r003-F4, F5; the digit network of r003-F11 and F12).

Each trains once per process (:func:`practicas.runmode.cached`) and resumes
from its checkpoints across processes.
"""

from __future__ import annotations

import keras

from practicas import pipelines, standins
from practicas.experiments import train_classifier
from practicas.pipelines import Augmentation
from practicas.runmode import RunContext, cached, epochs_for
from practicas.transfer import models

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
    """r003's transfer network (r003-F1), as notebook 02 trains it: its section's cells, run up to r003-F1.

    MobileNet frozen for 50 epochs (Adam 1e-3), then all of it fine-tuned 10
    more (Adam 1e-5); quick: the stand-in of that section. Notebook 03 climbs
    this network (r003-F14). The cells run in a session of ``context``'s mode,
    seed, data and output folder (the state is in ``OUT/.work``, so a network
    notebook 02 trained is not trained again); their files go to a folder of
    their own under ``.work``. Returns the section's ``run``: ``"model"``,
    ``"history"``, ``"data"``, ``"dataset"`` and the test metrics.

    Example:
        >>> run = cats_vs_dogs_transfer(session.context)  # doctest: +SKIP
    """

    def compute():
        from practicas import notebooks

        return notebooks.section_run("r003-F1", context)

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
