import json
import os
from pathlib import Path

# Tests never touch the network: loaders must find local data or fail clearly.
os.environ["PRACTICAS_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from practicas.datasets import SYSTEM_FASHION_MNIST  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIGURES_MD = REPO.parent / "shared" / "FIGURES.md"


def pytest_collection_modifyitems(config, items):
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        skip = pytest.mark.skip(
            reason=f"TensorFlow-only (ImageDataGenerator, tf.data, tf.distribute); Keras is on {backend}"
        )
        for item in items:
            if "tensorflow_only" in item.keywords:
                item.add_marker(skip)
    if not (SYSTEM_FASHION_MNIST / "train-images-idx3-ubyte.gz").exists():
        if os.environ.get("CI"):
            raise pytest.UsageError(
                "CI needs `apt-get install -y dataset-fashion-mnist` (real offline data for the tests)"
            )
        skip = pytest.mark.skip(reason="needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
        for item in items:
            if "fashion" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def quick_cli(tmp_path_factory):
    """``quick_cli(ID)``: the saved JSON of ID's quick run through the CLI's path (``registry.run``), run once per test
    process whichever test asks first; ``quick_cli.out`` is its folder."""
    from practicas import registry

    out = tmp_path_factory.mktemp("quick-cli")

    def saved(artifact_id: str) -> dict:
        if not (out / f"{artifact_id}.json").exists():
            registry.run(artifact_id, quick=True, out=out, progress=False)
        return json.loads((out / f"{artifact_id}.json").read_text())

    saved.out = out
    return saved


@pytest.fixture(scope="session")
def fashion():
    from practicas.datasets import load_fashion_mnist

    return load_fashion_mnist()


@pytest.fixture(scope="session")
def torch():
    """PyTorch (the CPU build is enough), for the torchvision-weights tests: skipped without it, an error in CI."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI needs PyTorch: pip install torch==2.13.0 (.ci/run installs it)")
        pytest.skip("needs PyTorch (pip install torch)")
    return torch
