"""The practicals' notebooks, each written once: a percent-format script in ``practicas/lessons/``.

    python -m practicas notebooks        # rewrites notebooks/*.ipynb from practicas/lessons/*.py (jupytext)
    python -m practicas run r000-F1      # runs the cells of r000-F1's section, up to the one that saves it

A lesson is a Python script in jupytext's percent format (``# %%`` starts a
cell, ``# %% [markdown]`` a text cell), as keras-io keeps its examples: ruff
formats and lints it, and ``notebooks/*.ipynb`` are written from it. Its first
cells set the notebook up (parameters, then :func:`practicas.session.start`);
then each ``## `` heading starts one experiment's section. An artifact ID that
a section's cell saves (``session.save("ID", ...)``) is produced by that
section: the CLI makes a session from its own arguments
(:func:`section_session`) and executes the section's cells, in a fresh
namespace, up to the cell that saves the ID. The code a student reads is the
code the CLI runs, in quick, smoke or full mode.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from importlib import resources
from pathlib import Path

from practicas import registry

_CELL = re.compile(r"^# %%(?P<header>.*)$")
_ID = re.compile(r"\"(r00\d-[A-Z]+\d*)\"")


@dataclasses.dataclass(frozen=True)
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    tags: tuple = ()


@dataclasses.dataclass(frozen=True)
class Section:
    """One experiment of a lesson: its ``## `` title and code cells, and the cell that saves each of its IDs."""

    practical: str
    title: str
    cells: tuple  # the section's code, one string per cell
    saved_in: dict  # artifact ID -> index in ``cells`` of the cell that saves it

    @property
    def where(self) -> str:
        return f'{registry.NOTEBOOKS[self.practical]}, section "{self.title}"'


def lesson_path(practical: str) -> str:
    """The lesson's file inside the package, e.g. ``lessons/01_basenet.py``."""
    return f"lessons/{Path(registry.NOTEBOOKS[practical]).stem}.py"


def lesson_text(practical: str) -> str:
    return resources.files("practicas").joinpath(lesson_path(practical)).read_text(encoding="utf-8")


def cells(text: str) -> list[Cell]:
    """The cells of a percent-format script (what jupytext reads; the header block is jupytext's metadata).

    Example:
        >>> [(c.kind, c.source) for c in cells("# %% [markdown]\\n# ## A title\\n\\n# %%\\nx = 1\\n")]
        [('markdown', '## A title'), ('code', 'x = 1')]
    """
    lines = text.splitlines()
    if lines and lines[0] == "# ---":  # jupytext's header
        lines = lines[lines.index("# ---", 1) + 1 :]
    found, kind, tags, body = [], None, (), []

    def close():
        if kind is not None:
            source = "\n".join(body).strip("\n")
            if kind == "markdown":
                source = "\n".join(re.sub(r"^# ?", "", line) for line in source.splitlines())
            found.append(Cell(kind, source, tags))

    for line in lines:
        match = _CELL.match(line)
        if match:
            close()
            header = match.group("header")
            kind = "markdown" if "[markdown]" in header else "code"
            tags = tuple(re.findall(r'"([^"]+)"', header.partition("tags=")[2]))
            body = []
        else:
            body.append(line)
    close()
    return found


def sections(practical: str) -> list[Section]:
    """The lesson's experiments in order; the cells before the first ``## `` heading (its set-up) are not in any."""
    found, title, code = [], None, []

    def close():
        if title is not None and code:  # a heading with no code under it (the exercises) is not an experiment
            saved_in = {}
            for index, source in enumerate(code):
                if "session.save(" in source:
                    for artifact_id in _ID.findall(source):
                        if f'session.run("{artifact_id}")' in source:
                            continue
                        if saved_in.get(artifact_id, index) != index:  # one figure, one cell
                            raise ValueError(f"{artifact_id} is saved in two cells of section {title!r}")
                        saved_in[artifact_id] = index
            found.append(Section(practical, title, tuple(code), saved_in))

    for cell in cells(lesson_text(practical)):
        if cell.kind == "markdown" and cell.source.startswith("## "):
            close()
            title, code = cell.source.splitlines()[0][3:].strip(), []
        elif cell.kind == "code" and title is not None:
            code.append(cell.source)
    close()
    return found


def ids_in(section: Section) -> set[str]:
    """Every artifact ID a section makes: those its cells save, and those a ``session.run("ID")`` cell runs."""
    return set(section.saved_in) | {i for code in section.cells for i in re.findall(r'session\.run\("([^"]+)"\)', code)}


def section_of(artifact_id: str) -> Section | None:
    """The lesson section that saves ``artifact_id``, or None (an ID its producer makes)."""
    for practical in registry.PRACTICALS:
        for section in sections(practical):
            if artifact_id in section.saved_in:
                return section
    return None


# Sections the CLI has run in this process, by mode and folders: the namespace and how many cells have run. A later
# ID of the same section continues where the last stopped, as a notebook's kernel would, instead of starting over.
_RUNS: dict = {}


