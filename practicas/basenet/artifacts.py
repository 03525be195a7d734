"""Practical 1 artifacts: every from-scratch figure and table of r000, r001, r002 and r004's Vanilla CNN.

Each producer runs the report's own data and settings; with ``quick=True`` it
runs the same code on offline stand-in data (:mod:`practicas.standins`) with
fewer epochs. Experiments that feed several artifacts (the Simple CNN behind
r000-F1/T3/F3/F4/F5) train once per process and resume from their
checkpoints in ``out/.work`` across processes.
"""

from __future__ import annotations

import dataclasses
import functools

import keras

from practicas import figures, training
from practicas.basenet import models
from practicas.basenet.experiments import continue_training, vanilla_cnn_run
from practicas.datasets import load_dataset
from practicas.evaluation import layer_table_data, run_summary
from practicas.experiments import train_classifier
from practicas.pipelines import Augmentation
from practicas.registry import artifact
from practicas.results import ConfusedExamples, ConfusionMatrix, Curves, CurvesSet, Embeddings, LayerTable, Table
from practicas.runmode import RunContext, cached, epochs_for
from practicas.standins import experiment_data

# ------------------------------------------------------------------ r000: Simple CNN on MNIST


def _simple_cnn_run(context: RunContext) -> dict:
    def compute():
        data, label = experiment_data("mnist", context)
        result = train_classifier(
            lambda: models.simple_cnn(data.image_shape, data.num_classes),
            data,
            epochs=epochs_for(10, context.quick),
            batch_size=64,
            optimizer=lambda: keras.optimizers.Adam(1e-3),
            seed=context.seed,
            workdir=context.shared_workdir("simple_cnn"),
            validation="test",
        )
        return {**result, "data": data, "dataset": label}

    return cached(context.shared_key("simple_cnn"), compute)


@artifact("r000-T1")
def mnist_split_sizes(context: RunContext) -> Table:
    """r000 Tabla 1: height, width, channels and samples of the train and validation sets."""
    data = load_dataset("fashion_mnist" if context.quick else "mnist")
    sizes = data.split_sizes()
    rows = [
        [split if split != "test" else "validation (test set)", s["height"], s["width"], s["channels"], s["samples"]]
        for split, s in sizes.items()
    ]
    return Table(
        {
            "dataset": data.name,
            "sizes": sizes,
            "header": ["Split", "Height", "Width", "Channels", "Samples"],
            "rows": rows,
            "note": f"Source: {data.source}",
        }
    )


@artifact("r000-T2")
def simple_cnn_parameters(context: RunContext) -> LayerTable:
    """r000 Tabla 2: the Simple CNN has 813,802 parameters."""
    return LayerTable(layer_table_data(models.simple_cnn(), note="report: 813,802 parameters"))


@artifact("r000-F1")
def simple_cnn_curves(context: RunContext) -> Curves:
    """r000 Figura 1: Simple CNN loss and accuracy, epochs 1-10."""
    return figures.curves(_simple_cnn_run(context), "Simple CNN")


@artifact("r000-T3")
def simple_cnn_best_epoch(context: RunContext) -> Table:
    """r000 Tabla 3: best validation accuracy and its epoch (report: 98.94 % at epoch 10)."""
    return figures.best_epoch_table(_simple_cnn_run(context), "Simple CNN")


@artifact("r000-F2")
def simple_cnn_continued(context: RunContext) -> Curves:
    """r000 Figura 2: the same model trained 10 more epochs (11-20), optimizer state kept."""
    first = epochs_for(10, context.quick)  # the planned epochs, also in a smoke run (whose history is one epoch long)
    return continue_training(
        _simple_cnn_run(context),
        first_epochs=first,
        seed=context.seed,
        workdir=context.shared_workdir("simple_cnn_continued"),
    )


@artifact("r000-F3")
def simple_cnn_confusion(context: RunContext) -> ConfusionMatrix:
    """r000 Figura 3: confusion matrix after 10 epochs (report: 106 errors / 10000)."""
    return figures.confusion(_simple_cnn_run(context), "Simple CNN")


@artifact("r000-F4")
def simple_cnn_confused_examples(context: RunContext) -> ConfusedExamples:
    """r000 Figura 4: examples of the most-confused class pairs (report: 4 vs 9, 6 vs 0/5)."""
    return figures.confused_examples(_simple_cnn_run(context), "Simple CNN")


@artifact("r000-F5")
def simple_cnn_tsne(context: RunContext) -> Embeddings:
    """r000 Figura 5: t-SNE of the intermediate (flattened conv) and final (logits) features, side by side."""
    layers = [("flatten", "intermediate: flattened conv"), ("logits", "final layer")]
    return figures.tsne(_simple_cnn_run(context), "Simple CNN", layers, context.seed, 1000 if context.quick else 10000)


# ------------------------------------------------------------------ r000: AlexNet on CIFAR-10


