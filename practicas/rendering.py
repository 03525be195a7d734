"""Renderers: an artifact's data (its JSON, with arrays from the ``.npz``) -> a matplotlib figure or Markdown.

Each artifact registers one of these (or its own) with
:func:`practicas.registry.artifact`; they read only what the JSON holds, so
``python -m practicas plot OUT/ID.json`` redraws any figure without training.
Every practical draws a training curve, a confusion matrix or a table the same way.
"""

from __future__ import annotations

import numpy as np

from practicas import plots


def render_history(data: dict):
    subtitle = f"test accuracy {data['metrics']['test_accuracy']:.4f}"
    return plots.plot_history(
        data["history"],
        title=f"{data['title']} — {data['dataset']}, {subtitle}",
        show_from_epoch=data.get("show_from_epoch"),
        stopped_epoch=data.get("stopped_epoch") or None,
        phase_boundary=data.get("phase_boundary"),
    )


def render_histories(data: dict):
    return plots.plot_histories(
        {run["label"]: run["history"] for run in data["runs"]}, title=f"{data['title']} — {data['dataset']}"
    )


def render_confusion(data: dict):
    return plots.plot_confusion_matrix(
        np.asarray(data["confusion"]), data["class_names"], title=f"{data['model']} ({data['dataset']})"
    )


def render_confused(data: dict):
    images = dict(zip(data["image_indices"], data["_images"]))  # test-set index -> image
    return plots.plot_confused_examples(
        images, data["pairs"], data["class_names"], title=f"{data['model']}: most-confused pairs ({data['dataset']})"
    )


def render_tsne(data: dict):
    panels = [
        {
            "embedding": np.asarray(p["embedding"]),
            "labels": np.asarray(data["labels"]),
            "title": p["title"],
            "errors": p.get("errors", data.get("errors")),
            "boundary": p.get("boundary"),
        }
        for p in data["panels"]
    ]
    return plots.plot_embeddings(panels, data["class_names"], title=f"t-SNE — {data['model']} ({data['dataset']})")


def render_layer_table(data: dict):
    return plots.parameter_summary_markdown(data["layers"], data["params"], title=data["title"])


def render_markdown_table(data: dict):
    return (
        f"### {data['title']}\n\n"
        + plots.markdown_table(data["header"], data["rows"])
        + (f"\n\n{data['note']}" if data.get("note") else "")
    )
