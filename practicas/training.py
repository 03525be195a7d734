"""Training shared by every practical: seeding, the reports' optimizers, and a resumable fit.

Reproducibility and resumption come from one idea: every source of randomness
in an epoch (data order, augmentation, dropout masks) is derived from
``(seed, epoch)``, never from a generator's running state. A fit that is
killed after epoch 2 and started again under the same seed therefore replays
epoch 3 exactly as an uninterrupted run would, and `keras.callbacks.BackupAndRestore`
only has to restore weights, optimizer state and the epoch number.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

import keras
import numpy as np

from practicas import pipelines, runmode, writing
from practicas.errors import InvalidInputError

HISTORY_FILE = "history.json"
EARLY_STOPPING_FILE = "early_stopping.json"
FIT_FILE = "fit.json"  # the settings the state in a workdir was trained with
BEST_WEIGHTS_PREFIX = "early_stopping_best_epoch"


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend, so model weights are reproducible.

    Example:
        >>> set_seed(0)
    """
    keras.utils.set_random_seed(int(seed))


def gpu_available() -> bool:
    """Whether the Keras backend sees a GPU (XLA pays off there, not on a CPU).

    Example:
        >>> isinstance(gpu_available(), bool)
        True
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    if backend == "jax":
        import jax

        return any(device.platform == "gpu" for device in jax.devices())
    return False


def mixed_precision_pays() -> bool:
    """Whether a GPU with tensor cores (compute capability 7.0 or newer: V100, T4, A100, L4, H100) is in use.

    There ``mixed_float16`` runs the large networks about twice as fast in
    half the activation memory; on older GPUs and on CPUs it gains nothing.

    Example:
        >>> isinstance(mixed_precision_pays(), bool)
        True
    """
    if not gpu_available():
        return False
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpu = tf.config.list_physical_devices("GPU")[0]
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0))
    elif backend == "torch":
        import torch

        capability = torch.cuda.get_device_capability()
    else:
        import jax

        gpu = next(d for d in jax.devices() if d.platform == "gpu")
        capability = tuple(int(p) for p in str(getattr(gpu, "compute_capability", "0.0")).split(".")[:2])
    return tuple(capability) >= (7, 0)


@contextlib.contextmanager
def mixed_precision_where_it_pays(enabled: bool = True):
    """Build and train the enclosed models under ``mixed_float16`` if :func:`mixed_precision_pays`; yields the policy.

    The builders end in a float32 logits layer, and ``compile`` wraps the
    optimizer in Keras's loss scaling, so nothing else changes. Full runs of
    the ImageNet backbones and the 224x224 networks use it
    (:data:`practicas.registry.MIXED_PRECISION`); elsewhere, and on CPUs,
    the policy stays float32.

    Example:
        >>> with mixed_precision_where_it_pays() as policy:
        ...     model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> policy in ("float32", "mixed_float16")
        True
    """
    previous = keras.config.dtype_policy()
    policy = "mixed_float16" if enabled and mixed_precision_pays() else previous.name
    keras.config.set_dtype_policy(policy)
    try:
        yield policy
    finally:
        keras.config.set_dtype_policy(previous)


def steps_per_execution_for(batch_size: int) -> int:
    """Batches per compiled call: 1, except for tiny batches on a GPU (TensorFlow, JAX), which it would leave idle.

    r002 trains with batch 5: each step is a few microseconds of GPU work and
    a full round trip from Python. Running ``256 // batch_size`` steps per
    call (51 for r002) removes most of those round trips; the results are
    the same steps in the same order.

    Example:
        >>> steps_per_execution_for(64)
        1
    """
    if batch_size >= 32 or keras.backend.backend() == "torch" or not gpu_available():
        return 1
    return max(1, 256 // int(batch_size))


_DETERMINISTIC = False


def enable_determinism() -> None:
    """Deterministic kernels from now on, in this process: one seed gives the same bits on a GPU too (opt-in, slower).

    TensorFlow: ``tf.config.experimental.enable_op_determinism`` (an op with
    no deterministic GPU kernel then raises instead of varying); PyTorch:
    ``torch.use_deterministic_algorithms``; JAX: XLA's deterministic GPU ops
    (effective if set before JAX first uses the GPU). The cost is on GPUs
    (deterministic cuDNN convolution algorithms and scatter-adds): not
    measured here, since this project has had no GPU. On CPUs the kernels
    are deterministic already and nothing changes.

    Example:
        >>> enable_determinism()  # doctest: +SKIP
    """
    global _DETERMINISTIC
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    elif backend == "torch":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # cuBLAS asks for it with determinism
        import torch

        torch.use_deterministic_algorithms(True)
    elif backend == "jax":
        flags = os.environ.get("XLA_FLAGS", "")
        if "--xla_gpu_deterministic_ops" not in flags:
            os.environ["XLA_FLAGS"] = f"{flags} --xla_gpu_deterministic_ops=true".strip()
    _DETERMINISTIC = True


def determinism_enabled() -> bool:
    """Whether :func:`enable_determinism` was called in this process."""
    return _DETERMINISTIC


def sgd_with_decay(learning_rate: float = 0.01, decay: float = 1e-6, momentum: float = 0.9, **kwargs):
    """SGD with Keras 2's ``decay`` argument, as r001 uses it (lr 0.01, decay 1e-6, momentum 0.9).

    Keras 2 applied ``lr / (1 + decay * iterations)`` after every batch;
    Keras 3 dropped ``decay``, and ``InverseTimeDecay`` with ``decay_steps=1``
    is the same formula.

    Example:
        >>> opt = sgd_with_decay(0.01, decay=1e-6, momentum=0.9)
        >>> round(float(opt.learning_rate), 4)
        0.01
    """
    schedule = keras.optimizers.schedules.InverseTimeDecay(
        initial_learning_rate=learning_rate, decay_steps=1, decay_rate=decay
    )
    return keras.optimizers.SGD(learning_rate=schedule, momentum=momentum, **kwargs)


def compile_classifier(
    model: keras.Model, optimizer="adam", *, binary: bool = False, jit_compile=None, steps_per_execution: int = 1
):
    """Compile ``model`` (which outputs logits) with cross-entropy and accuracy.

    The builders in practicas end in a float32 logits layer, so the loss is
    computed ``from_logits`` (numerically safer than a softmax output, and
    what gradient ascent climbs). Integer labels are expected.
    XLA is used only on a GPU: on a CPU it made the Simple CNN 3.5x slower.

    Example:
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        >>> compile_classifier(model, "adam")
    """
    if jit_compile is None:
        # TensorFlow: XLA on GPUs only. JAX always compiles; PyTorch's torch.compile is left to the user.
        jit_compile = gpu_available() if keras.backend.backend() == "tensorflow" else "auto"
    if binary:
        loss = keras.losses.BinaryCrossentropy(from_logits=True)
        metrics = [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)]
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        metrics = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=metrics,
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )


class EpochSeeding(keras.callbacks.Callback):
    """Derive every random stream of an epoch from ``(seed, epoch)``.

    At the start of each epoch it sets the epoch counter that practicas' data
    pipelines read (shuffling and augmentation seeds) and resets the state of
    each layer's seed generator (dropout masks). Keras does not save those
    states in a checkpoint, so without this a resumed run would diverge.

    Example:
        >>> callback = EpochSeeding(seed=0)
    """

    def __init__(self, seed: int, epoch_variables: Iterable = ()):
        super().__init__()
        self.seed = int(seed)
        self.epoch_variables = list(epoch_variables)

    def on_epoch_begin(self, epoch, logs=None):
        for variable in self.epoch_variables:
            variable.assign(epoch)
        states = [v for v in self.model.variables if v.path.endswith("seed_generator_state")]
        for i, state in enumerate(states):
            state.assign(np.array([self.seed * 7919 + 1000 * (i + 1) + 1, epoch], dtype=state.dtype))
        if keras.backend.backend() == "torch":
            import torch

            # Keras's torch Dropout without a seed of its own draws from torch's global generator.
            torch.manual_seed(self.seed * 7919 + epoch)


class _HistoryWriter(keras.callbacks.Callback):
    """Append each finished epoch's logs to a JSON file (written atomically)."""

    def __init__(self, path: Path | None, previous: dict[str, list], smoke: bool = False):
        super().__init__()
        self.path, self.history = path, {k: list(v) for k, v in previous.items()}
        # A smoke run's earlier phase trained one epoch, not initial_epoch of them: its epochs follow on from those.
        self.smoke, self.offset = smoke, 0

    def on_train_begin(self, logs=None):
        self.offset = None if self.smoke else 0

    def on_epoch_begin(self, epoch, logs=None):
        if self.offset is None:
            self.offset = max(0, epoch - len(next(iter(self.history.values()), [])))

    def on_epoch_end(self, epoch, logs=None):
        epoch -= self.offset or 0
        for key, value in (logs or {}).items():
            # Index by epoch, not by append: a resumed run may replay an epoch already stored.
            values = self.history.setdefault(key, [])
            values[:] = (values + [None] * epoch)[:epoch] + [float(value)]
        for values in self.history.values():
            del values[epoch + 1 :]
        if self.path is not None:
            writing.write_json(self.path, self.history)


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """EarlyStopping whose patience counter, best value and best weights are saved in ``workdir`` every epoch.

    Keras' EarlyStopping starts counting afresh when a run is resumed, so an
    interrupted run could stop later than an uninterrupted one, and restore
    the best weights of the resumed part only. :func:`fit` uses this class
    whenever it has a ``workdir``, placed before its checkpoint callback.
    The state of the last two epochs is kept, and a resumed run takes the
    state of the epoch its checkpoint holds, so a kill between this write
    and the checkpoint's changes nothing.

    Example:
        >>> stopper = ResumableEarlyStopping("out/.work/run", monitor="val_loss", patience=3)  # doctest: +SKIP
    """

    def __init__(self, workdir: str | os.PathLike, **kwargs):
        super().__init__(**kwargs)
        self.workdir = Path(workdir)
        self.state_path = self.workdir / EARLY_STOPPING_FILE
        self._state_pending = False

    def saved_states(self) -> dict[int, dict]:
        """The saved state of each kept epoch, by epoch index (empty before the first epoch ends)."""
        if not self.state_path.exists():
            return {}
        return {int(epoch): state for epoch, state in json.loads(self.state_path.read_text()).items()}

    def saved_state(self) -> dict:
        """What the last finished epoch saved (empty before the first epoch ends)."""
        states = self.saved_states()
        return states[max(states)] if states else {}

    def best_weights_path(self, epoch: int) -> Path:
        """Where the weights of best epoch ``epoch`` are kept."""
        return self.workdir / f"{BEST_WEIGHTS_PREFIX}{epoch:04d}.weights.h5"

    def restore_best_weights_now(self) -> None:
        """Put the saved best weights into the model (a finished run called again)."""
        path = self.best_weights_path(self.saved_state().get("best_epoch", 0))
        if self.restore_best_weights and path.exists():
            self.model.load_weights(path)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        # The epoch a resumed run starts at is known only once the checkpoint is loaded.
        self._state_pending = True

    def on_epoch_begin(self, epoch, logs=None):
        if not self._state_pending:
            return
        self._state_pending = False
        state = self.saved_states().get(epoch - 1)
        if state is None:
            return
        self.wait, self.best, self.best_epoch, self.stopped_epoch = (
            state["wait"],
            state["best"],
            state["best_epoch"],
            state["stopped_epoch"],
        )
        path = self.best_weights_path(self.best_epoch)
        if self.restore_best_weights and path.exists():
            current = self.model.get_weights()
            self.model.load_weights(path)
            self.best_weights = self.model.get_weights()
            self.model.set_weights(current)

    def on_epoch_end(self, epoch, logs=None):
        previous_best_epoch = self.best_epoch if self.best_weights is not None else None
        super().on_epoch_end(epoch, logs)
        if self.restore_best_weights and self.best_weights is not None and self.best_epoch != previous_best_epoch:
            writing.write_weights(self.best_weights_path(self.best_epoch), self.model)
        states = {e: s for e, s in self.saved_states().items() if e < epoch}
        states[epoch] = {
            "wait": self.wait,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "stopped_epoch": self.stopped_epoch,
        }
        states = dict(sorted(states.items())[-2:])
        writing.write_json(self.state_path, states)
        kept = {self.best_weights_path(s["best_epoch"]).name for s in states.values()}
        for path in self.workdir.glob(f"{BEST_WEIGHTS_PREFIX}*.weights.h5"):
            if path.name not in kept:
                path.unlink()


