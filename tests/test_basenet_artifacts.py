"""Every Practical 1 artifact runs offline in quick mode and writes its PNG or table and its JSON.

The files are notebook 01's quick run (conftest's ``quick_notebooks``, shared with tests/test_notebooks.py): the
CLI runs the same cells (``python -m practicas run ID`` executes ID's section), so they are the CLI's files too.
"""

import numpy as np
import pytest
from conftest import quick_group

from practicas import registry
from practicas.evaluation import most_confused_pairs

BASENET_IDS = [a.id for a in registry.all_artifacts() if a.practical == "basenet"]
PNG = b"\x89PNG\r\n\x1a\n"
pytestmark = quick_group("basenet")


@pytest.fixture
def quick(quick_notebooks):
    """``quick(ID)``: the saved JSON of ID in notebook 01's quick run; ``quick.out`` is its folder."""
    return quick_notebooks("basenet")


@pytest.mark.fashion
@pytest.mark.parametrize("artifact_id", BASENET_IDS)
def test_quick_artifact_writes_its_files(artifact_id, quick):
    entry, out = registry.get(artifact_id), quick.out
    saved = quick(artifact_id)
    assert saved["id"] == artifact_id and saved["quick"] is True
    # Drawn again from the JSON and .npz alone (`python -m practicas plot`), the file is the same to the byte.
    redrawn = registry.redraw(out / f"{artifact_id}.json", out=out / "redrawn")
    assert redrawn.read_bytes() == (out / entry.output_file).read_bytes()
    if entry.kind == "figure":
        assert (out / f"{artifact_id}.png").read_bytes()[:8] == PNG
    else:
        table = (out / f"{artifact_id}.md").read_text()
        assert table.count("|") >= 6
    if "history" in saved:
        history = saved["history"]
        assert set(history) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
        assert 1 <= saved["best_epoch"] <= len(history["loss"])
        assert saved["params"]["total"] > 0 and 0 <= saved["metrics"]["test_accuracy"] <= 1
    for run in saved.get("runs", []):
        assert len(run["history"]["loss"]) >= 1


@pytest.mark.fashion
def test_simple_cnn_figures_share_one_set_of_predictions(quick):
    confusion, grid, tsne = quick("r000-F3"), quick("r000-F4"), quick("r000-F5")
    matrix = np.asarray(confusion["confusion"])
    assert matrix.sum() == 1000  # the quick validation set
    assert [{k: p[k] for k in ("true", "predicted", "count")} for p in grid["pairs"]] == most_confused_pairs(
        matrix, k=4
    )
    # Quick t-SNE embeds all 1000 validation images: its misclassified points are the confusion matrix's errors.
    assert len(tsne["indices"]) == 1000 and len(tsne["errors"]) == confusion["metrics"]["errors"]
    assert [len(p["embedding"]) for p in tsne["panels"]] == [1000, 1000]


@pytest.mark.fashion
def test_simple_cnn_learns_and_continues_to_twice_the_epochs(quick):
    first, continued = quick("r000-F1"), quick("r000-F2")
    n = len(first["history"]["loss"])
    assert first["metrics"]["test_accuracy"] > 0.7  # 10 classes: chance is 0.1
    assert first["history"]["loss"][-1] < first["history"]["loss"][0]
    assert len(continued["history"]["loss"]) == 2 * n and continued["history"]["loss"][:n] == first["history"]["loss"]
    assert continued["show_from_epoch"] == n + 1


@pytest.mark.fashion
def test_parameter_tables_hold_the_report_counts(quick):
    for artifact_id, total in (("r000-T2", 813802), ("r000-T4", 6199498), ("r001-T1", 24197), ("r002-T1", 1069509)):
        assert quick(artifact_id)["params"]["total"] == total
