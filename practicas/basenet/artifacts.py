"""Practical 1's producers and the recipes its notebook calls: r000, r001, r002 and r004's Vanilla CNN.

The experiments themselves are written once, in notebook 01's cells
(``practicas/lessons/01_basenet.py``), which the CLI runs. What stays here:
the recipes a cell calls many times with its settings (r002's emoji runs) and
r004's Vanilla CNN table.
"""

from __future__ import annotations

import keras

from practicas.evaluation import run_summary
from practicas.experiments import train_classifier
from practicas.results import Table
from practicas.runmode import RunContext, epochs_for
from practicas.standins import experiment_data

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
