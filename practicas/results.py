"""What a producer returns: one of a few typed results that serialize and draw themselves.

A result is the artifact's JSON (a dict of plain numbers: ``history``,
``metrics``, ``params``...) with a type that says what it draws:

| type | draws | needs |
|---|---|---|
| :class:`Curves` | loss and accuracy per epoch | ``history``, ``metrics``, ``dataset`` |
| :class:`CurvesSet` | several runs' curves, one panel each | ``runs``, ``dataset`` |
| :class:`ConfusionMatrix` | a confusion matrix | ``confusion``, ``class_names``, ``model``, ``dataset`` |
| :class:`ConfusionMatrices` | several, in one figure | ``confusion`` (name -> matrix), ``class_names``, ``dataset`` |
| :class:`ConfusedExamples` | the most-confused pairs' images | ``pairs``, ``image_indices``, ``_images``, ... |
| :class:`Embeddings` | t-SNE panels coloured by class | ``panels``, ``labels``, ``class_names``, ... |
| :class:`ImageGrid` | a grid of labelled images | ``_images``, ``labels``, ``class_names``, ``dataset`` |
| :class:`AscentImages` | gradient-ascent images with captions | ``_images``, ``objective``, ``network``, ``columns`` |
| :class:`ClassCounts` | images per class and split | ``counts``, ``dataset`` |
| :class:`LayerTable` | a Markdown layer table with parameter counts | ``layers``, ``params`` |
| :class:`Table` | a Markdown table | ``header``, ``rows`` |

A missing key is refused when the result is made, naming the type and the
key, not later inside matplotlib. Keys that start with ``_`` hold the arrays a
figure draws (images); they must be numpy arrays and go to ``OUT/ID.npz``
beside the JSON. The JSON records the type under ``"result"``, so
:func:`load` rebuilds a result from its files and ``python -m practicas plot``
redraws it without training.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from practicas import plots
from practicas.errors import InvalidInputError


class Result(dict):
    """Base of the typed results: a dict of the artifact's numbers that knows how to draw itself.

    Example:
        >>> table = Table(title="Sizes", header=["split", "images"], rows=[["train", 60000]])
        >>> print(table.render())
        ### Sizes
        <BLANKLINE>
        | split | images |
        |---|---|
        | train | 60000 |
    """

    required: ClassVar[tuple[str, ...]] = ()
    kind: ClassVar[str] = "figure"  # or "table": what render() returns, a matplotlib figure or Markdown

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        missing = [key for key in self.required if key not in self]
        if missing:
            raise InvalidInputError(f"a {type(self).__name__} result needs {missing}; it has {sorted(self)}")
        for key, value in self.items():
            if str(key).startswith("_") and not isinstance(value, np.ndarray):
                raise InvalidInputError(
                    f"{type(self).__name__}[{key!r}] holds a {type(value).__name__}: keys starting with '_' are arrays "
                    "the figure draws (saved to the .npz); put numbers under a plain key"
                )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays saved beside the JSON (the ``_`` keys)."""
        return {key: value for key, value in self.items() if str(key).startswith("_")}

    def render(self):
        """A matplotlib figure (``kind == "figure"``) or a Markdown string (``"table"``)."""
        raise NotImplementedError

    def heading(self) -> str:
        return self.get("title", type(self).__name__)


class Curves(Result):
    """Training curves of one run: loss and accuracy, train vs validation, best epoch marked."""

    required = ("history", "metrics", "dataset")

    def render(self):
        subtitle = f"test accuracy {self['metrics']['test_accuracy']:.4f}" if "test_accuracy" in self["metrics"] else ""
        return plots.plot_history(
            self["history"],
            title=f"{self.heading()} — {self['dataset']}" + (f", {subtitle}" if subtitle else ""),
            show_from_epoch=self.get("show_from_epoch"),
            stopped_epoch=self.get("stopped_epoch") or None,
            phase_boundary=self.get("phase_boundary"),
        )


class CurvesSet(Result):
    """Several runs' curves side by side (a sweep, with and without a setting); each run has a ``label``."""

    required = ("runs", "dataset")

    def render(self):
        histories = {run["label"]: run["history"] for run in self["runs"]}
        return plots.plot_histories(histories, title=f"{self.heading()} — {self['dataset']}")