def run_section_through(
    artifact_id: str,
    *,
    quick: bool,
    smoke: bool,
    seed: int,
    out: str | Path,
    files_out: str | Path | None = None,
    data_root: str | Path | None = None,
    progress: bool = True,
    show: bool = False,
) -> dict:
    """Execute the cells of ``artifact_id``'s section up to the one that saves it; return what that cell saved.

    The session is :func:`section_session`'s, made from these arguments (the
    environment is not read); a dataset or weights that are missing raise
    (:class:`~practicas.errors.PracticasError`), where a notebook would fall
    back to the stand-in. Example (the CLI): ``python -m practicas run r000-F1 --quick``.
    """
    section = section_of(artifact_id)
    key = (section.practical, section.title, quick, smoke, seed, str(out), str(files_out), str(data_root))
    if key not in _RUNS:
        session = section_session(
            quick=quick, smoke=smoke, seed=seed, out=out, files_out=files_out, data_root=data_root
        )
        session.progress = progress
        _RUNS[key] = {"namespace": {"__name__": "__lesson__", "session": session}, "done": 0}
    state = _RUNS[key]
    session = state["namespace"]["session"]
    session.started = time.perf_counter()
    try:
        execute_cells(section, state["namespace"], state["done"], section.saved_in[artifact_id] + 1)
    except BaseException:
        del _RUNS[key]  # a failed cell leaves the namespace half made: the next call starts the section over
        raise
    state["done"] = section.saved_in[artifact_id] + 1
    return session.saved[artifact_id]


def execute_cells(section: Section, namespace: dict, start: int, stop: int) -> None:
    """Execute ``section.cells[start:stop]`` in ``namespace``, whose ``session`` gives their mode and folders.

    Tracebacks name the notebook, section and cell. The Keras dtype policy a
    section sets (mixed precision) is put back afterwards.
    """
    import keras

    policy = keras.config.dtype_policy()
    try:
        for index in range(start, stop):
            name = f"<{section.where}, cell {index + 1}>"
            exec(compile(section.cells[index], name, "exec"), namespace)  # noqa: S102 - the lesson's own code
    finally:  # a section run from another notebook's cell (r003-F14's network) leaves that notebook as it was
        keras.config.set_dtype_policy(policy)


def section_session(*, quick: bool, smoke: bool, seed: int, out, files_out=None, data_root=None):
    """The session a section runs in under the CLI: these settings exactly, files in ``files_out`` (default ``out``),
    and no fallback: missing data raises instead of switching to the stand-in."""
    import keras

    from practicas import writing
    from practicas.session import Session

    out = writing.ensure_writable_dir(out)
    session = Session(
        requested_quick=quick,
        smoke=smoke and not quick,
        seed=int(seed),
        data_root=Path(data_root).expanduser().resolve() if data_root is not None else None,  # None: $PRACTICAS_DATA
        out=out,
        files_out=Path(files_out) if files_out is not None else None,
        show=False,
        fall_back=False,
    )
    session.default_policy = keras.config.dtype_policy().name
    return session


def section_run(artifact_id: str, context, name: str = "run") -> dict:
    """What another notebook's section trains, as that section trains it: its cells, run up to the one saving
    ``artifact_id``, and then its variable ``name``.

    Runs that several experiments share (r003's cats-vs-dogs network, which
    notebook 03 climbs; r004's Vanilla CNN, which notebook 02's table compares)
    are written once, in the section of the notebook that trains them. The
    cells run in a session of ``context``'s mode, seed, data and output folder,
    so a network that section already trained there resumes from its state in
    ``OUT/.work`` instead of training again; their files go to a folder of their
    own under ``.work``.

    Example:
        >>> run = section_run("r004-VCNN", session.context)  # doctest: +SKIP
    """
    out = Path(context.workdir).parent.parent  # OUT/.work/NAME -> OUT
    session = section_session(
        quick=context.quick,
        smoke=context.smoke,
        seed=context.seed,
        out=out,
        files_out=context.shared_workdir(f"{artifact_id}-files"),
        data_root=context.data_root,
    )
    session.progress = context.progress
    session.smoke_steps, session.smoke_samples = context.smoke_steps, context.smoke_samples
    section = section_of(artifact_id)
    namespace = {"__name__": "__lesson__", "session": session}
    execute_cells(section, namespace, 0, section.saved_in[artifact_id] + 1)
    # What those cells loaded, built and fit is what the caller's numbers come from: its JSONs record it too.
    context.replay(namespace["session"].context.settings)
    return namespace[name]


# ------------------------------------------------------------------ the .ipynb files


def notebook(practical: str) -> dict:
    """The notebook of one practical, as nbformat-4 JSON (a dict), read from its lesson with jupytext."""
    import jupytext

    nb = jupytext.reads(lesson_text(practical), fmt="py:percent")
    nb.metadata = {
        "accelerator": "GPU",
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
        cell.metadata = {"tags": list(cell.metadata["tags"])} if cell.metadata.get("tags") else {}
    nb.nbformat, nb.nbformat_minor = 4, 5
    return json.loads(json.dumps(nb))


def notebook_text(practical: str) -> str:
    return json.dumps(notebook(practical), indent=1, ensure_ascii=False) + "\n"


def write_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """Write one notebook per practical from its lesson (needs jupytext: ``pip install practicas[dev]``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for practical in registry.PRACTICALS:
        path = folder / Path(registry.NOTEBOOKS[practical]).name
        path.write_text(notebook_text(practical), encoding="utf-8")
        written.append(path)
    return written