def _alexnet_run(context: RunContext) -> dict:
    def compute():
        data, label = experiment_data("cifar10", context)
        result = train_classifier(
            lambda: models.alexnet_cifar(data.image_shape, data.num_classes),
            data,
            epochs=epochs_for(15, context.quick),
            batch_size=64,
            optimizer=lambda: keras.optimizers.Adam(1e-3),
            seed=context.seed,
            workdir=context.shared_workdir("alexnet"),
            validation="test",
        )
        return {**result, "data": data, "dataset": label}

    return cached(context.shared_key("alexnet"), compute)


@artifact("r000-T4")
def alexnet_parameters(context: RunContext) -> LayerTable:
    """r000 Tabla 4: AlexNet (CIFAR variant) has 6,199,498 trainable parameters."""
    return LayerTable(layer_table_data(models.alexnet_cifar(), note="report: 6,199,498 trainable parameters"))


@artifact("r000-F6")
def alexnet_curves(context: RunContext) -> Curves:
    """r000 Figura 6: AlexNet curves, 15 epochs on CIFAR-10."""
    return figures.curves(_alexnet_run(context), "AlexNet")


@artifact("r000-T5")
def alexnet_best_epoch(context: RunContext) -> Table:
    """r000 Tabla 5: AlexNet best validation accuracy and epoch (report: 71.22 % at epoch 14)."""
    return figures.best_epoch_table(_alexnet_run(context), "AlexNet")


@artifact("r000-F7")
def alexnet_confusion(context: RunContext) -> ConfusionMatrix:
    """r000 Figura 7: AlexNet confusion matrix (report: cat/dog, horse/deer, automobile/truck)."""
    return figures.confusion(_alexnet_run(context), "AlexNet")


@artifact("r000-F8")
def alexnet_confused_examples(context: RunContext) -> ConfusedExamples:
    """r000 Figura 8: AlexNet's most-confused examples."""
    return figures.confused_examples(_alexnet_run(context), "AlexNet")


@artifact("r000-F9")
def alexnet_tsne(context: RunContext) -> Embeddings:
    """r000 Figura 9: t-SNE of AlexNet's final-layer features."""
    return figures.tsne(
        _alexnet_run(context), "AlexNet", [("logits", "final layer")], context.seed, 500 if context.quick else 10000
    )


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


def ladder_artifact(artifact_id: str, name: str, doc: str):
    """Register the producer of one ladder rung: :func:`run_ladder_step` with ``LADDER[artifact_id]``, named ``name``.

    Example:
        >>> basenet_adam.__name__, basenet_adam.__doc__.split(":")[0]
        ('basenet_adam', 'r001 Figures 3-4')
    """

    def produce(context: RunContext) -> Curves:
        return Curves(run_ladder_step(LADDER[artifact_id], context))

    produce.__name__, produce.__qualname__, produce.__doc__ = name, name, doc
    return artifact(artifact_id)(produce)


# One named producer per rung (grep the ID or the name); r001-F17 runs two rungs and has its own function below.
basenet_sgd = ladder_artifact(
    "r001-F1", "basenet_sgd", "r001 Figures 1-2: BaseNet, SGD lr 0.01 (decay 1e-6, momentum 0.9), 25 epochs."
)
basenet_adam = ladder_artifact("r001-F3", "basenet_adam", "r001 Figures 3-4: BaseNet with Adam.")
basenet_featurewise = ladder_artifact(
    "r001-F5", "basenet_featurewise", "r001 Figures 5-6: + featurewise normalization (train mean and std)."
)
basenet_augmented = ladder_artifact(
    "r001-F9", "basenet_augmented", "r001 Figures 9-10: + augmentation (flip, zoom 0.2, shifts 0.1, rotation 20)."
)
basenet_batch_norm = ladder_artifact(
    "r001-F11", "basenet_batch_norm", "r001 Figures 11-12: + BatchNormalization after each conv, before ReLU."
)
basenet_deeper = ladder_artifact(
    "r001-F13", "basenet_deeper", "r001 Figures 13-14: + a 3x3 conv before each pool and a 1x1 conv."
)
basenet_dropout = ladder_artifact(
    "r001-F15", "basenet_dropout", "r001 Figures 15-16: + Dropout 0.2 on both dense layers."
)
bonus_basenet_curves = ladder_artifact(
    "r001-F27", "bonus_basenet_curves", "r001 Figures 27-28: the bonus BaseNet (32/64 filters, two convs per stage)."
)
residual_basenet_curves = ladder_artifact(
    "r001-F29", "residual_basenet_curves", "r001 Figures 29-30: the residual bonus BaseNet."
)


@artifact("r001-F17")
def basenet_early_stopping(context: RunContext) -> CurvesSet:
    """r001 early stopping (80 epochs, patience 10, best weights restored), with and without dropout."""
    runs, metrics = [], {}
    for label, dropout in (("with dropout", 0.2), ("without dropout", 0.0)):
        step = dataclasses.replace(LADDER["r001-F17"], dropout=dropout)
        run = run_ladder_step(step, context.within(f"dropout{dropout}"))
        runs.append({**run, "label": f"{label}: test acc {run['metrics']['test_accuracy']:.4f}"})
        metrics[label] = run["metrics"]["test_accuracy"]
        metrics[f"{label}, stopped at epoch"] = run["stopped_epoch"]
    return CurvesSet({"dataset": runs[0]["dataset"], "runs": runs, "metrics": metrics})