class ConfusionMatrix(Result):
    """One confusion matrix (rows: true class, columns: predicted)."""

    required = ("confusion", "class_names", "model", "dataset")

    def render(self):
        title = f"{self['model']} ({self['dataset']})"
        return plots.plot_confusion_matrix(np.asarray(self["confusion"]), self["class_names"], title=title)


class ConfusionMatrices(Result):
    """Several confusion matrices in one figure; a None entry leaves its panel empty (layout)."""

    required = ("confusion", "class_names", "dataset")

    def render(self):
        matrices = {name: None if m is None else np.asarray(m) for name, m in self["confusion"].items()}
        return plots.plot_confusion_matrices(
            matrices, self["class_names"], title=f"Confusion matrices — {self['dataset']}"
        )


class ConfusedExamples(Result):
    """The most-confused class pairs, a row of test images each; ``_images`` holds the images at ``image_indices``."""

    required = ("pairs", "class_names", "image_indices", "_images", "model", "dataset")

    def render(self):
        images = dict(zip(self["image_indices"], self["_images"]))  # test-set index -> image
        title = f"{self['model']}: most-confused pairs ({self['dataset']})"
        return plots.plot_confused_examples(images, self["pairs"], self["class_names"], title=title)


class Embeddings(Result):
    """t-SNE panels of one set of points coloured by class; a panel may carry a linear ``boundary`` and ``errors``."""

    required = ("panels", "labels", "class_names", "model", "dataset")

    def render(self):
        panels = [
            {
                "embedding": np.asarray(p["embedding"]),
                "labels": np.asarray(self["labels"]),
                "title": p["title"],
                "errors": p.get("errors", self.get("errors")),
                "boundary": p.get("boundary"),
            }
            for p in self["panels"]
        ]
        return plots.plot_embeddings(panels, self["class_names"], title=f"t-SNE — {self['model']} ({self['dataset']})")


class ImageGrid(Result):
    """A grid of images with their class names."""

    required = ("_images", "labels", "class_names", "dataset")

    def render(self):
        return plots.plot_image_grid(
            self["_images"],
            self["labels"],
            self["class_names"],
            columns=self.get("columns", 5),
            title=f"Sample images — {self['dataset']}",
        )


class AscentImages(Result):
    """Gradient-ascent images, captioned; targets that never activated show as a caption on a blank panel."""

    required = ("_images", "objective", "network", "columns")

    def render(self):
        from practicas.gradient_ascent.ascent import plot_ascent_images

        captions = self.get("captions") or self["objective"]["captions"]
        return plot_ascent_images(
            self["_images"],
            captions,
            self["objective"]["inactive"],
            columns=self["columns"],
            title=f"{self.heading()} — {self['network']}",
        )


class ClassCounts(Result):
    """Images per class in each split, as bars."""

    required = ("counts", "dataset")

    def render(self):
        return plots.plot_class_counts(self["counts"], title=f"Images per class — {self['dataset']}")


class LayerTable(Result):
    """A network's layers (name, type, output shape, parameters) and its total / trainable / non-trainable counts."""

    required = ("layers", "params")
    kind = "table"

    def render(self):
        return plots.parameter_summary_markdown(self["layers"], self["params"], title=self.heading())


class Table(Result):
    """A Markdown table with a title and an optional note under it."""

    required = ("header", "rows")
    kind = "table"

    def render(self):
        note = f"\n\n{self['note']}" if self.get("note") else ""
        return f"### {self.heading()}\n\n" + plots.markdown_table(self["header"], self["rows"]) + note


RESULT_TYPES = {
    cls.__name__: cls
    for cls in (
        Curves,
        CurvesSet,
        ConfusionMatrix,
        ConfusionMatrices,
        ConfusedExamples,
        Embeddings,
        ImageGrid,
        AscentImages,
        ClassCounts,
        LayerTable,
        Table,
    )
}


def load(data: dict) -> Result:
    """The typed result of an artifact's saved JSON (with its arrays): what ``python -m practicas plot`` draws.

    Example:
        >>> load({"result": "Table", "header": ["a"], "rows": [[1]]}).kind
        'table'
    """
    name = data.get("result")
    if name not in RESULT_TYPES:
        raise InvalidInputError(
            f"this JSON names result type {name!r}; the known ones are {sorted(RESULT_TYPES)} "
            "(a JSON written before results were typed: run the artifact again)"
        )
    return RESULT_TYPES[name](data)
