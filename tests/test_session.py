"""The notebooks' set-up (practicas.session): environment overrides, missing data reported, the stand-in fallback."""

import pytest
from conftest import REPO

from practicas import notebooks, registry
from practicas.session import start


def test_the_environment_overrides_the_cell(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PRACTICAS_QUICK", "0")
    monkeypatch.setenv("PRACTICAS_SMOKE", "1")
    monkeypatch.setenv("PRACTICAS_DATA", str(tmp_path / "d"))
    monkeypatch.setenv("PRACTICAS_OUT", str(tmp_path / "o"))
    session = start(quick=True, smoke=False, data="elsewhere", out="elsewhere")
    assert (session.quick, session.smoke, session.data_root, session.out) == (
        False,
        True,
        tmp_path / "d",
        tmp_path / "o",
    )
    assert session.out.is_dir() and session.context.data_root == tmp_path / "d"  # its loaders look there first
    assert "mode: smoke" in capsys.readouterr().out


@pytest.mark.fashion
def test_full_mode_without_data_reports_and_goes_on(tmp_path, capsys):
    session = start(quick=False, data=tmp_path / "empty", out=tmp_path / "out", practical="basenet")
    printed = capsys.readouterr().out
    assert "WARNING: full mode on a CPU" in printed and "45 GPU-minutes (an estimate)" in printed
    assert session.run("r000-F1") is None  # MNIST is not there, and this machine is offline
    assert "[r000-F1] not produced: dataset 'mnist' is not on disk" in capsys.readouterr().out
    data, label = session.data("mnist")  # the notebook's own cells go on, on the stand-in
    assert "quick stand-in for MNIST" in label and session.quick and "-quick-" in session.workdir("x").name
    assert "The cells below run on the quick stand-in instead" in capsys.readouterr().out
    assert session.context.quick  # the cells' fits and loaders are handed the fallback


def test_compare_shows_the_report_numbers_of_the_experiment_in_progress(tmp_path, capsys):
    from practicas import figures
    from practicas.basenet import models

    session = start(quick=True, out=tmp_path / "out", data=tmp_path / "data")
    session.new_experiment()
    session.save("r000-T2", figures.layer_table(models.simple_cnn(), note="report: 813,802 parameters"))
    capsys.readouterr()
    session.compare()
    table = capsys.readouterr().out
    rows = [line for line in table.splitlines() if line.startswith("| r0")]
    assert rows and all(row.startswith("| r000-T2 |") for row in rows)  # only what this experiment saved
    assert "813,802" in rows[0] and "not comparable" in rows[0]  # quick: stand-in data, no verdict
    session.new_experiment()
    session.compare()
    assert not [line for line in capsys.readouterr().out.splitlines() if line.startswith("| r0")]


def test_a_rerun_with_other_settings_keeps_the_earlier_runs_files_beside_it(tmp_path, capsys):
    from practicas import figures
    from practicas.basenet import models

    session = start(quick=True, out=tmp_path / "out", data=tmp_path / "data")
    table = figures.layer_table(models.simple_cnn(), note="report: 813,802 parameters")
    fit = {"model": "simple_cnn", "batch_size": 64, "epochs": 3, "optimizer": {"name": "Adam", "learning_rate": 0.001}}
    for learning_rate in (0.001, 0.001, 0.01):  # the cell run, run again as it was, then with another rate
        session.new_experiment()
        session.context.settings["fits"] = [fit | {"optimizer": {"name": "Adam", "learning_rate": learning_rate}}]
        session.save("r000-T2", table)
    earlier = sorted((session.out / "earlier").iterdir())
    assert [p.suffix for p in earlier] == [".json", ".md"]  # one earlier run: the identical rerun replaced its files
    assert (
        "learning_rate" in (session.out / "r000-T2.json").read_text()
        and "0.01" in (session.out / "r000-T2.json").read_text()
    )
    assert "the run with other settings is kept in" in capsys.readouterr().out
    session.compare()
    shown = capsys.readouterr().out
    assert "earlier runs with other settings" in shown and "| r000-T2 | trainable parameters | 813,802 |" in shown
    assert "optimizer.learning_rate 0.001 (now 0.01)" in shown  # what the earlier run did differently
    from practicas import cli

    assert cli.main(["compare", str(session.out)]) == 0  # the CLI's compare shows the earlier run too
    assert "optimizer.learning_rate 0.001 (now 0.01)" in capsys.readouterr().out


@pytest.mark.fashion
def test_after_a_fallback_the_next_experiment_runs_in_the_mode_asked_for(tmp_path, capsys):
    session = start(quick=False, smoke=True, data=tmp_path / "empty", out=tmp_path / "out")
    session.data("mnist")  # missing: the stand-in, quick, not capped
    assert session.stand_in and session.context.quick and not session.context.smoke
    assert session.ascent_budget(16) == {"steps": 16, "size": 64}
    session.new_experiment()  # the first cell of the next written-out experiment
    assert session.context.smoke and not session.context.quick  # the smoke caps are back for the notebook's own fits
    assert session.ascent_budget(16) == {"max_steps": 2} and session.max_ascent_steps == 2


@pytest.mark.fashion
def test_an_experiment_asking_for_mixed_precision_gets_the_clis_gpu_default(tmp_path, monkeypatch):
    import keras

    from practicas import training

    monkeypatch.setattr(training, "mixed_precision_pays", lambda: True)  # as on a T4, A100 or H100
    session = start(quick=False, smoke=True, data=tmp_path / "empty", out=tmp_path / "out")
    try:
        session.new_experiment(mixed_precision=True)
        assert keras.config.dtype_policy().name == "mixed_float16"
        session.data("mnist")  # missing: the quick stand-in, which the CLI trains in float32
        assert keras.config.dtype_policy().name == "float32"
        session.new_experiment(mixed_precision=True)
        assert keras.config.dtype_policy().name == "mixed_float16"
        session.new_experiment()  # the small networks
        assert keras.config.dtype_policy().name == "float32"
    finally:
        keras.config.set_dtype_policy("float32")
    for practical in ("basenet", "transfer", "gradient_ascent"):  # the notebooks ask for it where the CLI uses it
        text = (REPO / registry.NOTEBOOKS[practical]).read_text()
        asked = text.count("session.new_experiment(mixed_precision=True)")
        sections = [s for s in notebooks.sections(practical) if notebooks.ids_in(s) & registry.MIXED_PRECISION]
        assert asked == len(sections), practical


def test_a_missing_pretrained_network_falls_back_and_the_cells_go_on(tmp_path, monkeypatch, capsys):
    from practicas.gradient_ascent.artifacts import resnet50v2

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # no ImageNet weights cached there, and offline
    session = start(quick=False, data=tmp_path / "data", out=tmp_path / "out")
    model = session.model(lambda context: resnet50v2(context.quick, seed=session.seed))
    printed = capsys.readouterr().out
    assert "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5" in printed
    assert "The cells below use the quick stand-in instead" in printed
    assert session.quick and model.name == "resnet50v2"


def _setup_cells(source: str) -> str:
    """The lesson's first two code cells (parameters, set-up), with ``PRACTICAS_SOURCE`` set to ``source``."""
    code = [c.source for c in notebooks.cells(notebooks.lesson_text("basenet")) if c.kind == "code"]
    setup = "\n".join(code[:2])
    assert setup.count('PRACTICAS_SOURCE = ""') == 1
    return setup.replace('PRACTICAS_SOURCE = ""', f"PRACTICAS_SOURCE = {source!r}")


def _fake_pip(monkeypatch) -> list:
    """Records the set-up cell's pip installs; "installing" practicas makes it importable again."""
    import subprocess

    installed = []

    def check_call(command):
        installed.append(command[command.index("-q") + 1 :])
        monkeypatch.delitem(__import__("sys").modules, "practicas", raising=False)

    monkeypatch.setattr(subprocess, "check_call", check_call)
    return installed


def test_setup_cell_without_practicas_or_a_source_says_what_to_set(monkeypatch):
    cells = _setup_cells("")
    monkeypatch.setitem(__import__("sys").modules, "practicas", None)  # as on a fresh Colab runtime
    installed = _fake_pip(monkeypatch)
    with pytest.raises(ModuleNotFoundError, match="set PRACTICAS_SOURCE above to a git URL, or the path of a wheel"):
        exec(cells, {})
    assert installed == []


def test_setup_cell_installs_from_the_source_and_fixes_colabs_protobuf(tmp_path, monkeypatch):
    import practicas
    from practicas import versions

    monkeypatch.setattr(versions, "tfds_protobuf_problem", lambda: "tensorflow-metadata 1.21.0 needs protobuf>=6.31.1")
    monkeypatch.setenv("PRACTICAS_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("PRACTICAS_DATA", str(tmp_path / "data"))
    wheel = "git+https://github.com/ORG/practicas"
    cells = _setup_cells(wheel)
    monkeypatch.setitem(__import__("sys").modules, "practicas", None)
    installed = _fake_pip(monkeypatch)
    namespace = {}
    exec(cells, namespace)
    assert installed == [[wheel], ["tensorflow-metadata<1.21"]]
    assert __import__("sys").modules["practicas"].__file__ == practicas.__file__ and namespace["session"].quick
