"""Plots shared by every practical. Each function takes plain data and returns a matplotlib Figure.

Figures are drawn without pyplot's global state (``matplotlib.figure.Figure``),
so they work the same headless, in CI and inline in Jupyter.
"""

from __future__ import annotations

import textwrap

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from practicas.evaluation import best_epoch as _best_epoch

TRAIN_COLOR, VAL_COLOR, BEST_COLOR = "#1f77b4", "#d62728", "#2ca02c"


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _suptitle(fig: Figure, title: str) -> None:
    # A title wider than its figure would make constrained layout shrink every panel to fit it.
    size = FontProperties(size=matplotlib.rcParams["figure.titlesize"]).get_size_in_points()
    chars_per_line = max(20, int(fig.get_figwidth() * 72 / (0.6 * size)))
    fig.suptitle(textwrap.fill(title, chars_per_line))


def _plot_train_and_validation(ax, epochs, history: dict, metric: str, keep=None) -> None:
    keep = np.ones(len(epochs), bool) if keep is None else keep
    ax.plot(
        epochs[keep],
        np.asarray(history[metric])[keep],
        "-o",
        ms=3,
        color=TRAIN_COLOR,
        lw=1.2,
        label=f"training {metric}",
    )
    if f"val_{metric}" in history:
        ax.plot(
            epochs[keep],
            np.asarray(history[f"val_{metric}"])[keep],
            "-o",
            ms=3,
            color=VAL_COLOR,
            lw=2.2,
            label=f"validation {metric}",
        )


def _style_epoch_axis(ax, ylabel: str, title: str) -> None:
    ax.set_xlabel("Epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8)


def plot_history(
    history,
    *,
    title: str = "",
    first_epoch: int = 1,
    show_from_epoch: int | None = None,
    best_monitor: str = "val_accuracy",
    stopped_epoch: int | None = None,
    phase_boundary: int | None = None,
) -> Figure:
    """Loss and accuracy, train vs validation, with the best validation epoch marked.

    ``show_from_epoch`` draws only epochs from that number on (r000-F2 shows
    epochs 11-20 of a 20-epoch history) while keeping the true numbering.
    ``phase_boundary``: the last epoch of a frozen-base phase, after which fine-tuning starts (r003-F1).

    Example:
        >>> fig = plot_history({"loss": [1, .5], "val_loss": [1.1, .7], "accuracy": [.5, .8], "val_accuracy": [.4, .7]})
    """
    history = getattr(history, "history", history)
    n = len(history["loss"])
    epochs = np.arange(first_epoch, first_epoch + n)
    keep = epochs >= (show_from_epoch or first_epoch)
    fig = _figure(11, 4)
    axes = fig.subplots(1, 2)
    best = None
    if history.get(best_monitor):
        best_index, best_value = _best_epoch(history, best_monitor)
        best = (best_index - 1 + first_epoch, best_value)
    for ax, metric, label in ((axes[0], "loss", "Loss"), (axes[1], "accuracy", "Accuracy")):
        if metric not in history:
            ax.set_visible(False)
            continue
        _plot_train_and_validation(ax, epochs, history, metric, keep)
        if best is not None and keep[best[0] - first_epoch]:
            ax.axvline(best[0], color=BEST_COLOR, ls="--", lw=1)
            if metric == "accuracy" and best_monitor == "val_accuracy":
                ax.plot(
                    [best[0]], [best[1]], "*", ms=14, color=BEST_COLOR, label=f"best: {best[1]:.2%} at epoch {best[0]}"
                )
        if phase_boundary:
            ax.axvline(
                phase_boundary + 0.5, color="black", ls="-.", lw=1, label=f"fine-tuning from epoch {phase_boundary + 1}"
            )
        if stopped_epoch:
            ax.axvline(stopped_epoch, color="grey", ls=":", lw=1, label=f"early stop (epoch {stopped_epoch})")
        _style_epoch_axis(ax, label, label)
    if title:
        _suptitle(fig, title)
    return fig


def plot_histories(histories: dict, *, title: str = "", metric: str = "accuracy") -> Figure:
    """Several runs side by side, one column per run, loss on top and ``metric`` below (r002-F2, r002-F6).

    Example:
        >>> fig = plot_histories({"lr 0.1": {"loss": [1, .5], "accuracy": [.5, .8]}})
    """
    fig = _figure(4.2 * len(histories), 6.5)
    axes = np.atleast_2d(fig.subplots(2, len(histories), squeeze=False))
    for column, (name, history) in enumerate(histories.items()):
        history = getattr(history, "history", history)
        epochs = np.arange(1, len(history["loss"]) + 1)
        for row, key in enumerate(("loss", metric)):
            ax = axes[row, column]
            _plot_train_and_validation(ax, epochs, history, key)
            _style_epoch_axis(ax, key.capitalize(), name if row == 0 else "")
    if title:
        _suptitle(fig, title)
    return fig


def plot_confusion_matrix(matrix, class_names, *, title: str = "", ax=None) -> Figure:
    """Heatmap with counts in each cell, true classes in rows, predicted in columns.

    Example:
        >>> fig = plot_confusion_matrix(np.array([[5, 1], [2, 7]]), ["cat", "dog"])
    """
    matrix = np.asarray(matrix)
    n = len(class_names)
    fig = None
    if ax is None:
        size = max(4.5, 0.55 * n + 2.5)
        fig = _figure(size + 1, size)
        ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = matrix.max() / 2 if matrix.size else 0
    fontsize = 9 if n <= 12 else 6
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(
                j,
                i,
                str(count),
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if count > threshold else "black",
            )
    ax.set_xticks(
        range(n), [str(c) for c in class_names], rotation=45 if n > 5 else 0, ha="right" if n > 5 else "center"
    )
    ax.set_yticks(range(n), [str(c) for c in class_names])
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    errors = int(matrix.sum() - np.trace(matrix))
    ax.set_title(f"{title + ': ' if title else ''}{errors} errors / {int(matrix.sum())}")
    return fig if fig is not None else ax.figure


def plot_confusion_matrices(matrices: dict, class_names, *, title: str = "", columns: int = 2) -> Figure:
    """Several confusion matrices in a grid, ``columns`` per row (r004-F8..F11: frozen left, fine-tuned right).

    A ``None`` matrix leaves its cell empty.

    Example:
        >>> fig = plot_confusion_matrices({"a": np.eye(2, dtype=int)}, ["x", "y"])
    """
    size = max(4.5, 0.5 * len(class_names) + 2.5)
    columns = min(columns, len(matrices))
    rows = int(np.ceil(len(matrices) / columns))
    fig = _figure((size + 1) * columns, size * rows)
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).reshape(-1)
    for ax, (name, matrix) in zip(axes, matrices.items()):
        if matrix is None:  # a gap that keeps the grid aligned
            ax.axis("off")
            continue
        plot_confusion_matrix(matrix, class_names, title=name, ax=ax)
    for ax in axes[len(matrices) :]:
        ax.axis("off")
    if title:
        _suptitle(fig, title)
    return fig


