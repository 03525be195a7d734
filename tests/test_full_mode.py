"""The path a student takes (full mode: the reports' datasets, ImageNet weights and settings), run end to end.

``practicas.testing`` writes every dataset in its real on-disk format and a
weights file for every ImageNet builder; each notebook then runs top to bottom
in the full configuration with the smoke switch (``PRACTICAS_QUICK=0
PRACTICAS_SMOKE=1``: every fit capped at one epoch of two steps), the path a
student takes in Colab with ``QUICK = False``. The JSONs its cells write must
record the catalogue's settings (epochs, batch sizes, optimizers, input shapes,
weights). The CLI's ``run --smoke`` takes the same path (one artifact here).
``scripts/test.sh`` runs the notebooks' smoke runs on Colab's stack and the lower
bounds (``scripts/test_compat.sh``) when their venvs exist, and on this one otherwise.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from practicas import registry, runmode, testing
from practicas.datasets import load_dataset
from practicas.errors import DataFormatError, InvalidInputError

CATALOGUE = json.loads((Path(registry.__file__).parent / "catalogue.json").read_text())
EXPECTED = {row["id"]: row.get("settings", {}) for row in CATALOGUE}


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory):
    root = tmp_path_factory.mktemp("fixtures")
    return testing.write_fixture_data(root / "data"), root / "keras", testing.write_fixture_weights(root / "keras")


def practicas_cli(*args, data, keras_home, timeout=1200):
    env = {
        **os.environ,
        "PRACTICAS_DATA": str(data),
        "KERAS_HOME": str(keras_home),
        "PRACTICAS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    return subprocess.run(
        [sys.executable, "-m", "practicas", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _matches(expected: dict, recorded: dict) -> bool:
    return all(recorded.get(key) == value for key, value in expected.items())


def _settings_problems(artifact_id: str, saved: dict) -> list[str]:
    """How the smoke JSON of ``artifact_id`` differs from the catalogue's settings (the report's)."""
    settings, expected = saved["settings"], EXPECTED[artifact_id]
    problems = []
    if not (saved["smoke"] is True and saved["quick"] is False and settings["smoke"] is True):
        problems.append(f"{artifact_id}: not recorded as a smoke run of the full configuration")
    recorded_names = [d["name"] for d in settings.get("datasets", [])]
    problems += [
        f"{artifact_id} did not load {name}: {recorded_names}"
        for name in expected.get("datasets", [])
        if name not in recorded_names
    ]
    for section in ("fits", "weights", "ascents"):
        problems += [
            f"{artifact_id}: no {section[:-1]} with {entry}; recorded {settings.get(section)}"
            for entry in expected.get(section, [])
            if not any(_matches(entry, got) for got in settings.get(section, []))
        ]
    return problems


# Notebook 02's smoke run fits about twenty networks, most of them ImageNet backbones at 224x224 (ResNet50, MobileNet,
# AlexNet, ResNet34, EfficientNetB0), two steps each: building the TensorFlow graphs of each fit's train, validation
# and predict steps costs more than running those steps eagerly (the notebook's cells alone on this project's 2-core
# machine: 206 s eagerly, 295 s in graph mode). Notebook 01's smoke run is the same story for r001's ladder of small
# CIFAR-10 networks, one graph per rung (its cells, two runs side by side on the 2 cores: 104 s eagerly, 142 s in
# graph mode; the ladder's three cells 28 s against 69 s, though r004's Vanilla CNN at 224x224 takes 26 s eagerly
# against 11 s). So those two runs execute Keras's steps eagerly; tests/test_finetuning_and_backbones.py traces
# notebook 02's backbones' training steps in graph mode, and the quick runs of both notebooks trace their networks'
# steps, all but r004's backbones and r001-F25's ResNet50 (session.run_eagerly). Notebook 03 loses eagerly
# (gradient ascent's steps, a tf.function of the library's own, on ResNet50V2's 64 filters: 80 s in graph mode, 91 s
# eagerly, side by side) and runs as a student's would.
RUN_EAGERLY = {"transfer", "basenet"}
EAGER = """import os
if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
    import tensorflow as tf
    tf.config.run_functions_eagerly(True)  # the test harness's, not the notebook's (tests/test_full_mode.py)"""


