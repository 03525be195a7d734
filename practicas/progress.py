"""Progress lines for long work that is not a fit: feature extraction, prediction, gradient ascent.

A fit prints one line per epoch (:class:`practicas.training.EpochProgress`).
Other long loops print a line only once they have run a few seconds, then
every ``every_seconds``, and a last line when done: quick work stays silent,
a 20-minute extraction on a GPU says how far it is. ``enabled=False``
silences them (the CLI's ``--quiet`` silences the fits' lines per epoch).
"""

from __future__ import annotations

import sys
import time

import keras


class Progress:
    """``label: unit done/total (elapsed, about left)`` lines, once the work has taken ``after_seconds``.

    Example:
        >>> progress = Progress("resnet50 features", total=4, unit="image", after_seconds=0.0, every_seconds=0.0)
        >>> progress.update(2)  # doctest: +ELLIPSIS
        resnet50 features: image 2/4 (... s, about ... s left)
        >>> progress.finish()  # doctest: +ELLIPSIS
        resnet50 features: image 4/4 (... s)
    """

    AFTER_SECONDS = 5.0  # quieter work than this prints nothing
    EVERY_SECONDS = 15.0

    def __init__(
        self,
        label: str,
        total: int,
        *,
        unit: str = "step",
        after_seconds: float | None = None,
        every_seconds: float | None = None,
        stream=None,
        enabled: bool = True,
    ):
        self.label, self.total, self.stream = f"{label}: {unit}", int(total), stream
        self.after_seconds = self.AFTER_SECONDS if after_seconds is None else after_seconds
        self.every_seconds = self.EVERY_SECONDS if every_seconds is None else every_seconds
        self.started = self.last = time.perf_counter()
        self.printed, self.done = False, 0
        self.enabled = enabled

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stdout, flush=True)
        self.printed, self.last = True, time.perf_counter()

    def update(self, done: int, detail: str = "") -> None:
        """Record ``done`` units of ``total``; print when the work is long and a line is due (``detail`` appended)."""
        self.done = done
        now = time.perf_counter()
        elapsed = now - self.started
        if not self.enabled or elapsed < self.after_seconds or (self.printed and now - self.last < self.every_seconds):
            return
        left = elapsed / max(done, 1) * max(self.total - done, 0)
        detail = f", {detail}" if detail else ""
        self._print(f"{self.label} {done}/{self.total}{detail} ({elapsed:.0f} s, about {left:.0f} s left)")

    def finish(self) -> None:
        """A last line, if any was printed (so a long job ends with its total time)."""
        if self.enabled and self.printed:
            self._print(f"{self.label} {self.total}/{self.total} ({time.perf_counter() - self.started:.0f} s)")


class PredictProgress(keras.callbacks.Callback):
    """:class:`Progress` for ``model.predict``, batch by batch.

    Example:
        >>> import numpy as np
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.predict(np.zeros((4, 2)), verbose=0, callbacks=[PredictProgress("logits")]).shape
        (4, 1)
    """

    def __init__(self, label: str):
        super().__init__()
        self.label, self.progress = label, None

    def on_predict_begin(self, logs=None):
        self.progress = Progress(self.label, self.params.get("steps") or 0, unit="batch")

    def on_predict_batch_end(self, batch, logs=None):
        self.progress.update(batch + 1)

    def on_predict_end(self, logs=None):
        self.progress.finish()
