"""Long work that is not a fit shows progress lines; progress=False shows none."""

import keras
import numpy as np
import pytest

from practicas import evaluation, progress
from practicas import gradient_ascent as ga
from practicas.transfer.features import KerasFeatures


def small_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
         keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, name="logits")], name="small")  # fmt: skip


def run_all(model, progress=True):
    images = np.random.default_rng(0).uniform(0, 255, (40, 16, 16, 3)).astype("float32")
    KerasFeatures(model, batch_size=8, progress=progress).fit_transform(images)
    evaluation.predict_logits(model, images, batch_size=8, progress=progress)
    ga.visualize(model, ga.filters("conv", [0, 1]), steps=3, size=16, progress=progress)


def test_long_work_prints_progress_lines_and_progress_false_silences_them(monkeypatch, capsys):
    monkeypatch.setattr(progress.Progress, "AFTER_SECONDS", 0.0)  # as if every loop were slow
    monkeypatch.setattr(progress.Progress, "EVERY_SECONDS", 0.0)
    model = small_model()
    run_all(model)
    lines = capsys.readouterr().out.splitlines()
    assert "small features: image 40/40" in "\n".join(lines)
    assert any(line.startswith("small predictions: batch 2/5") for line in lines), lines
    assert any(line.startswith("gradient ascent of 2 image(s): step 2/3, mean objective") for line in lines), lines
    assert lines[-1].startswith("gradient ascent of 2 image(s): step 3/3 (")
    run_all(model, progress=False)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("done", [0, 2])
def test_estimate_never_divides_by_zero(done, capsys):
    line = progress.Progress("x", total=2, after_seconds=0.0)
    line.update(done)
    assert capsys.readouterr().out.startswith(f"x: step {done}/2 (")