class EpochProgress(keras.callbacks.Callback):
    """One line per epoch: epoch, the metrics, seconds per epoch and the time left (what ``fit`` shows by default).

    Keras's own progress bar redraws a line per batch, which a notebook saved
    to Drive or a CI log turns into thousands of lines; this prints one.

    Example:
        >>> progress = EpochProgress(epochs=10, name="simple_cnn")
        >>> progress.on_epoch_begin(0); progress.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.8})  # doctest: +ELLIPSIS
        simple_cnn epoch 1/10: loss 0.5000, accuracy 0.8000 (... s/epoch, about ... left)
    """

    def __init__(self, epochs: int, name: str = "", stream=None):
        super().__init__()
        self.epochs, self.name, self.stream, self.seconds = epochs, name, stream, []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)
        per_epoch = float(np.mean(self.seconds))
        left = per_epoch * max(0, self.epochs - epoch - 1)
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items() if isinstance(v, (int, float)))
        remaining = f"{left / 60:.1f} min" if left >= 90 else f"{left:.0f} s"
        print(
            f"{self.name} epoch {epoch + 1}/{self.epochs}: {metrics} ({per_epoch:.1f} s/epoch, about {remaining} left)",
            file=self.stream,
            flush=True,
        )


class _StepTimer(keras.callbacks.Callback):
    """The fit's settings and the seconds of each step after the first (which traces and compiles), for ``sink``."""

    def __init__(self, sink: list, settings: dict):
        super().__init__()
        self.sink, self.settings, self.times = sink, settings, []

    def on_train_batch_begin(self, batch, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter() - self.started)

    def on_train_end(self, logs=None):
        self.sink.append({"fit": self.settings, "seconds": self.times[1:] or self.times})


