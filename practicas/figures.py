"""A trained classifier's figures and tables as typed results: curves, best epoch, confusion, confused examples, t-SNE.

Each takes a *run*, the dict a notebook cell makes after its ``model.fit``:
``model``, ``history``, ``data`` (the :class:`~practicas.datasets.ImageDataset`),
``dataset`` (its label) and the test metrics
:func:`practicas.experiments.evaluate_classifier` returns (predictions,
accuracy, macro F1, confusion); :func:`practicas.experiments.train_classifier`
returns the same in one call, for a student's own code. A notebook cell calls
them on the run it trained (and the CLI runs that cell). :func:`layer_table`
and :func:`split_sizes` take a network and a dataset.

    run = {"model": model, "history": tracking.history, "data": data, "dataset": label}
    run |= evaluate_classifier(model, test, data)
    session.save("r000-F3", figures.confusion(run, "Simple CNN"))
"""

from __future__ import annotations

import numpy as np

from practicas import evaluation
from practicas.evaluation import layer_table_data, run_summary
from practicas.results import ConfusedExamples, ConfusionMatrix, Curves, CurvesSet, Embeddings, LayerTable, Table


def layer_table(model, **extra) -> LayerTable:
    """A network's layers and parameter counts as a table (``extra``: a ``note`` or ``title`` shown with it).

    Example:
        >>> import keras
        >>> table = layer_table(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), note="report: 8")
        >>> table["params"]["total"], table["note"]
        (8, 'report: 8')
    """
    return LayerTable(layer_table_data(model, **extra))


def split_sizes(data, test_name: str = "validation (test set)") -> Table:
    """Height, width, channels and samples of each split of ``data`` as loaded (r000 Tabla 1).

    Example:
        >>> from practicas.standins import fashion_mnist_subset
        >>> split_sizes(fashion_mnist_subset(train=30, test=20))["rows"]
        [['train', 28, 28, 1, 30], ['validation (test set)', 28, 28, 1, 20]]
    """
    sizes = data.split_sizes()
    rows = [
        [split if split != "test" else test_name, s["height"], s["width"], s["channels"], s["samples"]]
        for split, s in sizes.items()
    ]
    header = ["Split", "Height", "Width", "Channels", "Samples"]
    return Table(
        {"dataset": data.name, "sizes": sizes, "header": header, "rows": rows, "note": f"Source: {data.source}"}
    )


def curves(run: dict, model_name: str, title: str | None = None) -> Curves:
    """Loss and accuracy per epoch, train vs validation, the best epoch marked; with the test metrics and parameters.

    ``title`` replaces the catalogue's title in the figure (and the JSON).
    """
    extra = {"title": title} if title else {}
    if "phase_boundary" in run:  # a two-phase run: where fine-tuning starts
        extra["phase_boundary"] = run["phase_boundary"]
    return Curves({**run_summary(run, model_name), "dataset": run["dataset"]} | extra)


def compared(runs: list[dict]) -> CurvesSet:
    """Several labelled runs side by side, one panel each, with each run's test accuracy under its ``label``.

    Each run is a :func:`~practicas.evaluation.run_summary` dict with a
    ``label`` and a ``dataset`` (r002's learning-rate sweep, for one).

    Example:
        >>> run = {"history": {"loss": [1.0], "val_loss": [1.1], "accuracy": [0.5], "val_accuracy": [0.4]}}
        >>> compared([run | {"label": "lr 0.1", "dataset": "emoji", "metrics": {"test_accuracy": 0.4}}])["metrics"]
        {'lr 0.1': 0.4}
    """
    metrics = {run["label"]: run["metrics"]["test_accuracy"] for run in runs}
    return CurvesSet({"dataset": runs[0]["dataset"], "runs": runs, "metrics": metrics})


def best_epoch_table(run: dict, model_name: str) -> Table:
    """The best validation accuracy and its epoch, as a one-row table (r000's Tablas 3 and 5)."""
    summary = run_summary(run, model_name)
    best = summary["metrics"]["best_val_accuracy"]
    return Table(
        {
            **summary,
            "dataset": run["dataset"],
            "header": ["Model", "Best validation accuracy", "Epoch"],
            "rows": [[model_name, f"{best:.2%}", summary["best_epoch"]]],
        }
    )


def confusion(run: dict, model_name: str) -> ConfusionMatrix:
    """The test confusion matrix, its error count and its three most-confused pairs."""
    data = run["data"]
    return ConfusionMatrix(
        {
            "model": model_name,
            "dataset": run["dataset"],
            "class_names": data.class_names,
            "confusion": run["confusion"],
            "metrics": {"errors": run["metrics"]["errors"], "accuracy": run["metrics"]["accuracy"]},
            "pairs": evaluation.most_confused_pairs(run["confusion"], k=3),
        }
    )


def confused_examples(run: dict, model_name: str) -> ConfusedExamples:
    """Eight test images of each of the four most-confused class pairs (true -> predicted)."""
    data = run["data"]
    pairs = evaluation.confused_examples(
        data.y_test, run["predictions"], evaluation.most_confused_pairs(run["confusion"], k=4), per_pair=8
    )
    shown = sorted({i for pair in pairs for i in pair["indices"]})  # only these test images are drawn, and saved
    return ConfusedExamples(
        {
            "model": model_name,
            "dataset": run["dataset"],
            "class_names": data.class_names,
            "pairs": pairs,
            "image_indices": shown,
            "_images": data.x_test[shown],
        }
    )


def tsne(run: dict, model_name: str, layers: list[tuple[str, str]], seed: int, max_points: int) -> Embeddings:
    """t-SNE of the named layers' features of up to ``max_points`` test images (``layers``: (name, panel title)),
    coloured by class, misclassified images circled."""
    data = run["data"]
    rng = np.random.default_rng(seed)
    index = np.sort(rng.choice(len(data.x_test), min(max_points, len(data.x_test)), replace=False))
    x = data.x_test[index].astype("float32") / 255.0
    panels = []
    for layer, title in layers:
        features = evaluation.layer_features(run["model"], layer, x)
        panels.append(
            {
                "layer": layer,
                "title": f"{title} ({features.shape[1]} features)",
                "embedding": evaluation.tsne_embedding(features, seed=seed),
            }
        )
    errors = np.flatnonzero(run["predictions"][index] != data.y_test[index])
    return Embeddings(
        {
            "model": model_name,
            "dataset": run["dataset"],
            "class_names": data.class_names,
            "indices": index,
            "labels": data.y_test[index],
            "errors": errors,
            "panels": panels,
        }
    )
