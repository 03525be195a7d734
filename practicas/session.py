"""A notebook's set-up in one call: its mode (quick, smoke, full), seed, data and output folders, Drive, the GPU check.

    session = practicas.session.start(quick=True, seed=0, data="data", out="out", drive=False)
    data, label = session.data("mnist")          # the report's data, or quick mode's stand-in
    tracking = session.fit_callbacks("simple_cnn", train)  # model.fit(..., callbacks=[tracking])
    session.save("r000-F1", curves_of(run))      # an artifact drawn from an experiment the notebook ran itself

The environment overrides the cell's values, so CI (or a shell) can execute a
notebook in every mode: ``PRACTICAS_QUICK=0|1``, ``PRACTICAS_SMOKE=0|1``,
``PRACTICAS_DATA``, ``PRACTICAS_OUT``. The session hands its experiment's
:class:`~practicas.runmode.RunContext` (``session.context``) to what it calls:
nothing in the library reads a session from a global.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import keras

from practicas import registry, runmode, training
from practicas.errors import PracticasError

# GPU minutes of each notebook in full mode, ESTIMATED from the reports' data sizes and epochs (this project had no
# GPU to measure them on: bench/full_cost.py measures them on one). On a CPU, expect 20-50 times as long.
ESTIMATED_GPU_MINUTES = {"basenet": 45, "transfer": 50, "gradient_ascent": 10}
DRIVE_FOLDER = Path("/content/drive/MyDrive/practicas")


def _flag(name: str, value: bool) -> bool:
    text = os.environ.get(name)
    return value if text is None else text.strip().lower() in ("1", "true", "yes")


@dataclasses.dataclass
class Session:
    """The settings every cell of a notebook shares; see :func:`start`."""

    requested_quick: bool
    smoke: bool
    seed: int
    data_root: Path | None  # None: the loaders look in $PRACTICAS_DATA (the CLI without --data)
    out: Path
    # True while an experiment runs on the quick stand-in because its data is missing (full mode): see data().
    stand_in: bool = False
    # The run context of the experiment in progress: its fits and loads are recorded in the JSONs save() writes.
    _experiment: runmode.RunContext | None = dataclasses.field(default=None, repr=False)
    # Whether the experiment in progress asked for mixed precision (see new_experiment), and the policy otherwise.
    _mixed_precision: bool = dataclasses.field(default=False, repr=False)
    default_policy: str = "float32"
    # Where save() writes the files (default: out). The CLI's `run --seeds` writes each seed's into out/seed-N.
    files_out: Path | None = None
    show: bool = True  # display each figure or table inline (a notebook); the CLI writes the files only
    progress: bool = True  # one line per epoch of every fit (the CLI's --quiet turns it off)
    # Full mode, data or weights missing: a notebook says so and goes on with the stand-in; the CLI raises instead.
    fall_back: bool = True
    # What save() wrote, by artifact ID (the JSON's data), and when the cells that lead to it began (the JSON's seconds).
    saved: dict = dataclasses.field(default_factory=dict, repr=False)
    # The artifacts the experiment in progress saved, in order (what compare() shows).
    experiment_ids: list = dataclasses.field(default_factory=list, repr=False)
    started: float | None = dataclasses.field(default=None, repr=False)
    # A smoke run's caps: steps per fit and images per split (bench/full_cost.py raises them to time real batches).
    smoke_steps: int = runmode.SMOKE_STEPS
    smoke_samples: int = runmode.SMOKE_SAMPLES
    # Quick and smoke runs train each of r004's backbones, and r001-F25's ResNet50, a few steps; on a CPU, tracing
    # its training step into a graph takes longer than those steps (the six quick fits: about 120 s traced, 60 s
    # eager; EfficientNetB0 fine-tuned alone 57 s against 15 s). bench/full_cost.py sets it False: it times graph
    # steps.
    eager_short_runs: bool = True

    @property
    def run_eagerly(self) -> bool:
        """``model.compile(run_eagerly=session.run_eagerly)`` for r004's backbones and r001-F25's ResNet50 (notebook
        02): True in quick and smoke runs (their few steps cost less than a traced graph on a CPU;
        :attr:`eager_short_runs`), else False. Where eagerness does not pay (small networks, or many steps: r003's
        quick MobileNet took 88 s eagerly against 20 s traced), the notebooks compile as usual.

        Example:
            >>> Session(requested_quick=True, smoke=False, seed=0, data_root=None, out=Path("out")).run_eagerly
            True
        """
        return self.eager_short_runs and (self.quick or self.smoke)

    @property
    def quick(self) -> bool:
        """Quick mode: asked for, or the fallback of an experiment whose data is missing."""
        return self.requested_quick or self.stand_in

    def data(self, name: str, **options):
        """The data of an experiment, as :func:`practicas.standins.experiment_data` gives it, and its label.

        In full mode, when the report's data is missing, it says what is missing
        and how to get it, and returns the quick stand-in instead, so the cells
        below still run: until :meth:`new_experiment` the session is quick
        (stand-in epochs, files marked ``quick``, state apart from the real run's).
        """
        from practicas.standins import experiment_data

        try:
            return experiment_data(name, self.context, **options)
        except PracticasError as error:
            if self.quick or not self.fall_back:
                raise
            print(f"{name}: {error}\nThe cells below run on the quick stand-in instead; their files say quick.")
            self._use_stand_in(True)
            return experiment_data(name, self.context, **options)

    def new_experiment(self, mixed_precision: bool = False) -> None:
        """Start the next experiment: in the mode the notebook asked for (whatever the last one fell back to), with
        a fresh record of what it loads and fits, which the JSONs of :meth:`save` carry.

        ``mixed_precision=True`` (the ImageNet backbones and 224x224 networks,
        as :data:`practicas.registry.MIXED_PRECISION` lists them for the CLI)
        builds and trains the experiment's networks under ``mixed_float16``
        in full mode on a GPU that gains from it
        (:func:`practicas.training.mixed_precision_pays`); anywhere else, and
        on the quick stand-in, the policy stays :attr:`default_policy`.

        Example:
            >>> session.new_experiment(mixed_precision=True)  # doctest: +SKIP
        """
        self._mixed_precision = mixed_precision
        self.experiment_ids = []
        self._use_stand_in(False)

    def model(self, build):
        """``build(session.context)``, a network with its pretrained weights or training data; in full mode, when
        those are missing, it says what is missing and how to get it, and builds the quick one instead.

        As with :meth:`data`, the cells below then run quick, until
        :meth:`new_experiment`.

        Example:
            >>> model = session.model(lambda context: resnet50v2(context.quick, seed=session.seed))  # doctest: +SKIP
        """
        try:
            built = build(self.context)
        except PracticasError as error:
            if self.quick or not self.fall_back:
                raise
            print(f"{error}\nThe cells below use the quick stand-in instead; their files say quick.", flush=True)
            self._use_stand_in(True)
            built = build(self.context)
        self.context.record_weights_of(built)  # the pretrained weights it came with, in the experiment's JSONs
        return built

    @property
    def max_ascent_steps(self) -> int | None:
        """A smoke run's cap on the steps of every gradient ascent (``visualize(max_steps=)``); None otherwise."""
        return self.context.smoke_ascent_steps if self.context.smoke else None

    def ascent_budget(self, quick_steps: int, quick_size: int | None = 64) -> dict:
        """The ``visualize`` arguments of this mode: the preset's own steps and size in a full run (``{}``), a few
        steps on a small image in quick mode, the preset's size with the smoke cap on steps in a smoke run.

        Example:
            >>> Session(requested_quick=True, smoke=False, seed=0, data_root=None, out=Path("out")).ascent_budget(16)
            {'steps': 16, 'size': 64}
        """
        if self.quick:
            return {"steps": quick_steps, "size": quick_size}
        return {} if self.max_ascent_steps is None else {"max_steps": self.max_ascent_steps}

    def _use_stand_in(self, stand_in: bool) -> None:
        # A new experiment: a fresh context, whose mode the cells' fits and loaders read (smoke caps, data root),
        # and the dtype policy the CLI would build its networks under in that mode.
        self.stand_in, self._experiment = stand_in, None
        from practicas import training

        mixed = self._mixed_precision and not self.quick and training.mixed_precision_pays()
        keras.config.set_dtype_policy("mixed_float16" if mixed else self.default_policy)

    @property
    def context(self) -> runmode.RunContext:
        """The run context of the notebook's own experiment cells (state under ``OUT/.work``).

        It lives from one :meth:`new_experiment` call to the next, recording
        what that experiment loads and fits, which :meth:`save` writes into each JSON.
        """
        if self._experiment is None:
            self._experiment = runmode.RunContext(
                quick=self.quick,
                seed=self.seed,
                workdir=self.workdir("notebook"),
                smoke=self.smoke and not self.quick,
                data_root=self.data_root,
                progress=self.progress,
                smoke_steps=self.smoke_steps,
                smoke_samples=self.smoke_samples,
            )
        return self._experiment

    def workdir(self, name: str) -> Path:
        """Where the notebook's experiment ``name`` keeps its resumable state: ``OUT/.work/NAME[-quick|-smoke]-seedN``.

        Example:
            >>> Session(requested_quick=True, smoke=False, seed=0, data_root=Path("data"), out=Path("out")).workdir("cnn")
            PosixPath('out/.work/cnn-quick-seed0')
        """
        smoke = self.smoke and not self.quick
        return registry.workdir_for(name, quick=self.quick, smoke=smoke, seed=self.seed, out=self.out)

    def fit_callbacks(
        self, name: str, train, previous=None, initial_epoch: int = 0, early_stopping_patience: int | None = None
    ) -> training.FitCallbacks:
        """The callbacks of a cell's ``model.fit``: seeding, resume from ``OUT/.work/NAME...``, the settings recorded
        in the experiment's JSONs, the smoke cap and one line per epoch (:class:`~practicas.training.FitCallbacks`).

        ``train`` is the fit's training pipeline. Give each fit its own ``name``
        (a cell rerun with other settings: a name with them in it keeps both runs).
        ``tracking.history`` then holds every epoch, also those before an interruption; ``previous`` is the
        history of the fit this one continues (a fine-tuning phase), which it then includes, and
        ``initial_epoch`` the epoch that ``fit`` starts from (recorded with the fit's settings).
        ``early_stopping_patience``: stop when the validation loss has not improved for that many epochs and restore
        the best weights (Keras's ``EarlyStopping``, whose state here survives an interruption too).

        Example:
            >>> tracking = session.fit_callbacks(f"simple_cnn-lr{LEARNING_RATE}", train)  # doctest: +SKIP
            >>> model.fit(train, validation_data=validation, epochs=EPOCHS, callbacks=[tracking])  # doctest: +SKIP
        """
        workdir = self.workdir(name)
        return training.FitCallbacks(
            train,
            seed=self.seed,
            run=self.context,
            workdir=workdir,
            previous=previous,
            initial_epoch=initial_epoch,
            early_stopping_patience=early_stopping_patience,
        )

    def run(self, artifact_id: str) -> None:
        """Produce one artifact (as ``python -m practicas run`` would) and show it; on missing data or weights, say
        what is missing and how to get it, and go on so the next cells still run. Its data: ``session.saved[ID]``.
        """
        try:
            self.saved[artifact_id] = registry.run(
                artifact_id,
                quick=self.requested_quick,
                smoke=self.smoke,
                seed=self.seed,
                out=self.out,
                data_root=self.data_root,
                show=self.show,
            )
        except PracticasError as error:
            print(f"[{artifact_id}] not produced: {error}", flush=True)

    def save(self, artifact_id: str, result) -> None:
        """Write and show an artifact from a result the cells made (OUT/ID.json, .npz, .png or .md).

        It returns nothing, so a cell that ends with it shows the figure, not
        a dict; the data written is ``session.saved[ID]``.
        """
        out = self.files_out or self.out
        if "ascent" in result:  # what a gradient ascent used, returned with its images (practicas.gradient_ascent)
            self.context.record("ascents", dict(result["ascent"]))
        kept = registry.keep_earlier_run(artifact_id, self.context, out)
        if kept:
            print(f"[{artifact_id}] the run with other settings is kept in {kept[0].parent}/ ({kept[0].stem}.*)")
        self.saved[artifact_id] = registry.save(
            artifact_id, result, self.context, out=out, show=self.show, started=self.started
        )
        self.experiment_ids.append(artifact_id)

    def compare(self) -> None:
        """Show the report's numbers beside those of the artifacts this experiment saved, with ``compare``'s
        verdict, as a table (``python -m practicas compare OUT`` gives every artifact's); then, beside this run's,
        the numbers of earlier runs of the same artifacts with other settings (``OUT/earlier/``).

        A quick run is never comparable (stand-in data); a full run is within the report's band or outside it.
        """
        from practicas import comparison

        out = self.files_out or self.out
        table = comparison.compare_markdown(out, ids=set(self.experiment_ids))
        registry.show_markdown(table)


def start(
    *,
    quick: bool = True,
    smoke: bool = False,
    seed: int = 0,
    data: str = "data",
    out: str = "out",
    drive: bool = False,
    practical: str | None = None,
    deterministic: bool = False,
) -> Session:
    """Set a notebook up: apply the environment's overrides, make the folders, mount Drive, check for a GPU.

    ``drive=True`` (in Colab) puts DATA and OUT on Google Drive, so a runtime
    that disconnects resumes where it stopped. ``practical`` names the
    notebook's practical, for the time estimate printed when ``quick=False``
    runs on a CPU. ``deterministic=True`` turns on deterministic kernels
    (:func:`practicas.training.enable_determinism`): the same bits on a GPU
    too, at some speed.

    Example:
        >>> session = start(quick=True, seed=3, out="/tmp/practicas-out", data="/tmp/practicas-data")  # doctest: +ELLIPSIS
        mode: ...; seed 3; data: ...; out: ...; GPU: ...
        >>> session.seed, session.out.is_dir()
        (3, True)
    """
    quick, smoke = _flag("PRACTICAS_QUICK", quick), _flag("PRACTICAS_SMOKE", smoke)
    if quick and smoke:
        smoke = False  # quick wins: stand-in data; smoke is a capped run of the *full* configuration
    data, out = Path(os.environ.get("PRACTICAS_DATA", data)), Path(os.environ.get("PRACTICAS_OUT", out))
    if drive:
        if "google.colab" in sys.modules:
            from google.colab import drive as colab_drive

            colab_drive.mount("/content/drive")
            data, out = DRIVE_FOLDER / "data", DRIVE_FOLDER / "out"
        else:
            print("drive=True only applies in Colab; using local folders", flush=True)
    data, out = data.expanduser().resolve(), out.expanduser().resolve()
    data.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    from practicas import import_tensorflow_quietly

    import_tensorflow_quietly()  # without TensorFlow's start-up lines in the notebook
    session = Session(requested_quick=quick, smoke=smoke, seed=int(seed), data_root=data, out=out)
    session.default_policy = keras.config.dtype_policy().name  # what experiments without mixed precision use
    from practicas.training import gpu_available

    gpu = gpu_available()
    mode = "quick (stand-in data)" if quick else "smoke (full configuration, capped)" if smoke else "full"
    if deterministic:
        from practicas.training import enable_determinism

        enable_determinism()
        mode += ", deterministic kernels"
    print(f"mode: {mode}; seed {seed}; data: {data}; out: {out}; GPU: {'yes' if gpu else 'no'}", flush=True)
    if not (quick or smoke or gpu):
        minutes = ESTIMATED_GPU_MINUTES.get(practical or "", 60)
        print(
            f"WARNING: full mode on a CPU. This notebook needs about {minutes} GPU-minutes (an estimate); a CPU takes "
            "20-50 times as long. In Colab: Runtime > Change runtime type > GPU.",
            flush=True,
        )
    return session