def _show_image(ax, image):
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dtype != np.uint8:
        low, high = float(image.min()), float(image.max())
        image = (image - low) / (high - low + 1e-8)
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_confused_examples(images, pairs: list[dict], class_names, *, title: str = "") -> Figure:
    """One row per confused pair (true -> predicted), its examples along the row.

    ``pairs`` come from :func:`practicas.evaluation.confused_examples`.

    Example:
        >>> fig = plot_confused_examples(np.zeros((3, 8, 8)), [{"true": 1, "predicted": 0, "count": 2, "indices": [0, 1]}], ["a", "b"])
    """
    columns = max((len(p["indices"]) for p in pairs), default=1) or 1
    fig = _figure(1.6 * columns + 1.5, 1.9 * max(len(pairs), 1))
    axes = np.atleast_2d(fig.subplots(max(len(pairs), 1), columns, squeeze=False))
    for row, pair in enumerate(pairs):
        for column in range(columns):
            ax = axes[row, column]
            if column < len(pair["indices"]):
                _show_image(ax, images[pair["indices"][column]])
                ax.set_title(f"true {class_names[pair['true']]}\npred {class_names[pair['predicted']]}", fontsize=8)
            else:
                ax.axis("off")
        axes[row, 0].set_ylabel(f"{pair['count']} errors", fontsize=9)
    _suptitle(fig, title or "Most-confused class pairs")
    return fig


