import json
import os
import shutil
from pathlib import Path

# Tests never touch the network: loaders must find local data or fail clearly.
os.environ["PRACTICAS_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from practicas.datasets import SYSTEM_FASHION_MNIST  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIGURES_MD = REPO.parent / "shared" / "FIGURES.md"


# The longest chains of tests first (minutes, measured in CI), so that pytest-xdist's two workers end together: a
# notebook's quick run and the tests that read it (one worker, quick_group), and each notebook's smoke run.
LONGEST_FIRST = ("quick-transfer", "full_configuration_on_real_formats[transfer]", "quick-basenet",
                 "full_configuration_on_real_formats[basenet]", "quick-gradient_ascent", "full_configuration")  # fmt: skip


def _longest_first(item) -> int:
    group = next((mark.args[0] for mark in item.iter_markers("xdist_group")), "")
    return next((rank for rank, name in enumerate(LONGEST_FIRST) if name in (group or item.nodeid)), len(LONGEST_FIRST))


def _group_the_xdist_groups(config, items):
    """``--dist loadgroup`` sends a test to its ``xdist_group``'s worker by an ``@group`` suffix on its node id.
    pytest-xdist 3.8 writes the suffix to ``item._nodeid``, which pytest 9.2 no longer reads (the id is ``item._id``),
    so there every test went to either worker: a notebook's tests ran on both, one waiting on the other's lock for
    the notebook's whole run (11 minutes of CI for notebook 02). Where the suffix did not take, add it where pytest
    reads it."""
    if not items or not getattr(config.option, "loadgroup", False) or not hasattr(items[0], "_id"):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted({str(mark.args[0]) for mark in item.iter_markers("xdist_group") if mark.args})
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own suffix, so that a pytest-xdist that works is left alone
def pytest_collection_modifyitems(config, items):
    items.sort(key=_longest_first)  # stable: the other tests keep their order
    _group_the_xdist_groups(config, items)
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


class QuickNotebook:
    """One notebook executed top to bottom in quick mode, as a student runs it first: ``out`` (its files) and
    ``text`` (what its cells printed)."""

    def __init__(self, out: Path, record: dict):
        self.out, self.text = out, record["text"]

    def __call__(self, artifact_id: str) -> dict:
        """The saved JSON of ``artifact_id``."""
        return json.loads((self.out / f"{artifact_id}.json").read_text())


def quick_group(practical: str):
    """The mark that sends the tests reading ``practical``'s quick notebook to one pytest-xdist worker (``--dist
    loadgroup``), so that the notebook runs once and no worker waits for another's."""
    return pytest.mark.xdist_group(f"quick-{practical}")


@pytest.fixture(scope="session")
def quick_notebooks(tmp_path_factory, testrun_uid):
    """``quick_notebooks(practical)``: a :class:`QuickNotebook`, executed once per test run whichever test asks
    first. Its tests share it (the trained state, the files): the quick artifacts' checks read its files instead of
    training the same networks again. A lock makes a second worker that asks wait for the first one's run."""
    import fcntl

    from practicas import registry, testing

    shared = os.environ.get("PRACTICAS_TEST_NOTEBOOKS_OUT")  # scripts/test.sh keeps the files there
    root = Path(shared) if shared else tmp_path_factory.getbasetemp()
    if not shared and os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker of this run shares
    root.mkdir(parents=True, exist_ok=True)

    def run(practical: str) -> QuickNotebook:
        notebook = REPO / registry.NOTEBOOKS[practical]
        out, record_file = root / notebook.stem, root / f"{notebook.stem}.record.json"
        with open(root / f"{notebook.stem}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            record = json.loads(record_file.read_text()) if record_file.exists() else {}
            if record.get("testrun") != testrun_uid:  # not yet run in this test run: run it now, from nothing
                shutil.rmtree(out, ignore_errors=True)
                env = {"PRACTICAS_QUICK": "1", "PRACTICAS_SMOKE": "0", "PRACTICAS_OUT": out, "PRACTICAS_OFFLINE": "1"}
                env["KERAS_HOME"] = root / "keras-without-weights"  # quick mode needs none
                try:
                    executed = testing.execute_notebook(notebook, env)
                except Exception as error:  # a cell that raised: every test of this notebook fails with its message
                    record_file.write_text(
                        json.dumps({"testrun": testrun_uid, "error": f"{type(error).__name__}: {error}"})
                    )
                    raise
                record = {"testrun": testrun_uid, "text": testing.notebook_text_output(executed)}
                record_file.write_text(json.dumps(record))
        if "error" in record:
            pytest.fail(f"the quick {notebook.name} failed in another test: {record['error'][-3000:]}")
        return QuickNotebook(out, record)

    return run


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
