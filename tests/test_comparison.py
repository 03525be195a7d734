"""The reports' numbers beside ours: tolerances, verdicts, seeds and assumed settings (practicas.comparison)."""

import json
import os

import pytest
from conftest import REPO

from practicas import comparison, registry, runmode
from practicas.comparison import compare, compare_markdown, report_numbers, summary_line
from practicas.results import Table


def write_run(folder, artifact_id, seed=0, mode="full", mtime=None, **numbers):
    """A synthetic artifact JSON, as registry.save writes it, with only the numbers a test needs."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"id": artifact_id, "seed": seed, "quick": mode == "quick", "smoke": mode == "smoke", **numbers}
    path = folder / f"{artifact_id}.json"
    path.write_text(json.dumps(data))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def rows_of(rows, artifact_id):
    return [row for row in rows if row["id"] == artifact_id]


def test_every_report_number_has_a_band_and_a_reason():
    numbers = report_numbers()
    assert len(numbers) >= 70
    for n in numbers:
        assert n.tolerance.band >= 0 and n.tolerance.reason.endswith("."), n
        assert "\n" not in n.tolerance.reason
    # Counts that the architecture or the report's data fix are exact; the one exception is a garbled figure.
    counts = [n for n in numbers if n.ours.startswith(("params.", "sizes.")) or n.ours == "layer_rows"]
    assert {(n.artifact_id, n.ours) for n in counts if n.tolerance.band != 0} == {("r004-VCNN", "params.trainable")}
    # PyTorch reports get wider from-scratch bands than Keras ones.
    assert comparison.report_value("r001-F1", "metrics.test_accuracy") == 0.4416
    scratch = {n.artifact_id: n.tolerance.band for n in numbers if n.ours == "metrics.best_val_accuracy"}
    assert scratch["r000-T5"] == 0.025 and report_numbers("r001-F1")[0].tolerance.band == 0.015


def test_an_unknown_tolerance_rule_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="from scratch"):
        comparison.tolerance("roughly", "r001")


def test_every_assumption_is_one_line_and_names_numbers_its_artifact_has():
    found = comparison.assumptions()
    assert len({a.artifact_id for a in found}) >= 40
    for a in found:
        assert a.setting and a.value not in (None, "") and a.reason, a
        assert "\n" not in a.reason and len(a.reason) <= 200, a
        if a.affects is not None:
            assert set(a.affects) <= {n.ours for n in report_numbers(a.artifact_id)}, a
    # The cases issue 23 names, each with the value the code uses.
    values = {(a.artifact_id, a.setting): a.value for a in found}
    assert values[("r001-F19", "epochs")] == values[("r001-F23", "epochs")] == 20
    assert values[("r001-F25", "batch size")] == 32
    assert values[("r004-VCNN", "epochs")] == values[("r004-T1", "epochs")] == 10
    assert "20 epochs" in values[("r000-T6", "schedule")]
    assert "zoom 0.1" in values[("r003-F1", "augmentation")]
    assert "2,500 training" in values[("r003-F1", "data split")]
    assert (
        values[("r003-F3", "epochs of the EMNIST net")] == 10
        and values[("r003-F4", "epochs of the 1,000-digit runs")] == 30
    )


def test_compare_marks_the_rows_an_assumption_can_move(tmp_path):
    rows = compare(tmp_path)
    assumed = {(row["id"], row["quantity"]): row["assumed"] for row in rows}
    assert assumed[("r001-F25", "test accuracy")] == ["train/test split", "batch size", "BatchNorm while fine-tuning"]
    assert assumed[("r000-T2", "trainable parameters")] == []  # no training, nothing assumed
    assert assumed[("r003-T1", "total parameters")] == []
    # An assumption moves only the numbers it names: the Vanilla CNN's layers its count, its epochs not.
    assert assumed[("r004-VCNN", "parameters (about: the report's figure is garbled)")] == ["Vanilla CNN layers"]
    assert "epochs" in assumed[("r004-VCNN", "accuracy")]
    assert assumed[("r000-T6", "validation accuracy, features + SVM")] == ["backbone", "SVM"]
    assert assumed[("r004-P", "trainable parameters with head, ResNet34")] == ["ResNet34 and EfficientNetB0 heads"]
    assert assumed[("r004-P", "trainable parameters with head, AlexNet")] == []


def test_full_rows_are_within_or_outside_their_band_and_the_rest_not_comparable(tmp_path):
    write_run(tmp_path, "r000-T2", params={"trainable": 813802})  # exact, and equal
    write_run(tmp_path, "r003-T1", params={"total": 3229889, "trainable": 1025, "non_trainable": 3228860})
    write_run(tmp_path, "r001-F1", metrics={"test_accuracy": 0.4416 + 0.0149})  # just inside +-1.5 pp
    write_run(tmp_path, "r001-F3", metrics={"test_accuracy": 0.4512 - 0.0151})  # just outside
    write_run(tmp_path, "r001-F5", mode="quick", metrics={"test_accuracy": 0.4428})  # stand-in data: no verdict
    write_run(tmp_path, "r001-F9", mode="smoke", metrics={"test_accuracy": 0.5012})
    write_run(tmp_path, "r001-F11", metrics={})  # a full run without the number (missing weights, say)
    rows = compare(tmp_path)
    verdicts = {(row["id"], row["quantity"]): row["verdict"] for row in rows}
    assert verdicts[("r000-T2", "trainable parameters")] == "within"
    assert [verdicts[("r003-T1", f"{kind} parameters")] for kind in ("total", "trainable", "non-trainable")] == [
        "within",
        "within",
        "outside",  # off by four: exact means exact
    ]
    assert verdicts[("r001-F1", "test accuracy")] == "within"
    assert verdicts[("r001-F3", "test accuracy")] == "outside"
    assert verdicts[("r001-F5", "test accuracy")] == "not comparable"
    assert verdicts[("r001-F9", "test accuracy")] == "not comparable"
    assert verdicts[("r001-F11", "test accuracy")] == "not comparable"
    assert verdicts[("r000-T3", "best epoch")] == "not comparable"  # not run
    assert summary_line(rows) == f"4 within, 2 outside, {len(rows) - 6} not comparable"

    table = compare_markdown(tmp_path)
    assert "| r000-T2 | trainable parameters | 813,802 | 813,802 | +0 | full | exact | within | - |" in table
    assert "| r001-F3 | test accuracy | 45.12% | 43.61% | -1.51 pp | full | ±1.5 pp | outside | input scale |" in table
    assert "| quick: stand-in data, not comparable | ±1.5 pp | not comparable |" in table
    assert f"\n\n4 within, 2 outside, {len(rows) - 6} not comparable\n" in table
    assert "- ±2.5 pp (r000-T5): Trained from scratch, and the report used PyTorch" in table


def test_seeds_give_a_mean_and_sd_and_the_verdict_is_the_means(tmp_path):
    # Each seed alone is outside r001-F11's +-1.5 pp (49.96 %); their mean is inside.
    for seed, accuracy in ((0, 0.47), (1, 0.53), (2, 0.50)):
        write_run(tmp_path / f"seed-{seed}", "r001-F11", seed=seed, metrics={"test_accuracy": accuracy})
    (row,) = rows_of(compare(tmp_path), "r001-F11")
    assert row["seeds"] == [0, 1, 2] and row["ours"] == pytest.approx(0.50)
    assert row["sd"] == pytest.approx(0.03) and row["verdict"] == "within"
    assert "| r001-F11 | test accuracy | 49.96% | 50.00% ± 3.00 pp (3 seeds) | +0.04 pp | full |" in compare_markdown(
        tmp_path
    )


def test_one_run_per_seed_the_newest_and_full_runs_before_stand_ins(tmp_path):
    # OUT/ID.json and OUT/seed-0/ID.json are both seed 0: the newer counts once.
    write_run(tmp_path, "r001-F13", seed=0, metrics={"test_accuracy": 0.40}, mtime=1_000)
    write_run(tmp_path / "seed-0", "r001-F13", seed=0, metrics={"test_accuracy": 0.55}, mtime=2_000)
    write_run(tmp_path / "seed-1", "r001-F13", seed=1, metrics={"test_accuracy": 0.56})
    write_run(tmp_path / "seed-2", "r001-F13", seed=2, mode="quick", metrics={"test_accuracy": 0.10})
    (row,) = rows_of(compare(tmp_path), "r001-F13")
    assert row["seeds"] == [0, 1] and row["ours"] == pytest.approx(0.555) and row["mode"] == "full"
    # Only quick runs: they are what there is, and not comparable.
    write_run(tmp_path / "seed-3", "r001-F15", seed=3, mode="quick", metrics={"test_accuracy": 0.5})
    (row,) = rows_of(compare(tmp_path), "r001-F15")
    assert row["seeds"] == [3] and row["sd"] is None and row["verdict"] == "not comparable"


def test_a_full_runs_json_carries_band_and_verdict_and_its_assumed_settings(tmp_path):
    entry = comparison.report_entries("r001-F3", {"metrics": {"test_accuracy": 0.46}})[0]
    assert entry["band"] == 0.015 and entry["verdict"] == "within" and entry["tolerance"].startswith("Trained from")
    table = Table(header=["Backbone"], rows=[["ResNet34"]])
    saved = registry.save("r004-P", table, runmode.RunContext(quick=True), out=tmp_path)
    written = json.loads((tmp_path / "r004-P.json").read_text())
    assert written["settings"]["assumed"] == saved["settings"]["assumed"]
    (heads,) = written["settings"]["assumed"]
    assert heads["setting"] == "ResNet34 and EfficientNetB0 heads" and heads["reason"]
    saved = registry.save("r000-T1", Table(header=["a"], rows=[[1]]), runmode.RunContext(quick=True), out=tmp_path)
    assert saved["settings"]["assumed"] == []  # the report gives everything this artifact uses


def test_readme_assumptions_table_is_generated_from_the_catalogue():
    readme = (REPO / "README.md").read_text()
    assert comparison.assumptions_markdown() in readme, "regenerate it: python -m practicas index --readme README.md"
