"""The three notebooks as a student runs them first (quick), and in full mode without data.

Each notebook executes top to bottom (nbclient, as nbmake does) into its own folder, as if it were the only one
run; then, in the same kernel, switched to full mode with no datasets and no ImageNet weights, its set-up cells and
then its sections run again, last section first (conftest's ``quick_notebooks``: run once per test run, its files
read by the quick artifacts' tests too). That second pass must run to the end, each experiment saying what is
missing and falling back to its quick stand-in, which resumes the first pass's training: every JSON must say what
it said the first time (each section stands alone; a rerun gives what the first run gave).
The CLI runs the notebooks' own cells (practicas.notebooks), so their numbers are the CLI's by construction.
scripts/test.sh sets PRACTICAS_TEST_NOTEBOOKS_OUT: the notebooks' files stay there, one folder per notebook
(a developer's own PRACTICAS_OUT is never written by the tests).
"""

import pytest
from conftest import quick_group

from practicas import notebooks, registry

# What full mode with no data names first in each notebook.
FIRST_MISSING = {
    "basenet": "dataset 'mnist' is not on disk",
    "transfer": "dataset 'monkeys' is not on disk",
    "gradient_ascent": "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
}


@pytest.mark.fashion
@pytest.mark.parametrize("practical", [pytest.param(p, marks=quick_group(p)) for p in registry.PRACTICALS])
def test_quick_notebook_runs_and_each_section_reruns_alone(practical, quick_notebooks):
    run = quick_notebooks(practical)  # top to bottom, then without data its sections in reverse order, one kernel
    assert sorted(run.first_run) == sorted(a.id for a in registry.all_artifacts() if a.practical == practical)
    # Every section stands alone, and a cell rerun gives what it gave the first time (trained state resumes).
    for artifact_id, numbers in run.first_run.items():
        rerun = run.after_rerun[artifact_id]
        if not rerun["quick"]:  # made in full mode: it needs no data (a network's summary), so it is the report's own
            assert not {"datasets", "fits"} & set(rerun["settings"]), (artifact_id, rerun["settings"])
            rerun, numbers = _without_mode(rerun), _without_mode(numbers)
        assert rerun == numbers, artifact_id


def _without_mode(numbers: dict) -> dict:
    """An artifact's numbers without what says its mode: the quick flags, and the verdicts a full run adds."""
    numbers = {**numbers, "settings": {k: v for k, v in numbers["settings"].items() if k != "quick"}}
    numbers["report"] = [
        {k: row[k] for k in ("quantity", "report", "ours", "path")} for row in numbers.get("report", [])
    ]
    numbers.pop("quick")
    return numbers


@pytest.mark.fashion
@pytest.mark.parametrize("practical", [pytest.param(p, marks=quick_group(p)) for p in registry.PRACTICALS])
def test_full_notebook_without_data_says_so_and_goes_on(practical, quick_notebooks):
    text = quick_notebooks(practical).without_data_text  # the second pass: full mode, no data, no weights
    assert FIRST_MISSING[practical] in text and "quick stand-in instead" in text, text[-3000:]
    sections = notebooks.sections(practical)  # the experiments (not the exercises' heading)
    assert text.count("quick stand-in instead") >= len(sections), text[-3000:]  # each experiment says so
