"""How an experiment runs: full, quick or smoke, where its data lives, and what it used.

A :class:`RunContext` is passed explicitly to what needs it: a notebook's
``session.context`` (:mod:`practicas.session`) to the loaders
(:func:`practicas.standins.experiment_data`), to the fits' callbacks
(:class:`practicas.training.FitCallbacks`) and to the runs several sections
share (:func:`cached`). Nothing reads it from a global: a function without
one runs in full mode and records nothing. It says:

- ``smoke``: the *full* configuration (the report's data, builders, input
  sizes, weights, optimizers, batch sizes and planned epochs) with every fit
  capped at one epoch of at most ``smoke_steps`` steps, every dataset
  split at ``smoke_samples`` images (so predictions, features and t-SNE
  are small) and every gradient ascent at ``smoke_ascent_steps`` steps. It
  proves the path a student takes on a GPU, on any machine, in minutes.
- ``data_root``: the folder the dataset loaders look in first.
- ``settings``: what the run used, recorded by whoever was handed the context
  (datasets and their split sizes as loaded, weights, and per fit the model,
  input shape, batch size, planned epochs, optimizer and learning rate);
  the artifact's JSON carries it under ``settings``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

SMOKE_STEPS = 2
# 10 images per split: one of each class of the 10-class fixtures, one step of the batch-10 fits and of the 224x224
# networks' batch of 32. Those images cost most of a smoke run on a CPU: a ResNet50 training step takes about 7 s on
# 10 of them and 14 s on 20 (2 cores), so 20 made CI's smoke runs of notebook 02 about 1.4x longer and 40 twice as
# long. A smoke run proves the path, not the numbers: bench/full_cost.py raises the caps to time real batches.
SMOKE_SAMPLES = 10
SMOKE_ASCENT_STEPS = 2


@dataclasses.dataclass
class RunContext:
    """One experiment's run: how to run it, and the settings it has used so far.

    ``quick`` (stand-in data, short runs), ``seed``, ``workdir`` (where
    resumable state lives), ``smoke`` (the full configuration, capped at
    ``smoke_steps`` steps per fit, ``smoke_samples`` images per split and
    ``smoke_ascent_steps`` steps per ascent) and ``data_root`` (where datasets
    are looked for first) say how to run; ``settings`` is what was recorded
    into it (:meth:`record`) while it ran.

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
    smoke_steps: int = SMOKE_STEPS
    smoke_samples: int = SMOKE_SAMPLES
    smoke_ascent_steps: int = SMOKE_ASCENT_STEPS

    def within(self, name: str) -> RunContext:
        """The same run with its state in a subfolder (one of several trainings of one artifact); settings are shared."""
        return dataclasses.replace(self, workdir=Path(self.workdir) / name)

    def shared_workdir(self, name: str) -> Path:
        """The state folder of a run that several artifacts share (same mode and seed): see :func:`shared_workdir`."""
        return shared_workdir(self.workdir, name)

    def shared_key(self, name: str) -> tuple:
        """The :func:`cached` key of a run that several artifacts of this output folder share."""
        return (name, self.quick, self.seed, str(Path(self.workdir).parent))

    def record(self, section: str, entry: dict) -> None:
        """Append ``entry`` to ``settings[section]``, once (a repeated entry is not added twice).

        Example:
            >>> run = RunContext()
            >>> run.record("weights", {"builder": "ResNet50", "weights": "imagenet"})
            >>> run.record("weights", {"builder": "ResNet50", "weights": "imagenet"})
            >>> run.settings
            {'weights': [{'builder': 'ResNet50', 'weights': 'imagenet'}]}
        """
        entries = self.settings.setdefault(section, [])
        if entry not in entries:
            entries.append(entry)

    def record_weights_of(self, *found) -> None:
        """Record the pretrained weights of every network in ``found`` (models, and the models inside dicts, lists and
        tuples, and inside those models): what :func:`practicas.modeling.load_application` and the torchvision
        converter mark on the network they build (``weights_origin``).

        Example:
            >>> import keras
            >>> base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
            >>> base.weights_origin = {"builder": "Tiny", "weights": "imagenet"}
            >>> run = RunContext()
            >>> run.record_weights_of({"model": keras.Sequential([base])})
            >>> run.settings["weights"]
            [{'builder': 'Tiny', 'weights': 'imagenet'}]
        """
        seen = set()

        def visit(item):
            if id(item) in seen:
                return
            seen.add(id(item))
            if isinstance(item, dict):
                for value in item.values():
                    visit(value)
            elif isinstance(item, (list, tuple)):
                for value in item:
                    visit(value)
            elif hasattr(item, "layers") and hasattr(item, "count_params"):  # a Keras model, without importing Keras
                origin = getattr(item, "weights_origin", None)
                if origin is not None:
                    self.record("weights", dict(origin))
                for layer in item.layers:
                    visit(layer)

        for item in found:
            visit(item)

    def snapshot(self) -> dict:
        """A copy of the settings recorded so far (see :meth:`recorded_since`)."""
        return {k: list(v) for k, v in self.settings.items()}

    def recorded_since(self, snapshot: dict) -> dict:
        """The entries recorded after ``snapshot`` (a copy of ``settings`` taken earlier), by section."""
        return {
            k: [e for e in v if e not in snapshot.get(k, [])]
            for k, v in self.settings.items()
            if any(e not in snapshot.get(k, []) for e in v)
        }

    def replay(self, recorded: dict) -> None:
        """Record again what a shared computation recorded when it ran (its settings belong to each user)."""
        for section, entries in recorded.items():
            for entry in entries:
                self.record(section, entry)


# ------------------------------------------------------------------ what producers share: quick epochs, shared runs

QUICK_EPOCHS = 3
_CACHE: dict = {}  # shared runs and what they recorded, by key
_MEMO: dict = {}  # results that record nothing, by key


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


def cached(key, compute, context: RunContext):
    """``compute()`` once per process and key: one training run feeds several artifacts (curves, confusion, t-SNE).

    ``compute`` records what it loads and fits into ``context``. The key also
    holds the run's mode (smoke or not, data root), and the settings that
    ``compute`` recorded are recorded again into the ``context`` of each
    later caller that reuses its result, so every JSON says what its numbers came from.
    """
    key = (key, context.smoke, str(context.data_root))
    if key not in _CACHE:
        before = context.snapshot()
        result = compute()
        _CACHE[key] = (result, context.recorded_since(before))
    result, recorded = _CACHE[key]
    context.replay(recorded)
    return result


def memoize(key, compute):
    """``compute()`` once per process and key, recording nothing: the quick stand-ins' pretrained weights (set-up,
    not an experiment), which several sections and notebooks start from."""
    if key not in _MEMO:
        _MEMO[key] = compute()
    return _MEMO[key]