@artifact("r001-T1")
def basenet_table(context: RunContext) -> LayerTable:
    """r001 Exercise 1 table: BaseNet, 24,197 parameters."""
    return LayerTable(layer_table_data(models.basenet(), note="report: 24,197 parameters"))


@artifact("r001-T2")
def improved_basenet_table(context: RunContext) -> LayerTable:
    """r001 Exercise 2 final table: 23 layers (Keras adds a Flatten row)."""
    return LayerTable(layer_table_data(models.improved_basenet(), note="report: 23 layers"))


@artifact("r001-T3")
def residual_basenet_table(context: RunContext) -> LayerTable:
    """r001 Bonus final table: the residual BaseNet, 28 rows (Keras adds a Flatten row)."""
    return LayerTable(layer_table_data(models.bonus_basenet(residual=True), note="report: 28 rows"))


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


@artifact("r002-T1")
def emoji_net_summary(context: RunContext) -> LayerTable:
    """r002 summary of the final Net: 1,069,509 parameters; 16x16x32, 8x8x32, 8x8x64."""
    return LayerTable(layer_table_data(models.emoji_net(), note="report: 1,069,509 parameters"))


@artifact("r002-F1")
def emoji_first_net_curves(context: RunContext) -> Curves:
    """r002: the first net, SGD lr 0.05, batch 20, 15 epochs, 845/160 split."""
    return Curves(emoji_run(models.emoji_first_net, lr=0.05, batch_size=20, epochs=15, train=845, context=context))


@artifact("r002-F2")
def emoji_learning_rate_sweep(context: RunContext) -> CurvesSet:
    """r002: learning rates 0.5 (diverges), 0.1 (best) and 0.001 (barely moves) on the first net."""
    runs = [
        emoji_run(
            models.emoji_first_net,
            lr=lr,
            batch_size=20,
            epochs=15,
            train=845,
            context=context.within(f"lr{lr}"),
            label=f"lr {lr}",
        )
        for lr in (0.5, 0.1, 0.001)
    ]
    return figures.compared(runs)


@artifact("r002-F3")
def emoji_batch_and_split(context: RunContext) -> CurvesSet:
    """r002: batch size 10 (845/160, 15 epochs), then an 800/205 split with 20 epochs."""
    runs = [
        emoji_run(
            models.emoji_first_net,
            lr=0.1,
            batch_size=10,
            epochs=15,
            train=845,
            context=context.within("batch10"),
            label="batch 10, 845/160",
        ),
        emoji_run(
            models.emoji_first_net,
            lr=0.1,
            batch_size=10,
            epochs=20,
            train=800,
            context=context.within("split800"),
            label="batch 10, 800/205, 20 epochs",
        ),
    ]
    return figures.compared(runs)


@artifact("r002-F4")
def emoji_net_curves(context: RunContext) -> Curves:
    """r002: final Net, SGD lr 0.1, batch 5, 30 epochs (report: 92 % train / 87 % validation)."""
    return Curves(emoji_run(models.emoji_net, lr=0.1, batch_size=5, epochs=30, train=800, context=context))


@artifact("r002-F5")
def emoji_net_overfitting(context: RunContext) -> Curves:
    """r002: final Net for 60 epochs: validation loss rises (overfitting)."""
    return Curves(emoji_run(models.emoji_net, lr=0.1, batch_size=5, epochs=60, train=800, context=context))


@artifact("r002-F6")
def emoji_net_activations(context: RunContext) -> CurvesSet:
    """r002: the final Net with softmax and with sigmoid instead of ReLU (both worse)."""
    runs = [
        emoji_run(
            functools.partial(models.emoji_net, activation=activation),
            lr=0.1,
            batch_size=5,
            epochs=30,
            train=800,
            context=context.within(activation),
            label=activation,
            model_name=f"emoji_net_{activation}",
        )
        for activation in ("softmax", "sigmoid")
    ]
    return figures.compared(runs)


@artifact("r002-F7")
def emoji_net_short(context: RunContext) -> Curves:
    """r002: final Net, SGD lr 0.07, batch 10, 16 epochs (stops before validation loss rises)."""
    return Curves(emoji_run(models.emoji_net, lr=0.07, batch_size=10, epochs=16, train=800, context=context))


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


@artifact("r004-VCNN")
def vanilla_cnn_monkeys(context: RunContext) -> Table:
    """r004 Vanilla CNN: parameters, accuracy and macro F1 (report: 0.4632 / 0.4611), Adam 1e-3, batch 32."""
    return vanilla_cnn_table(vanilla_cnn_run(context))