class _FitStart(keras.callbacks.Callback):
    """At the start of a fit: record its settings in the run, set aside a workdir's state of other settings, and
    hand the history writer the epochs already on disk."""

    def __init__(self, fit: FitCallbacks):
        super().__init__()
        self.fit = fit

    def on_train_begin(self, logs=None):
        fit = self.fit
        # Without a tf.distribute strategy, Keras's TensorFlow trainer builds an unbuilt optimizer inside the first
        # traced train step, where each slot variable costs tens of milliseconds to create: 15 s for a fine-tuned
        # EfficientNetB0's 430 variables on this project's CPU, 0.9 s eagerly. Built here, eagerly, as Keras does
        # under a strategy (and on JAX and PyTorch, where it is built already); the variables are the same zeros.
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        # BackupAndRestore tells fit where to resume through model._initial_epoch and never clears it: left from an
        # earlier fit of this model that resumed (a fine-tuning phase after its head phase), it would replace this
        # fit's initial_epoch. Only this fit's checkpoint, loaded after this, may set it.
        self.model._initial_epoch = None
        settings = fit_settings(self.model, fit.train, epochs=self.params["epochs"], **fit.recorded)
        fit.run.record("fits", settings)
        fit.run.record_weights_of(self.model)
        if fit.timer is not None:
            fit.timer.settings = {**settings, "dataset": (fit.run.settings.get("datasets") or [{}])[-1].get("name")}
        if fit.workdir is not None:
            _set_aside_state_of_other_settings(fit.workdir, self.model, settings)
            saved = load_history(fit.workdir)
            if len(next(iter(saved.values()), [])) > len(next(iter(fit.writer.history.values()), [])):
                fit.writer.history = saved  # the epochs run before an interruption
        if fit.progress is not None:
            first = fit.recorded["initial_epoch"]
            fit.progress.epochs, fit.progress.name = (
                (first + 1 if fit.run.smoke else self.params["epochs"]),
                self.model.name,
            )


