import json
import os
import platform
import re
import subprocess
import sys

import pytest
from conftest import FIGURES_MD, REPO, quick_group

from practicas import registry, writing
from practicas.cli import main
from practicas.errors import OutputDirError, UnknownArtifactError


def test_catalogue_lists_exactly_the_ids_of_figures_md():
    if not FIGURES_MD.exists():
        pytest.skip("../shared/FIGURES.md is not beside this checkout")
    expected = re.findall(r"^\| (r00\d-[A-Z0-9]+) \|", FIGURES_MD.read_text(), flags=re.M)
    assert [a.id for a in registry.all_artifacts()] == expected


@pytest.mark.parametrize("practical", ["basenet", "transfer", "gradient_ascent"])
def test_every_artifact_of_a_finished_practical_is_implemented(practical):
    missing = [a.id for a in registry.all_artifacts() if a.practical == practical and not a.implemented]
    assert missing == []


def test_unknown_id_names_the_closest_ids():
    with pytest.raises(UnknownArtifactError, match="r000-F9"):
        registry.get("r000-F99")


def test_cli_unknown_id_exits_2_with_suggestions(capsys):
    assert main(["run", "r001-F30", "--quick", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert "unknown artifact ID 'r001-F30'" in err and "r001-F3" in err


def test_cli_list_prints_every_id_with_status(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(registry.all_artifacts())
    assert re.match(r"r000-T2\s+basenet\s+implemented\s+Simple CNN parameter count", lines[1])


def test_cli_run_writes_table_and_json(tmp_path):
    assert main(["run", "r000-T2", "--quick", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "r000-T2.json").read_text())
    assert data["params"] == {"total": 813802, "trainable": 813802, "non_trainable": 0}
    table = (tmp_path / "r000-T2.md").read_text()
    assert "Total params: 813,802" in table and table.endswith("\n")  # files concatenate without gluing headings


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "practicas", "run", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown artifact ID 'nope'" in result.stderr


def test_readme_index_is_generated_from_the_registry():
    readme = (REPO / "README.md").read_text()
    assert registry.figure_index_markdown() in readme, "regenerate the index: python -m practicas index"


def test_unwritable_output_folder_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputDirError, match="cannot be written"):
        writing.ensure_writable_dir(blocker / "sub")
    assert main(["run", "r000-T2", "--out", str(blocker / "sub")]) == 1


def test_failed_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "a.json"
    writing.write_json(target, {"v": 1})

    class Boom:
        pass

    with pytest.raises(TypeError):
        writing.write_json(target, {"v": Boom()})
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary left behind


def test_committed_notebooks_are_written_from_their_lessons():
    from practicas import notebooks

    for practical, path in registry.NOTEBOOKS.items():
        assert (REPO / path).read_text() == notebooks.notebook_text(practical), "run: python -m practicas notebooks"


def test_the_cli_reads_a_lessons_cells_as_jupytext_does():
    import jupytext

    from practicas import notebooks

    for practical in registry.PRACTICALS:
        text = notebooks.lesson_text(practical)
        ours = [(c.kind, c.source) for c in notebooks.cells(text)]
        theirs = [(c.cell_type, c.source) for c in jupytext.reads(text, fmt="py:percent").cells]
        assert ours == theirs, practical


def test_the_three_notebooks_share_one_set_up_but_their_practical():
    from practicas import notebooks

    def setup(practical):  # the cells before the first section: parameters, install and start
        code = [c for c in notebooks.cells(notebooks.lesson_text(practical)) if c.kind == "code"][:2]
        return [c.source.replace(f'practical="{practical}"', 'practical="..."') for c in code]

    first = setup("basenet")
    assert "QUICK = True" in first[0] and "start(" in first[1]
    assert all(setup(p) == first for p in registry.PRACTICALS)  # a set-up change is made in all three


def test_each_id_is_made_in_one_place_and_run_executes_its_section(tmp_path):
    from practicas import notebooks

    made = {a.id: a for a in registry.all_artifacts()}
    in_sections = {i: s for p in registry.PRACTICALS for s in notebooks.sections(p) for i in s.saved_in}
    assert {i: a.section for i, a in made.items()} == {
        i: in_sections[i].title if i in in_sections else None for i in made
    }
    assert set(in_sections) == set(made)  # every catalogued ID is made by one notebook section
    data = registry.run("r003-F6", quick=True, out=tmp_path, progress=False)  # the section's first two cells
    assert data["id"] == "r003-F6" and data["seconds"] > 0 and (tmp_path / "r003-F6.png").is_file()
    assert not (tmp_path / "r003-F7.json").exists()  # the cells after it did not run


@pytest.mark.parametrize("preset, expected", [(None, "1"), ("0", "0")])
def test_import_turns_onednn_on_unless_the_user_chose(preset, expected):
    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("oneDNN's default is only changed on x86-64")
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if preset is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = preset
    code = "import os, practicas; print(os.environ['TF_ENABLE_ONEDNN_OPTS'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == expected


def test_json_carries_the_report_numbers_and_compare_lists_every_one(tmp_path, capsys):
    from practicas.comparison import compare, report_numbers

    data = registry.run("r000-T2", quick=True, out=tmp_path)
    assert data["report"] == [
        {"quantity": "trainable parameters", "report": 813802, "ours": 813802, "path": "params.trainable"}
    ]
    rows = compare(tmp_path)
    assert len(rows) == len(report_numbers()) >= 70  # every number FIGURES.md gives, one row each
    assert [r["mode"] for r in rows if r["id"] == "r000-T2"] == ["quick"]
    assert {r["mode"] for r in rows if r["id"] not in ("r000-T1", "r000-T2")} == {"not run"}  # T1: the cell before
    assert main(["compare", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert (
        "| r000-T2 | trainable parameters | 813,802 | 813,802 | +0 | quick: stand-in data, not comparable |" in printed
    )
    assert printed.count("\n| r0") == len(rows)


def _practicals_with_report_numbers() -> list[str]:
    from practicas.comparison import report_numbers

    return sorted({registry.get(number.artifact_id).practical for number in report_numbers()})


@pytest.mark.fashion
@pytest.mark.parametrize(
    "practical", [pytest.param(p, marks=quick_group(p)) for p in _practicals_with_report_numbers()]
)
def test_every_report_number_points_at_a_number_its_artifact_writes(practical, quick_notebooks):
    from practicas.comparison import report_numbers

    quick = quick_notebooks(practical)  # every artifact's JSON, from the notebook's quick run (the CLI's cells)
    for number in (n for n in report_numbers() if registry.get(n.artifact_id).practical == practical):
        data = quick(number.artifact_id)
        assert number.ours.split(".")[0] in data, (number.artifact_id, number.ours)
        entries = [e for e in data["report"] if e["quantity"] == number.quantity]
        assert entries and all(e["ours"] is not None for e in entries), (number.artifact_id, entries)


def test_plot_redraws_from_the_json_and_says_when_there_is_none(tmp_path, capsys):
    registry.run("r001-T1", quick=True, out=tmp_path)
    (tmp_path / "r001-T1.md").unlink()
    assert main(["plot", str(tmp_path / "r001-T1.json")]) == 0
    assert "24,197" in (tmp_path / "r001-T1.md").read_text()
    assert main(["plot", str(tmp_path / "r000-F1.json")]) == 1
    assert "run the artifact first" in capsys.readouterr().err


def test_cli_shows_one_line_per_epoch_and_no_tensorflow_start_up_lines(tmp_path, capsys):
    # TensorFlow's start-up lines come once per process: a subprocess shows whether they are silenced.
    env = {k: v for k, v in os.environ.items() if k not in ("PRACTICAS_TF_LOGS", "TF_CPP_MIN_LOG_LEVEL")}
    command = [sys.executable, "-m", "practicas", "run", "r003-F3", "--quick", "--out", str(tmp_path / "a")]
    shown = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    for chatter in ("oneDNN", "cudart_stub", "cuInit", "absl::InitializeLog"):
        assert chatter not in shown.stderr + shown.stdout
    epochs = re.findall(r"epoch (\d+)/3: .*loss \d\.\d{4}.*s/epoch, about .* left", shown.stdout)
    assert epochs == ["1", "2", "3"], shown.stdout
    # --quiet in this process (the epoch lines are print()s, which capsys sees): half the cost of a second subprocess.
    assert main(["run", "r003-F3", "--quick", "--quiet", "--out", str(tmp_path / "b")]) == 0
    quiet = capsys.readouterr().out
    assert "epoch 1/3" not in quiet and "wrote" in quiet


def test_deterministic_flag_and_precision_are_recorded(tmp_path):
    # A subprocess: op determinism is process-wide and would stay on for the other tests.
    command = [
        sys.executable,
        "-m",
        "practicas",
        "run",
        "r000-T2",
        "--quick",
        "--deterministic",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    settings = json.loads((tmp_path / "r000-T2.json").read_text())["settings"]
    assert settings["deterministic"] is True and settings["precision"] == "float32"  # a CPU: no mixed precision


def test_cli_seeds_runs_each_seed_into_its_own_folder_and_compare_shows_mean_and_sd(tmp_path, capsys):
    assert main(["run", "r000-T2", "--quick", "--seeds", "0,1", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "| r000-T2 seed 0 | ok |" in printed and "| r000-T2 seed 1 | ok |" in printed
    for seed in (0, 1):
        saved = json.loads((tmp_path / f"seed-{seed}" / "r000-T2.json").read_text())
        assert saved["seed"] == seed and (tmp_path / f"seed-{seed}" / "r000-T2.md").exists()
    assert not (tmp_path / "r000-T2.json").exists()  # seeds never overwrite OUT/ID.json
    assert main(["compare", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "| r000-T2 | trainable parameters | 813,802 | 813,802 ± 0 (2 seeds) | +0 | quick:" in printed
    assert "\n0 within, 0 outside, 74 not comparable\n" in printed


def test_cli_seeds_must_be_distinct_integers_and_exclude_seed(capsys):
    from practicas.cli import _parser

    assert _parser().parse_args(["run", "r000-T2", "--seeds", "2, 0,1"]).seeds == [2, 0, 1]
    for bad in (["--seeds", "0,x"], ["--seeds", "1,1"], ["--seeds", ","], ["--seed", "1", "--seeds", "0,1"]):
        with pytest.raises(SystemExit) as exit_:
            main(["run", "r000-T2", "--quick", *bad])
        assert exit_.value.code == 2, bad
    assert "not allowed with argument" in capsys.readouterr().err


def test_cli_assumptions_prints_the_readme_table(capsys):
    from practicas.comparison import assumptions_markdown

    assert main(["assumptions"]) == 0
    assert capsys.readouterr().out.strip() == assumptions_markdown()
