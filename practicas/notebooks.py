"""Write the practicals' notebooks from the registry: one markdown line and one call per artifact.

    python -m practicas notebooks        # rewrites notebooks/*.ipynb

A test checks that the committed notebooks equal what this module writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from practicas import registry

INTRO = {
    "basenet": "Practical 1: CNNs trained from scratch (r000 sections 1-2, r001 exercises 1-2 and bonus, r002, r004 Vanilla CNN).",
    "transfer": "Practical 2: transfer learning (r000 section 3, r001 exercise 3, r003 exercise 3, r004).",
    "gradient_ascent": "Practical 3: gradient-ascent visualization of what a network has learned (r003 exercise 4).",
}

SETUP = """# In Colab, install practicas first (edit the URL if you use a fork).
import sys
if "google.colab" in sys.modules:
    %pip install -q "practicas @ git+https://github.com/practicas-course/practicas"

import practicas
from practicas import training

QUICK = True   # True: offline stand-in data, minutes on a CPU. False: the report's data and settings (use a GPU).
SEED = 0
OUT = "out"    # each artifact writes OUT/ID.png or OUT/ID.md and OUT/ID.json
print("GPU available:", training.gpu_available())"""


def _cell(kind: str, text: str, cell_id: str) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": text.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(practical: str) -> dict:
    """The notebook of one practical, as nbformat-4 JSON (a dict)."""
    cells = [
        _cell(
            "markdown",
            f"# practicas — {INTRO[practical]}\n\nEach section reproduces one artifact of the reports; "
            "its ID is listed in the README's figure index.",
            "intro",
        ),
        _cell("code", SETUP, "setup"),
    ]
    for a in registry.all_artifacts():
        if a.practical == practical and a.implemented:
            cells.append(_cell("markdown", f"### {a.id}: {a.title}", f"{a.id}-title"))
            cells.append(_cell("code", f'practicas.run("{a.id}", quick=QUICK, seed=SEED, out=OUT);', a.id))
    return {
        "cells": cells,
        "metadata": {
            "accelerator": "GPU",
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(practical: str) -> str:
    return json.dumps(notebook(practical), indent=1, ensure_ascii=False) + "\n"


def write_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """Write one notebook per practical that has implemented artifacts.

    Example:
        >>> write_notebooks("notebooks")  # doctest: +SKIP
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for practical in registry.PRACTICALS:
        if any(a.implemented for a in registry.all_artifacts() if a.practical == practical):
            path = folder / Path(registry.NOTEBOOKS[practical]).name
            path.write_text(notebook_text(practical), encoding="utf-8")
            written.append(path)
    return written