class _FinishedEarlyStop(keras.callbacks.Callback):
    """A fit that already stopped early, run again (a cell rerun, a resumed notebook): it gives back the best
    weights and trains no further epoch, instead of training on until patience runs out a second time."""

    def __init__(self, stopper: ResumableEarlyStopping):
        super().__init__()
        self.stopper = stopper

    def on_train_begin(self, logs=None):
        stopped_epoch = self.stopper.saved_state().get("stopped_epoch", 0)
        if stopped_epoch > 0:
            self.stopper.stopped_epoch = stopped_epoch
            self.stopper.restore_best_weights_now()
            # BackupAndRestore sets the epoch to resume from the same way; fit's loop then runs no epoch.
            self.model._initial_epoch = self.params["epochs"]


class _SmokeCap(keras.callbacks.Callback):
    """A smoke run's fit: ``steps`` steps of one epoch, then stop."""

    def __init__(self, steps: int):
        super().__init__()
        self.steps = steps

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 >= self.steps:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):  # an epoch of fewer batches (a small smoke split) ends here too
        self.model.stop_training = True


class FitCallbacks(keras.callbacks.Callback):
    """What practicas adds to a ``model.fit`` call, as one Keras callback; :attr:`history` holds every epoch.

    - Seeding: each epoch's data order, augmentation and dropout masks come
      from ``(seed, epoch)`` (:class:`EpochSeeding`; ``train`` is the
      pipeline whose epoch counter it advances).
    - Resume: with ``workdir``, an interrupted fit picks up at the epoch it
      reached (``keras.callbacks.BackupAndRestore``), and every epoch's logs
      stay in ``workdir/history.json``. State there from a fit with other
      settings (a cell rerun with another learning rate) is moved aside first.
    - Record: the fit's settings (model, input shape, batch size, epochs,
      optimizer, learning rate) go into ``run.settings["fits"]``, and the
      pretrained weights its networks were built with into
      ``run.settings["weights"]``; the artifact's JSON carries them.
    - Early stopping (``early_stopping_patience``): Keras's ``EarlyStopping`` on
      ``monitor``, best weights restored; with ``workdir`` its counter and best
      weights are saved each epoch (:class:`ResumableEarlyStopping`), and a fit
      that already stopped, run again, restores them and trains no more.
    - Smoke cap: in a smoke run (``run.smoke``), one epoch of
      ``run.smoke_steps`` steps, each timed.
    - Progress: one line per epoch, unless ``run.progress`` is off.

    ``previous``: the history of the fit this one continues (a fine-tuning
    phase after the frozen one, with ``initial_epoch``), so that
    :attr:`history` covers both. ``session.fit_callbacks(name, train)`` makes one for a notebook cell.

    Example:
        >>> import keras, numpy as np
        >>> from practicas import pipelines, runmode
        >>> train = pipelines.array_pipeline(np.zeros((8, 4)), np.zeros(8, "int64"), batch_size=4)
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
        >>> model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        >>> callbacks = FitCallbacks(train, seed=0, run=runmode.RunContext(progress=False))
        >>> _ = model.fit(train, epochs=2, callbacks=[callbacks], verbose=0)
        >>> len(callbacks.history.history["loss"]), callbacks.run.settings["fits"][0]["epochs"]
        (2, 2)
    """

    def __init__(
        self,
        train,
        *,
        seed: int,
        run: runmode.RunContext,
        workdir: str | os.PathLike | None = None,
        previous: keras.callbacks.History | None = None,
        initial_epoch: int = 0,
        batch_size: int | None = None,
        early_stopping_patience: int | None = None,
        monitor: str = "val_loss",
        progress: bool = True,
    ):
        super().__init__()
        self.callbacks: list[keras.callbacks.Callback] = []
        self.train, self.run = train, run
        # Recorded with the fit's settings (Keras does not tell callbacks the initial epoch).
        self.recorded = dict(
            initial_epoch=initial_epoch, batch_size=batch_size, early_stopping_patience=early_stopping_patience
        )
        self.workdir = writing.ensure_writable_dir(workdir) if workdir is not None else None
        history_file = self.workdir / HISTORY_FILE if self.workdir else None
        self.writer = _HistoryWriter(history_file, previous.history if previous is not None else {}, smoke=run.smoke)
        self.timer = _StepTimer(run.step_seconds, {}) if run.smoke else None
        self.progress = EpochProgress(epochs=0, name="") if run.progress and progress else None
        self.callbacks.append(_FitStart(self))
        self.callbacks.append(EpochSeeding(seed, pipelines.epoch_variables(train)))
        self.callbacks.append(self.writer)
        self.stopper: keras.callbacks.EarlyStopping | None = None
        if early_stopping_patience is not None:  # its state on disk before the checkpoint too
            options = dict(monitor=monitor, patience=early_stopping_patience, restore_best_weights=True)
            self.stopper = (
                ResumableEarlyStopping(self.workdir, **options)
                if self.workdir is not None
                else keras.callbacks.EarlyStopping(**options)
            )
            self.callbacks.append(self.stopper)
        if self.workdir is not None:  # after the writer: an epoch's history is on disk before its checkpoint
            self.callbacks.append(
                keras.callbacks.BackupAndRestore(str(self.workdir / "backup"), delete_checkpoint=False)
            )
        if isinstance(self.stopper, ResumableEarlyStopping):  # after the checkpoint is loaded
            self.callbacks.append(_FinishedEarlyStop(self.stopper))
        if run.smoke:
            self.callbacks.extend([_SmokeCap(run.smoke_steps), self.timer])
        if self.progress is not None:
            self.callbacks.append(self.progress)

    def set_params(self, params):
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        for callback in self.callbacks:
            callback.set_model(model)

    @property
    def history(self) -> keras.callbacks.History:
        """Every epoch's logs, also those of a run interrupted before this one (``history.history``); with early
        stopping, ``history.stopped_epoch`` is Keras's (the 0-based epoch it stopped at, 0 when it did not)."""
        history = _as_history(self.writer.history)
        if self.stopper is not None:
            history.stopped_epoch = int(self.stopper.stopped_epoch)
        return history


