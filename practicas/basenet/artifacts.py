"""Practical 1's producers and the recipes its notebook calls: r000, r001, r002 and r004's Vanilla CNN.

The experiments themselves are written once, in notebook 01's cells
(``practicas/lessons/01_basenet.py``), which the CLI runs. What stays here:
the producers of the tables that need no experiment of their own (split sizes,
layer tables, registered with :func:`~practicas.registry.artifact`), and the
recipes a cell calls many times with its settings (r001's ladder, r002's emoji runs).
"""

from __future__ import annotations

import dataclasses

import keras

from practicas import training
from practicas.basenet import models
from practicas.evaluation import run_summary
from practicas.experiments import train_classifier
from practicas.pipelines import Augmentation
from practicas.results import Table
from practicas.runmode import RunContext, epochs_for
from practicas.standins import experiment_data

# ------------------------------------------------------------------ r000: Simple CNN on MNIST


# ------------------------------------------------------------------ r000: AlexNet on CIFAR-10


# ------------------------------------------------------------------ r001: BaseNet on CIFAR-100 (classes 0-24)


@dataclasses.dataclass(frozen=True)
class LadderStep:
    """One rung of r001's improvement ladder; each adds to the previous ones."""

    optimizer: str = "adam"
    featurewise: bool = False
    augment: bool = False
    batch_norm: bool = False
    deeper: bool = False
    dropout: float = 0.0
    epochs: int = 25
    patience: int | None = None
    network: str = "basenet"  # or "bonus", "residual"


# The ladder, one literal row per rung with all of its settings: each rung keeps what the previous ones added.
# fmt: off
LADDER = {
    #                      optimizer featurewise augment batch_norm deeper dropout epochs patience network
    "r001-F1":  LadderStep("sgd",    False,      False,  False,     False, 0.0,    25,    None,    "basenet"),
    "r001-F3":  LadderStep("adam",   False,      False,  False,     False, 0.0,    25,    None,    "basenet"),
    "r001-F5":  LadderStep("adam",   True,       False,  False,     False, 0.0,    25,    None,    "basenet"),
    "r001-F9":  LadderStep("adam",   True,       True,   False,     False, 0.0,    25,    None,    "basenet"),
    "r001-F11": LadderStep("adam",   True,       True,   True,      False, 0.0,    25,    None,    "basenet"),
    "r001-F13": LadderStep("adam",   True,       True,   True,      True,  0.0,    25,    None,    "basenet"),
    "r001-F15": LadderStep("adam",   True,       True,   True,      True,  0.2,    25,    None,    "basenet"),
    "r001-F17": LadderStep("adam",   True,       True,   True,      True,  0.2,    80,    10,      "basenet"),
    "r001-F27": LadderStep("adam",   True,       True,   True,      True,  0.2,    80,    10,      "bonus"),
    "r001-F29": LadderStep("adam",   True,       True,   True,      True,  0.2,    80,    10,      "residual"),
}
# fmt: on


def run_ladder_step(step: LadderStep, context: RunContext) -> dict:
    """Train one rung of r001's ladder with the report's settings (batch 64, 10 % validation, test accuracy).

    Example:
        >>> result = run_ladder_step(LADDER["r001-F3"], RunContext(quick=True))  # doctest: +SKIP
    """
    data, label = experiment_data("cifar100_subset", context)
    builders = {
        "basenet": lambda: models.basenet(
            data.image_shape, data.num_classes, batch_norm=step.batch_norm, deeper=step.deeper, dropout=step.dropout
        ),
        "bonus": lambda: models.bonus_basenet(data.image_shape, data.num_classes),
        "residual": lambda: models.bonus_basenet(data.image_shape, data.num_classes, residual=True),
    }
    optimizer = (
        (lambda: training.sgd_with_decay(0.01, decay=1e-6, momentum=0.9))
        if step.optimizer == "sgd"
        else (lambda: keras.optimizers.Adam())
    )
    result = train_classifier(
        builders[step.network],
        data,
        epochs=epochs_for(step.epochs, context.quick),
        batch_size=64,
        optimizer=optimizer,
        seed=context.seed,
        workdir=context.workdir,
        validation="split",
        featurewise=step.featurewise,
        augmentation=Augmentation.r001() if step.augment else None,
        early_stopping_patience=(1 if context.quick else step.patience) if step.patience else None,
    )
    return {**run_summary(result, step.network), "dataset": label, "ladder_step": dataclasses.asdict(step)}


# One named producer per rung (grep the ID or the name); r001-F17 runs two rungs and has its own function below.
# ------------------------------------------------------------------ r002: emoji network


def emoji_run(
    build,
    *,
    lr: float,
    batch_size: int,
    epochs: int,
    train: int,
    context: RunContext,
    label: str = "",
    model_name: str | None = None,
) -> dict:
    """Train ``build(shape, classes)`` as r002 did: plain SGD at ``lr``, the first ``train`` emoji for training and
    the rest for validation; returns the run's summary (history, validation metrics, parameters) and its settings.
    ``model_name`` (default: ``build``'s name) names the network in the summary.

    Its resumable state lives in ``context.workdir``: give each run its own
    (``context.within(name)``).

    Example:
        >>> run = emoji_run(models.emoji_net, lr=0.1, batch_size=5, epochs=30, train=800, context=context)  # doctest: +SKIP
    """
    data, dataset = experiment_data("emoji", context, train=train)
    result = train_classifier(
        lambda: build(data.image_shape, data.num_classes),
        data,
        epochs=epochs_for(epochs, context.quick),
        batch_size=batch_size,
        optimizer=lambda: keras.optimizers.SGD(lr),
        seed=context.seed,
        workdir=context.workdir,
        validation="test",
    )
    settings = {
        "learning_rate": lr,
        "batch_size": batch_size,
        "epochs": epochs,
        "split": f"{len(data.x_train)}/{len(data.x_test)}",
    }
    summary = run_summary(result, model_name or build.__name__)
    return {**summary, "dataset": dataset, "settings": settings, "label": label}


# ------------------------------------------------------------------ r004: Vanilla CNN on 10 Monkey Species


def vanilla_cnn_table(run: dict) -> Table:
    """The Vanilla CNN's row of r004's Tabla 1 (parameters, accuracy, macro F1) and its confusion, from its run.

    Example:
        >>> session.save("r004-VCNN", vanilla_cnn_table(run | {"data": data, "dataset": label}))  # doctest: +SKIP
    """
    summary = run_summary(run, "Vanilla CNN")
    m = summary["metrics"]
    return Table(
        {
            **summary,
            "dataset": run["dataset"],
            "confusion": run["confusion"],
            "class_names": run["data"].class_names,
            "header": ["Model", "Parameters", "Accuracy", "Macro F1"],
            "rows": [
                ["Vanilla CNN", f"{summary['params']['total']:,}", f"{m['accuracy']:.4f}", f"{m['macro_f1']:.4f}"]
            ],
            "note": f"Data: {run['dataset']}. Report: about 1.48 M parameters (figure garbled), accuracy 0.4632, macro F1 0.4611.",
        }
    )