# Under --dist loadgroup on two workers, notebook 02's smoke run (the longest, 5-6 minutes in CI) has a worker of its
# own while the other worker runs notebooks 01 and 03 (about 4 minutes together): one group each (loadgroup hands out
# the larger group first, then the rest in collection order; scripts/test_compat.sh collects these tests first).
# scripts/test.sh gives each compatibility stack one worker, the two stacks side by side: there the groups do not
# matter.
SMOKE_GROUPS = {"basenet": "smoke-01-and-03", "transfer": "smoke-02", "gradient_ascent": "smoke-01-and-03"}


@pytest.mark.parametrize(
    "practical", [pytest.param(p, marks=pytest.mark.xdist_group(SMOKE_GROUPS[p])) for p in registry.PRACTICALS]
)
def test_every_notebook_runs_in_full_configuration_on_real_formats(fixtures, practical, tmp_path):
    """One notebook in smoke mode, in a folder of its own (as if it were the first one a student opened: a section
    that uses another notebook's network trains it), then the report's settings in each JSON it wrote."""
    data, keras_home, _ = fixtures
    env = {"PRACTICAS_QUICK": "0", "PRACTICAS_SMOKE": "1", "PRACTICAS_DATA": data, "PRACTICAS_OUT": tmp_path}
    env.update(KERAS_HOME=keras_home, PRACTICAS_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3")
    notebook = Path(__file__).parents[1] / registry.NOTEBOOKS[practical]
    executed = testing.execute_notebook(notebook, env, first_code=EAGER if practical in RUN_EAGERLY else None)
    text = testing.notebook_text_output(executed)
    assert "mode: smoke" in text, practical
    # Every dataset and weights file is there: nothing falls back to the stand-in, nothing is skipped.
    for sign in ("not produced", "quick stand-in instead", "Traceback"):
        assert sign not in text, f"{practical}: {sign!r} in\n{text[-3000:]}"
    ids = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert ids == sorted(a.id for a in registry.all_artifacts() if a.practical == practical)
    problems = [
        problem
        for artifact_id in ids
        if EXPECTED[artifact_id]
        for problem in _settings_problems(artifact_id, json.loads((tmp_path / f"{artifact_id}.json").read_text()))
    ]
    assert not problems, "\n".join(problems)


def test_cli_smoke_records_split_sizes_as_loaded_and_caps_each_fit(fixtures, tmp_path):
    data, keras_home, _ = fixtures
    done = practicas_cli("run", "r002-F4", "--smoke", "--out", str(tmp_path), data=data, keras_home=keras_home)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    saved = json.loads((tmp_path / "r002-F4.json").read_text())
    assert saved["smoke"] is True  # the section loads both of r002's splits; r002-F4 trains on 800/205
    assert {"train": 800, "test": 205} in [dataset["splits"] for dataset in saved["settings"]["datasets"]]
    assert len(saved["history"]["loss"]) == 1  # 30 epochs planned, one run


def test_empty_data_folder_names_what_is_missing_without_a_traceback(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = practicas_cli(
        "run",
        "--all",
        "--smoke",
        "--out",
        str(tmp_path / "out"),
        "--data",
        str(empty),
        data=empty,
        keras_home=tmp_path / "keras",
        timeout=900,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    table = result.stdout[result.stdout.index("artifact(s) written") :]
    for needed in (
        "mnist",
        "cifar10",
        "emoji",
        "monkeys",
        "alien_vs_predator",
        "caltech_birds2010",
        "cats_vs_dogs",
        "emnist",
        "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
    ):
        assert needed in table, needed
    rows = [line for line in table.splitlines() if line.startswith("| r0")]
    assert len(rows) == len(registry.all_artifacts())
    assert any("| ok |" in row for row in rows)  # parameter tables need neither data nor weights


@pytest.fixture
def fixture_copy(fixtures, tmp_path):
    data, keras_home, _ = fixtures
    shutil.copytree(data, tmp_path / "data")
    return tmp_path / "data"


def test_loaders_read_every_fixture_format(fixture_copy):
    for name, options in (
        ("mnist", {}),
        ("cifar10", {}),
        ("cifar100_subset", {}),
        ("emnist_letters", {}),
        ("cats_vs_dogs", {}),
        ("caltech_birds2010", {"image_size": (64, 64)}),
        ("monkeys", {"image_size": (64, 64)}),
        ("alien_vs_predator", {"image_size": (64, 64)}),
        ("emoji", {}),
    ):
        data = load_dataset(name, data_root=fixture_copy, **options)
        assert len(data.x_train) > 0 and len(data.x_test) > 0 and data.x_train.dtype == np.uint8, name
    shutil.rmtree(fixture_copy / "mnist")  # then Keras's mnist.npz is the source
    assert load_dataset("mnist", data_root=fixture_copy).source.endswith("mnist.npz")


def test_tfds_dataset_missing_a_split_is_named(fixture_copy):
    for record in (fixture_copy / "tensorflow_datasets" / "emnist").rglob("emnist-test.tfrecord*"):
        record.unlink()
    with pytest.raises(DataFormatError, match=r"emnist/letters \(split 'test'\).*incomplete.*emnist-test\.tfrecord"):
        load_dataset("emnist_letters", data_root=fixture_copy)


def test_kaggle_folder_missing_a_class_is_named(fixture_copy):
    shutil.rmtree(fixture_copy / "10-monkey-species" / "validation" / "validation" / "n3")
    with pytest.raises(DataFormatError, match=r"validation/validation lacks the class folders \['n3'\]"):
        load_dataset("monkeys", data_root=fixture_copy, image_size=(32, 32))


def test_emoji_pickle_with_other_keys_is_named(fixture_copy):
    import pickle

    path = fixture_copy / "emoji" / "emoji.pkl"
    path.write_bytes(pickle.dumps({"pixels": np.zeros((3, 32, 32, 3), np.uint8), "classes": np.zeros(3)}))
    with pytest.raises(DataFormatError, match=r"emoji\.pkl has keys \['classes', 'pixels'\]"):
        load_dataset("emoji", data_root=fixture_copy)


def test_imagenet_file_of_another_architecture_is_named(fixtures, tmp_path, monkeypatch):
    _, keras_home, _ = fixtures
    shutil.copytree(keras_home, tmp_path / "keras")
    models_dir = tmp_path / "keras" / "models"
    shutil.copy(models_dir / "efficientnetb0_notop.h5", models_dir / "mobilenet_1_0_128_tf_no_top.h5")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    from practicas.transfer import models

    with pytest.raises(InvalidInputError, match=r"mobilenet_1_0_128_tf_no_top\.h5 does not fit"):
        models.mobilenet_cats_vs_dogs()


def test_run_all_goes_on_past_a_missing_dataset(fixture_copy, tmp_path, capsys):
    from practicas import cli

    shutil.rmtree(fixture_copy / "emoji")
    code = cli.main(
        ["run", "r002-F1", "r002-T1", "--smoke", "--data", str(fixture_copy), "--out", str(tmp_path / "out")]
    )
    table = capsys.readouterr().out
    assert code == 1
    assert "| r002-F1 | DatasetNotFoundError |" in table and "emoji" in table
    assert "| r002-T1 | ok |" in table


def test_smoke_subset_keeps_every_class_and_records_the_full_sizes(fixture_copy):
    run = runmode.RunContext(smoke=True, data_root=fixture_copy)
    data = load_dataset("emoji", run=run)
    assert len(data.x_train) == runmode.SMOKE_SAMPLES and set(data.y_train) == set(range(5))
    assert run.settings["datasets"][0]["splits"] == {"train": 800, "test": 205}