def _forward(hook: str):
    def forward(self, *args, **kwargs):
        for callback in self.callbacks:
            getattr(callback, hook)(*args, **kwargs)

    forward.__name__ = hook
    return forward


# The hooks its parts use (epochs, and batches for the smoke cap and step timer); the others stay Keras's no-ops.
for _hook in ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin"):
    setattr(FitCallbacks, _hook, _forward(_hook))
FitCallbacks.on_train_batch_end = _forward("on_train_batch_end")


def _batches(data) -> int | None:
    """Batches per epoch (None where the pipeline does not know: an endless or filtered tf.data pipeline)."""
    if data is None:
        return None
    try:
        batches = len(data)
    except TypeError:  # a tf.data.Dataset knows its length only through cardinality
        batches = int(data.cardinality())
    return batches if batches > 0 else None


def _capped_steps(data, cap: int) -> int:
    batches = _batches(data)
    return max(1, min(cap, batches)) if batches else cap


def _learning_rate(optimizer):
    rate = getattr(optimizer, "_learning_rate", None)  # the schedule itself, where there is one
    rate = optimizer.learning_rate if rate is None else rate
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        config = rate.get_config()
        return {"schedule": type(rate).__name__, **{k: v for k, v in config.items() if k != "name"}}
    # Seven significant digits: float32's 1e-3 reads 0.001, not 0.0010000000474974513.
    return float(f"{float(np.asarray(keras.ops.convert_to_numpy(rate))):.7g}")


