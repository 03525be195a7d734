"""The three notebooks as a student runs them first (quick), and in full mode without data.

Each notebook executes top to bottom (nbclient, as nbmake does) into its own folder, as if it were the only one
run; then, in the same kernel, its sections run again in reverse order, and every JSON must say what it said the
first time (conftest's ``quick_notebooks``: run once per test run, its files read by the quick artifacts' tests too);
then the same notebook in full mode with no data must run to the end, each experiment saying what is missing and
falling back to its quick stand-in (resuming the quick run's state, so that part checks the fallback path, not
the training again).
The CLI runs the notebooks' own cells (practicas.notebooks), so their numbers are the CLI's by construction.
scripts/test.sh sets PRACTICAS_TEST_NOTEBOOKS_OUT: the notebooks' files stay there, one folder per notebook
(a developer's own PRACTICAS_OUT is never written by the tests).
"""

import pytest
from conftest import REPO, quick_group

from practicas import notebooks, registry, testing

# What full mode with no data names first in each notebook.
FIRST_MISSING = {
    "basenet": "dataset 'mnist' is not on disk",
    "transfer": "dataset 'monkeys' is not on disk",
    "gradient_ascent": "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
}


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.fashion
@pytest.mark.parametrize("practical", [pytest.param(p, marks=quick_group(p)) for p in registry.PRACTICALS])
def test_quick_notebook_runs_and_each_section_reruns_alone(practical, quick_notebooks):
    run = quick_notebooks(practical)  # top to bottom, then its sections in reverse order, in one kernel
    assert sorted(run.first_run) == sorted(a.id for a in registry.all_artifacts() if a.practical == practical)
    # Every section stands alone, and a cell rerun gives what it gave the first time (trained state resumes).
    for artifact_id, numbers in run.first_run.items():
        assert run.after_rerun[artifact_id] == numbers, artifact_id


@pytest.mark.fashion
@pytest.mark.parametrize("practical", [pytest.param(p, marks=quick_group(p)) for p in registry.PRACTICALS])
def test_full_notebook_without_data_says_so_and_goes_on(practical, quick_notebooks, tmp_path):
    notebook = REPO / registry.NOTEBOOKS[practical]
    without_data = tmp_path / "full-without-data"
    without_data.mkdir()
    # The quick run's state: this checks the fallback path, not the training again.
    (without_data / ".work").symlink_to(quick_notebooks(practical).out / ".work", target_is_directory=True)
    env = {"PRACTICAS_QUICK": "0", "PRACTICAS_DATA": tmp_path / "empty", "PRACTICAS_OUT": without_data}
    env.update(PRACTICAS_OFFLINE="1", KERAS_HOME=tmp_path / "keras")
    nb = testing.execute_notebook(notebook, env, timeout=900)
    text = "".join(o.get("text", "") for o in _outputs(nb))
    assert FIRST_MISSING[practical] in text and "quick stand-in instead" in text, text[-3000:]
    assert not any(o.get("output_type") == "error" for o in _outputs(nb))
    sections = notebooks.sections(practical)  # the experiments (not the exercises' heading)
    assert text.count("quick stand-in instead") >= len(sections), text[-3000:]  # each experiment says so
