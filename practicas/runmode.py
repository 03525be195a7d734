"""How an artifact run is carried out: full, quick or smoke, where its data lives, and what it used.

:func:`practicas.registry.run` opens one :func:`artifact_run` per artifact.
Inside it, the shared functions that every producer goes through read this
context instead of taking extra arguments:

- ``smoke``: the *full* configuration (the report's data, builders, input
  sizes, weights, optimizers, batch sizes and planned epochs) with every fit
  capped at one epoch of at most :data:`SMOKE_STEPS` steps, every dataset
  split at :data:`SMOKE_SAMPLES` images (so predictions, features and t-SNE
  are small) and every gradient ascent at :data:`SMOKE_ASCENT_STEPS` steps. It
  proves the path a student takes on a GPU, on any machine, in minutes.
- ``data_root``: the folder the dataset loaders look in first.
- ``settings``: what the run used, recorded by those shared functions
  (datasets and their split sizes as loaded, weights, and per fit the model,
  input shape, batch size, planned epochs, optimizer and learning rate);
  the artifact's JSON carries it under ``settings``.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os
import re
from pathlib import Path

SMOKE_STEPS = 2
SMOKE_SAMPLES = 40
SMOKE_ASCENT_STEPS = 2


@dataclasses.dataclass
class RunContext:
    """One artifact run: what the registry passes to a producer, and the settings the run has used so far.

    ``quick`` (stand-in data, short runs), ``seed``, ``workdir`` (where
    resumable state lives), ``smoke`` (the full configuration, capped) and
    ``data_root`` (where datasets are looked for first) say how to run;
    ``settings`` is what the shared code recorded while it ran.

    Example:
        >>> context = RunContext(quick=True, workdir=Path("out/.work/r002-F2-quick-seed0"))
        >>> context.within("lr0.1").workdir, context.shared_workdir("emoji_net")
        (PosixPath('out/.work/r002-F2-quick-seed0/lr0.1'), PosixPath('out/.work/emoji_net-quick-seed0'))
    """

    quick: bool = False
    seed: int = 0
    workdir: Path = Path("out/.work/unnamed")
    smoke: bool = False
    data_root: Path | None = None
    progress: bool = True  # one line per epoch of every fit (the CLI's --quiet turns it off)
    settings: dict = dataclasses.field(default_factory=dict)
    # Seconds per training step of each smoke fit, after the first (compiling) step: bench/full_cost.py reads them.
    step_seconds: list = dataclasses.field(default_factory=list)

    def within(self, name: str) -> RunContext:
        """The same run with its state in a subfolder (one of several trainings of one artifact); settings are shared."""
        return dataclasses.replace(self, workdir=Path(self.workdir) / name)

    def shared_workdir(self, name: str) -> Path:
        """The state folder of a run that several artifacts share (same mode and seed): see :func:`shared_workdir`."""
        return shared_workdir(self.workdir, name)

    def shared_key(self, name: str) -> tuple:
        """The :func:`cached` key of a run that several artifacts of this output folder share."""
        return (name, self.quick, self.seed, str(Path(self.workdir).parent))


_CURRENT: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar("practicas_run", default=None)


_SESSION: RunContext | None = None  # a notebook's settings (practicas.session.start), for cells outside any run


def current() -> RunContext:
    """The run in progress; outside any run, the notebook session's settings, else a full run that records nothing.

    Example:
        >>> current().smoke
        False
    """
    return _CURRENT.get() or _SESSION or RunContext()


def use_session(context: RunContext | None) -> None:
    """Make ``context`` the mode of code that runs outside any artifact run (a notebook's own cells).

    A context variable set in one notebook cell does not reach the next (each
    cell may run in a copy of the context), so the session lives in a module global.
    """
    global _SESSION
    _SESSION = context


def session_context() -> RunContext | None:
    """The context :func:`use_session` set (a notebook's experiment), or None."""
    return _SESSION


def smoke() -> bool:
    """Whether the run in progress is a smoke run (full configuration, capped work).

    Example:
        >>> with artifact_run(smoke=True):
        ...     smoke()
        True
    """
    return current().smoke


@contextlib.contextmanager
def artifact_run(
    *,
    quick: bool = False,
    seed: int = 0,
    workdir: str | os.PathLike = "out/.work/unnamed",
    smoke: bool = False,
    data_root: str | os.PathLike | None = None,
    progress: bool = True,
):
    """Run the enclosed code as one artifact run; yields its :class:`RunContext`.

    Example:
        >>> with artifact_run(smoke=True) as run:
        ...     record("datasets", {"name": "mnist"})
        >>> run.settings
        {'datasets': [{'name': 'mnist'}]}
    """
    if quick and smoke:
        raise ValueError("choose quick (stand-in data, short runs) or smoke (the full configuration, capped), not both")
    context = RunContext(
        quick=bool(quick),
        seed=int(seed),
        workdir=Path(workdir),
        smoke=bool(smoke),
        data_root=Path(data_root).expanduser() if data_root is not None else None,
        progress=bool(progress),
    )
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)
        global _LAST
        _LAST = context


_LAST: RunContext | None = None


def last_run() -> RunContext | None:
    """The most recently finished artifact run (its settings and smoke step timings), or None.

    Example:
        >>> with artifact_run(smoke=True):
        ...     pass
        >>> last_run().smoke
        True
    """
    return _LAST


def record(section: str, entry: dict) -> None:
    """Append ``entry`` to the run's ``settings[section]``, once (a repeated entry is not added twice).

    Outside an artifact run, a notebook session's experiment context keeps
    it (its ``session.save`` JSONs record what the cells loaded and fit).

    Example:
        >>> record("weights", {"builder": "ResNet50", "weights": "imagenet"})  # outside a run or session: not kept
    """
    context = _CURRENT.get() or _SESSION
    if context is None:
        return
    entries = context.settings.setdefault(section, [])
    if entry not in entries:
        entries.append(entry)


def recorded_since(snapshot: dict) -> dict:
    """The entries recorded after ``snapshot`` (a copy of ``settings`` taken earlier), by section."""
    settings = current().settings
    return {
        k: [e for e in v if e not in snapshot.get(k, [])]
        for k, v in settings.items()
        if any(e not in snapshot.get(k, []) for e in v)
    }


def replay(recorded: dict) -> None:
    """Record again what a shared, cached computation recorded when it ran (its settings belong to each user)."""
    for section, entries in recorded.items():
        for entry in entries:
            record(section, entry)


def snapshot() -> dict:
    """A copy of the settings recorded so far (see :func:`recorded_since`)."""
    return {k: list(v) for k, v in current().settings.items()}


# ------------------------------------------------------------------ what producers share: quick epochs, shared runs

QUICK_EPOCHS = 3
_CACHE: dict = {}


def epochs_for(full: int, quick: bool, quick_epochs: int = QUICK_EPOCHS) -> int:
    """The report's epoch count, or at most ``quick_epochs`` in quick mode.

    Example:
        >>> epochs_for(50, quick=True)
        3
    """
    return min(full, quick_epochs) if quick else full


def shared_workdir(workdir: Path, name: str) -> Path:
    """Workdir of an experiment shared by several artifacts and notebook cells: ``NAME`` with ``workdir``'s mode suffix.

    An artifact's folder (``r003-F1-quick-seed0``) and a notebook's
    (``notebook-quick-seed0``) map to the same ``cats_vs_dogs_transfer-quick-seed0``:
    the same run, trained once in that output folder. A folder without a mode
    suffix gets ``NAME`` as a subfolder.

    Example:
        >>> shared_workdir(Path("out/.work/notebook-smoke-seed1"), "emnist")
        PosixPath('out/.work/emnist-smoke-seed1')
    """
    folder = Path(workdir)
    mode = re.search(r"(-quick|-smoke)?-seed\d+$", folder.name)
    return folder.parent / f"{name}{mode.group(0)}" if mode else folder / name


def cached(key, compute):
    """``compute()`` once per process and key: one training run feeds several artifacts (curves, confusion, t-SNE).

    The key also holds the run's mode (smoke or not, data root), and the
    settings that ``compute`` recorded are recorded again for each artifact
    that reuses its result, so every JSON says what its numbers came from.
    """
    context = current()
    key = (key, context.smoke, str(context.data_root))
    if key not in _CACHE:
        before = snapshot()
        result = compute()
        _CACHE[key] = (result, recorded_since(before))
    result, recorded = _CACHE[key]
    replay(recorded)
    return result