def plot_embeddings(panels: list[dict], class_names, *, title: str = "") -> Figure:
    """t-SNE scatter plots side by side, coloured by class, with an optional linear boundary.

    Each panel is ``{"embedding": (N, 2), "labels": (N,), "title": str}``,
    optionally with ``"boundary": (w0, w1, b)`` for the line ``w0*x + w1*y + b = 0``
    (r000-F10) and ``"errors"``: indices drawn with a black edge.

    Example:
        >>> fig = plot_embeddings([{"embedding": np.random.rand(20, 2), "labels": np.arange(20) % 2, "title": "a"}], ["x", "y"])
    """
    fig = _figure(5.2 * len(panels) + 1.5, 5)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    cmap = matplotlib.colormaps["tab10" if len(class_names) <= 10 else "tab20"]
    for ax, panel in zip(axes, panels):
        emb, labels = np.asarray(panel["embedding"]), np.asarray(panel["labels"])
        for k, name in enumerate(class_names):
            mask = labels == k
            ax.scatter(
                emb[mask, 0], emb[mask, 1], s=6, alpha=0.75, color=cmap(k % cmap.N), label=str(name), linewidths=0
            )
        if panel.get("errors") is not None and len(panel["errors"]):
            err = emb[np.asarray(panel["errors"])]
            ax.scatter(
                err[:, 0], err[:, 1], s=22, facecolors="none", edgecolors="black", linewidths=0.8, label="misclassified"
            )
        if panel.get("boundary") is not None:
            w0, w1, b = panel["boundary"]
            xs = np.linspace(emb[:, 0].min(), emb[:, 0].max(), 50)
            if abs(w1) > 1e-12:
                ax.plot(xs, -(w0 * xs + b) / w1, "k--", lw=1.5, label="linear boundary")
            elif abs(w0) > 1e-12:  # a vertical line x = -b / w0
                ax.axvline(-b / w0, color="k", ls="--", lw=1.5, label="linear boundary")
            ax.set_ylim(emb[:, 1].min() - 1, emb[:, 1].max() + 1)
        ax.set_title(panel.get("title", ""))
        ax.set_xticks([])
        ax.set_yticks([])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", markerscale=2.5, fontsize=8)
    if title:
        _suptitle(fig, title)
    return fig


def plot_class_counts(counts: dict[str, dict[str, int]], *, title: str = "Images per class") -> Figure:
    """Bar chart per split (e.g. train and validation) of images per class (r004-F6).

    Example:
        >>> fig = plot_class_counts({"train": {"a": 3, "b": 4}, "validation": {"a": 1, "b": 1}})
    """
    fig = _figure(5.5 * len(counts), 4.2)
    for ax, (split, per_class) in zip(np.atleast_1d(fig.subplots(1, len(counts))), counts.items()):
        names, values = list(per_class), list(per_class.values())
        bars = ax.bar(range(len(names)), values, color=TRAIN_COLOR if split.startswith("train") else VAL_COLOR)
        ax.bar_label(bars, fontsize=8)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_ylabel("Images")
        ax.set_title(f"{split} ({sum(values)} images)")
        ax.grid(axis="y", alpha=0.3)
    _suptitle(fig, title)
    return fig


def plot_image_grid(
    images, labels=None, class_names=None, *, columns: int = 8, title: str = "", captions=None
) -> Figure:
    """A grid of images with their class names (or free captions) as titles (r004-F7); ``None`` leaves a blank panel.

    Example:
        >>> fig = plot_image_grid(np.zeros((4, 8, 8, 3), "uint8"), [0, 1, 0, 1], ["a", "b"], columns=2)
    """
    n = len(images)
    columns = min(columns, n)
    rows = int(np.ceil(n / columns))
    panel = min(3.0, max(1.7, 6.0 / columns))  # a grid of one or two images is still worth reading
    fig = _figure(panel * columns, (panel + 0.15) * rows + 0.4)
    axes = np.atleast_2d(fig.subplots(rows, columns, squeeze=False)).reshape(-1)
    for i, ax in enumerate(axes):
        if i >= n:
            ax.axis("off")
            continue
        if images[i] is None:  # nothing to draw (a filter that never activates): say so instead of a grey square
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            _show_image(ax, images[i])
        if captions is not None:
            ax.set_title(str(captions[i]), fontsize=8)
        elif labels is not None:
            ax.set_title(str(class_names[labels[i]]) if class_names is not None else str(labels[i]), fontsize=8)
    if title:
        _suptitle(fig, title)
    return fig


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A GitHub-flavoured Markdown table.

    Example:
        >>> print(markdown_table(["a", "b"], [[1, 2]]))
        | a | b |
        |---|---|
        | 1 | 2 |
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def parameter_summary_markdown(layers: list[dict], params: dict, *, title: str = "") -> str:
    """A per-layer summary like the reports' ``model.summary()``, with the three totals.

    ``layers`` and ``params`` come from :func:`practicas.evaluation.layer_table`
    and :func:`practicas.evaluation.parameter_counts`.

    Example:
        >>> print(parameter_summary_markdown([], {"total": 1, "trainable": 1, "non_trainable": 0}).splitlines()[-1])
        Total params: 1 · Trainable params: 1 · Non-trainable params: 0
    """
    rows = [
        [i, f"{row['name']} ({row['type']})", "x".join(str(d) for d in row["output_shape"] or []), f"{row['params']:,}"]
        for i, row in enumerate(layers, start=1)
    ]
    table = markdown_table(["#", "Layer (type)", "Output shape", "Params"], rows)
    totals = f"Total params: {params['total']:,} · Trainable params: {params['trainable']:,} · Non-trainable params: {params['non_trainable']:,}"
    return "\n\n".join(part for part in (f"### {title}" if title else "", table, totals) if part)
