"""Plumbing every practical's artifact producers share: quick-mode epochs, shared runs, summaries, renderers.

A producer returns a dict of numbers (history, metrics, parameters); the
renderers here turn the common shapes of those dicts into figures or
Markdown, so every practical draws a training curve or a table the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from practicas import evaluation, plots, runmode

QUICK_EPOCHS = 3
_CACHE: dict = {}


def epochs_for(full: int, quick: bool, quick_epochs: int = QUICK_EPOCHS) -> int:
    """The report's epoch count, or at most ``quick_epochs`` in quick mode.

    Example:
        >>> epochs_for(50, quick=True)
        3
    """
    return min(full, quick_epochs) if quick else full


def shared_workdir(workdir: Path, name: str) -> Path:
    """Workdir of an experiment shared by several artifact IDs (same quick/seed suffix)."""
    return Path(workdir).parent / re.sub(r"^r\d{3}-[A-Z0-9]+", name, Path(workdir).name)


def cached(key, compute):
    """``compute()`` once per process and key: one training run feeds several artifacts (curves, confusion, t-SNE).

    The key also holds the run's mode (smoke or not, data root), and the
    settings that ``compute`` recorded are recorded again for each artifact
    that reuses its result, so every JSON says what its numbers came from.
    """
    context = runmode.current()
    key = (key, context.smoke, str(context.data_root))
    if key not in _CACHE:
        before = runmode.snapshot()
        result = compute()
        _CACHE[key] = (result, runmode.recorded_since(before))
    result, recorded = _CACHE[key]
    runmode.replay(recorded)
    return result


def run_summary(result: dict, model_name: str) -> dict:
    """The JSON-ready numbers of a training run: history, best epoch, test metrics, parameters."""
    history = evaluation.history_dict(result["history"])
    epoch, value = evaluation.best_epoch(history)
    metrics = {k: v for k, v in result["metrics"].items() if k != "per_class"}
    return {
        "model": model_name,
        "history": history,
        "best_epoch": epoch,
        "metrics": {**metrics, "test_accuracy": metrics["accuracy"], "best_val_accuracy": value},
        "params": evaluation.parameter_counts(result["model"]),
        "stopped_epoch": result.get("stopped_epoch", 0),
    }


def render_history(data: dict):
    subtitle = f"test accuracy {data['metrics']['test_accuracy']:.4f}"
    return plots.plot_history(
        data["history"], title=f"{data['title']} — {data['dataset']}, {subtitle}",
        show_from_epoch=data.get("show_from_epoch"), stopped_epoch=data.get("stopped_epoch") or None, phase_boundary=data.get("phase_boundary"),
    )


def render_histories(data: dict):
    return plots.plot_histories({run["label"]: run["history"] for run in data["runs"]}, title=f"{data['title']} — {data['dataset']}")


def render_confusion(data: dict):
    return plots.plot_confusion_matrix(np.asarray(data["confusion"]), data["class_names"], title=f"{data['model']} ({data['dataset']})")


def render_confused(data: dict):
    images = dict(zip(data["image_indices"], data["_images"]))  # test-set index -> image
    return plots.plot_confused_examples(images, data["pairs"], data["class_names"],
                                        title=f"{data['model']}: most-confused pairs ({data['dataset']})")


def render_tsne(data: dict):
    panels = [{"embedding": np.asarray(p["embedding"]), "labels": np.asarray(data["labels"]), "title": p["title"],
               "errors": p.get("errors", data.get("errors")), "boundary": p.get("boundary")} for p in data["panels"]]
    return plots.plot_embeddings(panels, data["class_names"], title=f"t-SNE — {data['model']} ({data['dataset']})")


def render_layer_table(data: dict):
    return plots.parameter_summary_markdown(data["layers"], data["params"], title=data["title"])


def render_markdown_table(data: dict):
    return f"### {data['title']}\n\n" + plots.markdown_table(data["header"], data["rows"]) + (f"\n\n{data['note']}" if data.get("note") else "")


def layer_table_data(model, **extra) -> dict:
    """What a parameter-table artifact returns: the counts and the layer rows of ``model``, plus ``extra``.

    Example:
        >>> layer_table_data(simple_cnn(), note="report: 813,802")["params"]["total"]  # doctest: +SKIP
        813802
    """
    layers = evaluation.layer_table(model)
    return {"params": evaluation.parameter_counts(model), "layers": layers, "layer_rows": len(layers), **extra}
