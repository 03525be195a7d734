"""Practical 1's one helper beside its notebook: r004's Vanilla CNN table.

The experiments themselves are written once, in notebook 01's cells
(``practicas/lessons/01_basenet.py``), which the CLI runs.
"""

from __future__ import annotations

from practicas.evaluation import run_summary
from practicas.results import Table

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
