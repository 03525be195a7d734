"""The three notebooks as a student runs them first (quick), section by section, and in full mode without data.

Each notebook executes top to bottom (nbclient, as nbmake does) into its own folder, as if it were the only one
run (conftest's ``quick_notebooks``: run once per test run, its files read by the quick artifacts' tests too).
The CLI runs the notebooks' own cells (practicas.notebooks), so their numbers are the CLI's by construction.
scripts/test.sh sets PRACTICAS_TEST_NOTEBOOKS_OUT: the notebooks' files stay there, one folder per notebook
(a developer's own PRACTICAS_OUT is never written by the tests).

A student also jumps to one section, or reruns one, and may set ``QUICK = False`` without the data. Those are
checked without running every section a second time (a second pass of the three notebooks cost about 4 minutes of
CI): each section reads nothing but what the set-up cells define (read from its code), and every dataset the
notebooks load, missing in full mode, is reported and replaced by its quick stand-in, called as the cell calls it.
That a rerun fit resumes instead of training again is tests/test_training.py's.
"""

import ast

import nbformat
import pytest
from conftest import REPO, quick_group

from practicas import notebooks, registry, testing
from practicas.session import start


@pytest.mark.fashion
@pytest.mark.parametrize("practical", [pytest.param(p, marks=quick_group(p)) for p in registry.PRACTICALS])
def test_quick_notebook_runs_top_to_bottom_and_writes_each_of_its_artifacts(practical, quick_notebooks):
    run = quick_notebooks(practical)
    written = sorted(path.stem for path in run.out.glob("*.json"))
    assert written == sorted(a.id for a in registry.all_artifacts() if a.practical == practical)
    assert "mode: quick" in run.text and "Traceback" not in run.text


@pytest.mark.parametrize("practical", registry.PRACTICALS)
def test_each_section_needs_only_the_set_up_cells(practical):
    nb = nbformat.read(REPO / registry.NOTEBOOKS[practical], as_version=4)
    assert testing.names_sections_borrow(nb) == {}  # {heading: names it takes from another section}
    sections = [s for s in testing.notebook_sections(nb) if s]
    assert len(sections) >= 2 and all(
        testing.names_from_elsewhere("\n".join(nb.cells[i].source for i in section)) == {"session"}
        for section in sections
    )


def test_a_section_that_reads_another_sections_variable_is_named():
    cells = [
        nbformat.v4.new_code_cell("from practicas.session import start\nsession = start()\nSEED = 0"),
        nbformat.v4.new_markdown_cell("## r000: one"),
        nbformat.v4.new_code_cell("data, label = session.data('mnist')\nimport keras"),
        nbformat.v4.new_markdown_cell("## r001: two"),
        nbformat.v4.new_code_cell("model = keras.Sequential()  # keras imported in r000 only\nhistory = [SEED]"),
        nbformat.v4.new_code_cell(
            "def grid(n):\n    return [data[i] for i in range(n)]\nlabels = {x: label for x in history}"
        ),
    ]
    assert testing.names_sections_borrow(nbformat.v4.new_notebook(cells=cells)) == {
        "## r001: two": {"keras", "data", "label"}
    }


def _data_calls() -> list:
    """Every ``session.data(NAME, ...)`` in the notebooks, with the keyword arguments that are literals there."""
    calls = set()
    for practical in registry.PRACTICALS:
        for node in ast.walk(ast.parse(notebooks.lesson_text(practical))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "data"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "session"
            ):
                options = tuple((k.arg, k.value.value) for k in node.keywords if isinstance(k.value, ast.Constant))
                calls.add((node.args[0].value, options))
    return sorted(calls)


@pytest.mark.fashion
@pytest.mark.parametrize(
    "name, options",
    [pytest.param(*call, id="-".join([call[0], *(f"{k}={v}" for k, v in call[1])])) for call in _data_calls()],
)
def test_each_dataset_a_notebook_loads_falls_back_to_its_stand_in_in_full_mode_without_data(
    name, options, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    session = start(quick=False, data=tmp_path / "no-data", out=tmp_path / "out")
    session.new_experiment()
    data, label = session.data(name, **dict(options))  # what the notebook's cell does, in full mode
    printed = capsys.readouterr().out
    assert f"{name}: " in printed and "The cells below run on the quick stand-in instead" in printed, printed
    assert "stand-in" in label and session.context.quick and len(data.x_train) > 0
