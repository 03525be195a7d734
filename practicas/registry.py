"""One registry maps every report artifact ID to the notebook section that makes it.

The catalogue of IDs and titles (``catalogue.json``, a copy of the project's
FIGURES.md) ships with the package. The notebooks' sources
(``practicas/lessons/*.py``, :mod:`practicas.notebooks`) say which section's
cell saves each ID; the CLI, the README figure index and the tests all read
this registry, so nothing is listed twice by hand.

A section's cell saves one of the typed results of :mod:`practicas.results`
(:func:`save`): the JSON's numbers, with a type that draws them as a figure or
a Markdown table. Figures can therefore be redrawn without retraining and
numbers tested without images.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
import time
from importlib import resources
from pathlib import Path

from practicas import results, runmode, writing
from practicas.errors import UnknownArtifactError

PRACTICALS = ("basenet", "transfer", "gradient_ascent")
NOTEBOOKS = {
    "basenet": "notebooks/01_basenet.ipynb",
    "transfer": "notebooks/02_transfer.ipynb",
    "gradient_ascent": "notebooks/03_gradient_ascent.ipynb",
}


@dataclasses.dataclass
class Artifact:
    """A report artifact: its catalogue entry and, once implemented, the notebook section that makes it."""

    id: str
    title: str
    practical: str
    kind: str  # "figure" or "table"
    report_numbers: tuple = ()  # the report's own numbers: see practicas.comparison
    assumed: tuple = ()  # settings of ours that the report does not give: see practicas.comparison
    # The title of the notebook section whose cells save it (practicas.notebooks).
    section: str | None = None

    @property
    def implemented(self) -> bool:
        return self.section is not None

    @property
    def output_file(self) -> str:
        return f"{self.id}.png" if self.kind == "figure" else f"{self.id}.md"

    @property
    def function_name(self) -> str:  # what makes it, for messages
        return f'{self.notebook}, section "{self.section}"' if self.section else ""

    @property
    def notebook(self) -> str:
        return NOTEBOOKS[self.practical]


def _load_catalogue() -> dict[str, Artifact]:
    text = resources.files("practicas").joinpath("catalogue.json").read_text(encoding="utf-8")
    return {
        row["id"]: Artifact(
            row["id"],
            row["title"],
            row["practical"],
            row["kind"],
            report_numbers=tuple(row.get("report_numbers", ())),
            assumed=tuple(row.get("assumed", ())),
        )
        for row in json.loads(text)
    }


_CATALOGUE = _load_catalogue()
_PRODUCERS_LOADED = False


# Full runs of these train ImageNet backbones or 224x224 networks: mixed_float16 where the GPU gains from it
# (training.mixed_precision_where_it_pays). The small networks, and gradient ascent (its own loop has no loss
# scaling, and float16 gradients with respect to the input underflow), stay float32.
MIXED_PRECISION = frozenset(
    ["r000-T6", "r000-F10", "r001-F19", "r001-F21", "r001-F23", "r001-F25", "r003-T1", "r003-F1", "r003-F2"]
    + ["r004-F6", "r004-F7", "r004-T1", "r004-F8", "r004-P", "r004-VCNN"]
)


def workdir_for(artifact_id: str, *, quick: bool, smoke: bool, seed: int, out: str | os.PathLike = "out") -> Path:
    """Where an artifact's resumable state (checkpoints, histories) lives: ``out/.work/ID[-quick|-smoke]-seedN``.

    Example:
        >>> workdir_for("r000-F1", quick=True, smoke=False, seed=0)
        PosixPath('out/.work/r000-F1-quick-seed0')
    """
    mode = "-quick" if quick else "-smoke" if smoke else ""
    return Path(out) / ".work" / f"{artifact_id}{mode}-seed{seed}"


def seed_folder(out: str | os.PathLike, seed: int) -> Path:
    """Where ``run --seeds`` writes one seed's files, so that seeds do not overwrite each other: ``out/seed-N``.

    Example:
        >>> seed_folder("out", 2)
        PosixPath('out/seed-2')
    """
    return Path(out) / f"seed-{seed}"


def _load_producers() -> None:
    global _PRODUCERS_LOADED
    if _PRODUCERS_LOADED:
        return
    from practicas import notebooks

    for practical in PRACTICALS:
        for section in notebooks.sections(practical):
            for artifact_id in section.saved_in:
                entry = _CATALOGUE[artifact_id]
                if entry.section is not None:  # one experiment, one place
                    raise ValueError(
                        f"{artifact_id} is saved in two sections: {entry.function_name} and {section.where}"
                    )
                entry.section = section.title
    _PRODUCERS_LOADED = True


def all_artifacts() -> list[Artifact]:
    """Every catalogued artifact, in catalogue order, implemented or not.

    Example:
        >>> [a.id for a in all_artifacts()][:2]
        ['r000-T1', 'r000-T2']
    """
    _load_producers()
    return list(_CATALOGUE.values())


def closest_ids(artifact_id: str, n: int = 3) -> list[str]:
    """The catalogued IDs that look most like ``artifact_id`` (for error messages)."""
    ids = list(_CATALOGUE)
    close = difflib.get_close_matches(artifact_id, ids, n=n, cutoff=0.5)
    if not close:
        prefix = artifact_id[:4]
        close = [i for i in ids if i.startswith(prefix)][:n]
    return close


def get(artifact_id: str) -> Artifact:
    """Look up one artifact by ID, or raise :class:`UnknownArtifactError` naming the closest IDs.

    Example:
        >>> get("r000-T2").title
        'Simple CNN parameter count'
    """
    _load_producers()
    try:
        return _CATALOGUE[artifact_id]
    except KeyError:
        suggestions = ", ".join(closest_ids(artifact_id)) or "none"
        raise UnknownArtifactError(
            f"unknown artifact ID {artifact_id!r}; closest: {suggestions} (see `python -m practicas list`)"
        ) from None


def run(
    artifact_id: str,
    *,
    quick: bool = False,
    smoke: bool = False,
    seed: int = 0,
    out: str | os.PathLike = "out",
    data_root: str | os.PathLike | None = None,
    show: bool = False,
    progress: bool = True,
    in_seed_folder: bool = False,
) -> dict:
    """Produce one artifact and write ``out/ID.json`` plus ``out/ID.png`` or ``out/ID.md``: the cells of its notebook
    section run, up to the one that saves it (:func:`practicas.notebooks.run_section_through`).

    Returns the saved data with ``"files"`` (paths written) and
    ``"seconds"`` added. With ``show=True`` (notebooks) the figure or table is
    displayed inline; ``progress=False`` silences the line per epoch. Resumable state (interrupted training) lives in
    ``out/.work/`` and is reused by the next call with the same settings.

    ``smoke=True`` runs the full configuration (not ``quick``) with every fit
    capped at one epoch of two steps and every dataset split at a few images
    (:mod:`practicas.runmode`); ``data_root`` is where datasets are looked
    for first. The JSON's ``settings`` record what a full run uses: datasets
    and split sizes as loaded, weights, and per fit the input shape, batch
    size, planned epochs, optimizer and learning rate; ``settings.assumed``
    lists those of them the report does not give (:mod:`practicas.comparison`).

    ``in_seed_folder=True`` (``run --seeds``) writes the files to
    ``out/seed-N/`` instead (:func:`seed_folder`), so that runs of several
    seeds sit side by side for ``compare``; the resumable state stays in
    ``out/.work/ID-seedN`` either way.

    Example:
        >>> data = run("r000-T2", quick=True, out="/tmp/practicas-out")  # doctest: +SKIP
        >>> data["params"]["trainable"]  # doctest: +SKIP
        813802
    """
    entry = get(artifact_id)
    if not entry.implemented:
        raise NotImplementedError(f"{artifact_id} ({entry.title}) is not implemented yet")
    out = writing.ensure_writable_dir(out)
    files_out = seed_folder(out, seed) if in_seed_folder else out
    from practicas import notebooks

    options = dict(quick=quick, smoke=smoke, seed=seed, data_root=data_root, progress=progress, show=show)
    return notebooks.run_section_through(artifact_id, out=out, files_out=files_out, **options)


def _keras_backend() -> str:
    import keras

    return keras.backend.backend()


def _numerics() -> dict:
    """The dtype policy the models were built under, and whether deterministic kernels were on."""
    import keras

    from practicas import training

    return {"precision": keras.config.dtype_policy().name, "deterministic": training.determinism_enabled()}


def save(
    artifact_id: str,
    result: results.Result,
    context: runmode.RunContext,
    *,
    out: str | os.PathLike = "out",
    show: bool = False,
    started: float | None = None,
) -> results.Result:
    """Write an artifact's files from its result: ``OUT/ID.json`` (+ ``.npz``) and ``OUT/ID.png`` or ``OUT/ID.md``.

    :func:`run` calls it after the producer; a notebook that ran the
    experiment in its own cells calls it with the result it made, so both
    write the same files with the same numbers.

    Example:
        >>> from practicas.results import Table
        >>> saved = save("r000-T1", Table(header=["a"], rows=[[1]]), runmode.RunContext(quick=True), out="/tmp/practicas-out")
        >>> saved["files"]
        ['/tmp/practicas-out/r000-T1.md', '/tmp/practicas-out/r000-T1.json']
    """
    from practicas import comparison

    entry = get(artifact_id)
    if not isinstance(result, results.Result) or result.kind != entry.kind:
        kinds = ", ".join(n for n, t in results.RESULT_TYPES.items() if t.kind == entry.kind)
        raise TypeError(
            f"{entry.function_name or artifact_id} returned a {type(result).__name__}: the producer of a {entry.kind} "
            f"returns a practicas.results type of that kind ({kinds})"
        )
    out = writing.ensure_writable_dir(out)
    quick, smoke = context.quick, context.smoke
    data = type(result)(
        {"id": artifact_id, "title": entry.title, "quick": quick, "smoke": smoke, "seed": context.seed}
        | result
        | {
            "result": type(result).__name__,
            "settings": {
                **context.settings,
                **_numerics(),
                "quick": quick,
                "smoke": smoke,
                "assumed": [dict(a) for a in entry.assumed],
            },
        }
        | {"backend": _keras_backend()}
    )
    data["report"] = comparison.report_entries(artifact_id, data)
    arrays = writing.write_arrays(out / f"{artifact_id}.npz", data.arrays())
    target = _render_to_file(entry, data, out, show)
    if started is not None:  # run() times the producer and the drawing; one JSON write, with the time in it
        data["seconds"] = round(time.perf_counter() - started, 2)
    data["files"] = [str(target), str(out / f"{artifact_id}.json")] + ([str(arrays)] if arrays else [])
    writing.write_json(out / f"{artifact_id}.json", data)
    return data


EARLIER = "earlier"  # OUT/earlier/: the files of runs that a run with other settings replaced


def keep_earlier_run(artifact_id: str, context: runmode.RunContext, out: str | os.PathLike) -> list[Path]:
    """Move ``OUT/ID.*`` into ``OUT/earlier/`` (as ``ID-TAG.*``) when they come from a run of the same mode and
    seed whose fits had other settings than ``context``'s: a notebook cell rerun with another learning rate keeps
    the earlier run's files beside the new ones. Returns the files moved (none when nothing changed).

    Example:
        >>> keep_earlier_run("r000-F1", runmode.RunContext(quick=True), "/nonexistent")
        []
    """
    out = Path(out)
    path = out / f"{artifact_id}.json"
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no earlier run, or not one we can read: it is simply replaced
        return []
    same_run = (earlier.get("quick"), earlier.get("smoke"), earlier.get("seed")) == (
        context.quick,
        context.smoke,
        context.seed,
    )
    fits_then = earlier.get("settings", {}).get("fits")
    fits_now = json.loads(json.dumps(context.settings.get("fits", []), default=str))
    if not same_run or not fits_then or fits_then == fits_now:
        return []
    tag = hashlib.sha1(json.dumps(fits_then, sort_keys=True).encode()).hexdigest()[:8]
    folder = writing.ensure_writable_dir(out / EARLIER)
    moved = []
    for file in sorted(out.glob(f"{artifact_id}.*")):
        target = folder / f"{artifact_id}-{tag}{file.suffix}"
        file.replace(target)
        moved.append(target)
    return moved


def fit_description(fits: list[dict]) -> str:
    """A fit's settings in a few words, for a table that sets runs side by side.

    Example:
        >>> fit_description([{"optimizer": {"name": "Adam", "learning_rate": 0.001}, "batch_size": 64, "epochs": 10}])
        'Adam lr 0.001, batch 64, 10 epochs'
    """
    if not fits:
        return "-"
    fit = fits[-1]
    optimizer = fit.get("optimizer") or {}
    return f"{optimizer.get('name', '?')} lr {optimizer.get('learning_rate', '?')}, batch {fit.get('batch_size')}, {fit.get('epochs')} epochs"


def _render_to_file(entry: Artifact, data: results.Result, out: Path, show: bool) -> Path:
    rendered = data.render()
    target = out / entry.output_file
    if entry.kind == "figure":
        writing.save_figure(target, rendered)
    else:
        writing.write_text(target, rendered if rendered.endswith("\n") else rendered + "\n")  # a text file ends in \n
    if show:
        _display(rendered, entry.kind)
    if entry.kind == "figure":
        import matplotlib.pyplot as plt

        plt.close(rendered)
    return target


def redraw(json_path: str | os.PathLike, *, out: str | os.PathLike | None = None, show: bool = False) -> Path:
    """Draw an artifact again from its saved JSON (and ``.npz``), without training: returns the PNG or Markdown written.

    The file goes beside the JSON unless ``out`` names another folder; change
    how a result type draws (a title, a colour map) and redraw every figure in seconds.

    Example:
        >>> redraw("out/r000-F1.json")  # doctest: +SKIP
        PosixPath('out/r000-F1.png')
    """
    data = results.load(writing.read_result(json_path))
    entry = get(data["id"])
    return _render_to_file(entry, data, writing.ensure_writable_dir(out or Path(json_path).parent), show)


def _display(rendered, kind: str) -> None:
    try:
        from IPython.display import Markdown, display
    except ImportError:  # outside Jupyter there is nothing to display into
        return
    display(rendered if kind == "figure" else Markdown(rendered))


def show_markdown(text: str) -> None:
    """Display Markdown in a notebook; print it elsewhere (a script, the CLI's sections)."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        _display(text, "table")
    else:
        print(text)


def figure_index_markdown() -> str:
    """The README's figure index: artifact ID -> the notebook section that makes it -> its source -> output files.

    Example:
        >>> print(figure_index_markdown().splitlines()[0])
        | ID | Artifact | Made in (notebook, section) | Source | Output |
    """
    lines = ["| ID | Artifact | Made in (notebook, section) | Source | Output |", "|---|---|---|---|---|"]
    for a in all_artifacts():
        notebook = f"[{Path(a.notebook).name}]({a.notebook})"
        made_in = f"{notebook}, {a.section}" if a.implemented else f"{notebook}: not implemented yet"
        source = f"`practicas/lessons/{Path(a.notebook).stem}.py`"
        output = f"`{a.output_file}`, `{a.id}.json`"
        lines.append(f"| {a.id} | {a.title} | {made_in} | {source} | {output} |")
    return "\n".join(lines)