def fit_settings(
    model: keras.Model, train, *, epochs: int, initial_epoch: int = 0, batch_size=None, early_stopping_patience=None
) -> dict:
    """What a fit uses, as the artifact's JSON records it: model, input shape, batch size, epochs, optimizer, loss.

    Example:
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
        >>> compile_classifier(model, keras.optimizers.Adam(1e-3))
        >>> fit_settings(model, None, epochs=10, batch_size=64)["optimizer"]
        {'name': 'Adam', 'learning_rate': 0.001}
    """
    optimizer = model.optimizer
    loss = getattr(model, "loss", None)
    return {
        "model": model.name,
        "input_shape": list(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None,
        "batch_size": batch_size or next(iter(pipelines.pipeline_attributes(train, "batch_size")), None),
        "epochs": int(epochs),
        "initial_epoch": int(initial_epoch),
        "optimizer": None
        if optimizer is None
        else {
            "name": type(optimizer).__name__,
            "learning_rate": _learning_rate(optimizer),
            **({"momentum": float(optimizer.momentum)} if getattr(optimizer, "momentum", 0) else {}),
        },
        "loss": getattr(loss, "name", None) or type(loss).__name__ if loss is not None else None,
        "early_stopping_patience": early_stopping_patience,
        # What else a cell's knob changes without changing the parameter count (an exercise's augmentation off,
        # another dropout, BatchNorm left trainable, the ImageDataGenerator flows): a rerun with it trains anew.
        "pipeline": None if train is None else "tf.data" if hasattr(train, "element_spec") else type(train).__name__,
        "batches": _batches(train),
        "augmentation": repr(next(iter(pipelines.pipeline_attributes(train, "augmentation")), None)),
        "dropout": [float(layer.rate) for layer in _all_layers(model) if isinstance(layer, keras.layers.Dropout)],
        "trainable_weights": len(model.trainable_weights),
    }


def _all_layers(model: keras.Model) -> list:
    """Every layer of ``model``, those of nested models (a backbone) included."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(_all_layers(layer))
    return found


def _set_aside_state_of_other_settings(workdir: Path, model: keras.Model, settings: dict) -> None:
    """Resume only the same fit: state a workdir holds from other settings (a notebook cell rerun with another
    learning rate, batch size or network) moves to ``workdir/replaced-N``, and this fit starts from its first epoch.

    More epochs is the same fit, continued. Without this, such a rerun would silently return the old run.
    """
    kept = {k: v for k, v in settings.items() if k not in ("model", "epochs")}  # a name may be auto-numbered
    same = json.loads(json.dumps({**kept, "params": int(model.count_params())}))
    path = workdir / FIT_FILE
    before = json.loads(path.read_text()) if path.exists() else same
    if before != same:
        aside = workdir / f"replaced-{1 + len(list(workdir.glob('replaced-*')))}"
        aside.mkdir()
        for name in (HISTORY_FILE, EARLY_STOPPING_FILE, "backup", FIT_FILE):
            if (workdir / name).exists():
                (workdir / name).rename(aside / name)
        changed = ", ".join(f"{k} {before.get(k)} -> {v}" for k, v in same.items() if before.get(k) != v)
        print(
            f"{workdir} held a fit with other settings ({changed}): kept in {aside}; training from epoch 1", flush=True
        )
    writing.write_json(path, same)


def load_history(workdir: str | os.PathLike) -> dict[str, list]:
    """The history saved by :func:`fit` in ``workdir`` (empty if none).

    Example:
        >>> load_history("/nonexistent")
        {}
    """
    path = Path(workdir) / HISTORY_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _as_history(history_dict: dict[str, list], first_epoch: int = 0) -> keras.callbacks.History:
    history = keras.callbacks.History()
    history.history = history_dict
    n = len(next(iter(history_dict.values()), []))
    history.epoch = list(range(first_epoch, first_epoch + n))
    return history


def fit(
    model: keras.Model,
    train,
    *,
    validation_data=None,
    epochs: int,
    seed: int = 0,
    initial_epoch: int = 0,
    previous_history: keras.callbacks.History | dict | None = None,
    workdir: str | os.PathLike | None = None,
    early_stopping_patience: int | None = None,
    monitor: str = "val_loss",
    batch_size: int | None = None,
    callbacks: Iterable[keras.callbacks.Callback] = (),
    verbose: int = 0,
    run: runmode.RunContext | None = None,
) -> keras.callbacks.History:
    """Train with ``model.fit`` and return the full history, resumable and continuable.

    ``run`` is the experiment's :class:`~practicas.runmode.RunContext`: the
    fit's settings are recorded in it, a smoke run's fit is capped, and its
    ``progress`` prints one line per epoch (default: a full run, recorded nowhere).

    - ``train`` is a ``tf.data.Dataset`` (ideally from :mod:`practicas.pipelines`,
      whose shuffling follows the epoch counter) or a Keras ``PyDataset``.
    - ``workdir``: checkpoints (``BackupAndRestore``) and ``history.json`` go
      there; calling ``fit`` again after an interruption resumes at the epoch
      reached and returns the history of every epoch.
    - ``initial_epoch`` / ``previous_history``: continue a trained model
      (r000-F2 trains epochs 11-20 after 1-10); the returned history covers
      all epochs, numbered from 1 in plots.
    - ``early_stopping_patience``: stop when ``monitor`` has not improved for
      that many epochs and restore the best weights (r001-F17).

    Example:
        >>> history = fit(model, train_ds, validation_data=val_ds, epochs=10, seed=0)  # doctest: +SKIP
        >>> history = fit(model, train_ds, validation_data=val_ds, epochs=20,
        ...               initial_epoch=10, previous_history=history)  # doctest: +SKIP
    """
    if isinstance(train, tuple) or isinstance(train, np.ndarray):
        raise InvalidInputError(
            "fit expects a tf.data.Dataset or PyDataset; wrap arrays with practicas.pipelines.array_pipeline"
        )
    run = runmode.RunContext() if run is None else run
    previous = (
        previous_history.history if isinstance(previous_history, keras.callbacks.History) else (previous_history or {})
    )
    previous = {k: list(v)[:initial_epoch] for k, v in previous.items()}
    steps = {}
    if run.smoke:  # the full configuration, one short epoch (FitCallbacks stops it): proves the path, not the result
        steps = dict(
            steps_per_epoch=_capped_steps(train, run.smoke_steps),
            validation_steps=None if validation_data is None else _capped_steps(validation_data, run.smoke_steps),
        )
        if previous:  # a smoke run's earlier part trained one epoch, not initial_epoch of them
            initial_epoch = min(initial_epoch, len(next(iter(previous.values()))))
    if workdir is not None and not model.built:
        raise InvalidInputError("build the model (give it an Input) before fit, so it can be restored")
    tracking = FitCallbacks(
        train,
        seed=seed,
        run=run,
        workdir=workdir,
        previous=_as_history(previous),
        initial_epoch=initial_epoch,
        batch_size=batch_size,
        early_stopping_patience=early_stopping_patience,
        monitor=monitor,
        progress=run.progress and not verbose,
    )
    model.fit(
        train,
        validation_data=validation_data,
        epochs=epochs,
        initial_epoch=initial_epoch,
        batch_size=batch_size,
        callbacks=[tracking, *callbacks],
        verbose=verbose,
        shuffle=False,  # order comes from the pipeline, seeded by epoch
        **steps,
    )
    return tracking.history
