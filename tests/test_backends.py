"""Keras 3's other backends: what runs on PyTorch without TensorFlow, and what says it needs TensorFlow.

Each check runs in a subprocess under ``KERAS_BACKEND=torch`` (the backend is
fixed when Keras is imported). scripts/test.sh also reruns the builder,
pipeline, training, evaluation and gradient-ascent tests under PyTorch.
"""

import json
import os
import subprocess
import sys

import numpy as np

NO_TENSORFLOW = """
import sys
import practicas.gradient_ascent, practicas.training, practicas.evaluation, practicas.experiments
import practicas.pipelines, practicas.basenet.models, practicas.transfer.models
assert "tensorflow" not in sys.modules, "TensorFlow was imported"
from practicas import pipelines
from practicas.errors import BackendError
try:
    pipelines.image_data_generator()
except BackendError as error:
    print("REFUSED", error)
"""


def _torch(args, **kwargs):
    env = {**os.environ, "KERAS_BACKEND": "torch", "PRACTICAS_OFFLINE": "1"}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, **kwargs)


def test_library_imports_without_tensorflow_and_tensorflow_only_parts_say_so(torch):
    done = _torch(["-c", NO_TENSORFLOW])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED ImageDataGenerator (r001's pipelines) needs TensorFlow, and Keras runs on 'torch'" in done.stdout
    assert "KERAS_BACKEND=tensorflow" in done.stdout


def test_cli_writes_r003_f11_on_pytorch(torch, tmp_path):
    done = _torch(["-m", "practicas", "run", "r003-F11", "--quick", "--quiet", "--out", str(tmp_path)])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    saved = json.loads((tmp_path / "r003-F11.json").read_text())
    assert saved["backend"] == "torch"
    confidence = np.array(saved["metrics"]["target_confidence"])
    assert confidence.shape == (10,) and np.sum(confidence >= 0.9) >= 9, confidence
    assert (tmp_path / "r003-F11.png").stat().st_size > 10_000
