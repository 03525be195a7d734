"""practicas: a Keras 3 companion to five computer-vision course reports.

Three practicals, one subpackage each: :mod:`practicas.basenet` (CNNs from
scratch), :mod:`practicas.transfer` (transfer learning) and
:mod:`practicas.gradient_ascent` (what a network has learned). Shared code
lives beside them: :mod:`practicas.datasets`, :mod:`practicas.pipelines`,
:mod:`practicas.training`, :mod:`practicas.evaluation`, :mod:`practicas.plots`.

Every figure and table of the reports has an ID (``r000-F1``...) and is
produced by one call:

    >>> import practicas
    >>> data = practicas.run("r000-T2", quick=True)  # doctest: +SKIP
"""

import os as _os
import platform as _platform
import sys as _sys

# TensorFlow switches its oneDNN kernels on by default only for Intel CPUs with AVX-512 VNNI/AMX-class
# features. On other x86-64 CPUs (AMD EPYC here) they train the Simple CNN 1.5x faster and run batched
# gradient ascent 1.7x faster (bench/basenet_fashion.py, bench/ascent.py), so practicas defaults them on.
# The variable is read when TensorFlow is first imported: import practicas first, or set
# TF_ENABLE_ONEDNN_OPTS=0 yourself to keep TensorFlow's own choice.
if _platform.machine().lower() in ("x86_64", "amd64"):
    _os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"

# Before anything imports Keras: an unsupported stack is one message naming the package and the fix, not a traceback
# from deep inside Keras or TensorFlow.
from practicas.versions import check_environment as _check_environment  # noqa: E402

_check_environment()


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and find its devices with the start-up lines (oneDNN notice, CUDA stub, cuInit) hidden.

    TensorFlow writes them from C++ before it reads ``TF_CPP_MIN_LOG_LEVEL``,
    so the only way to hide them is to point the process's stderr elsewhere
    for the import. An import error is still raised, with its message.
    ``PRACTICAS_TF_LOGS=1`` shows the lines. Under ``KERAS_BACKEND=jax`` or
    ``torch`` it does nothing.

    Example:
        >>> import_tensorflow_quietly()
        >>> import sys
        >>> "tensorflow" in sys.modules
        True
    """
    if _os.environ.get("PRACTICAS_TF_LOGS") == "1" or "tensorflow" in _sys.modules:
        return
    if _os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":  # JAX or PyTorch: no TensorFlow to load
        return
    _sys.stderr.flush()
    saved = _os.dup(2)
    try:
        with open(_os.devnull, "w") as devnull:
            _os.dup2(devnull.fileno(), 2)
            try:
                import tensorflow

                tensorflow.config.list_physical_devices()  # CUDA's "failed call to cuInit" on GPU-less machines
            finally:
                _os.dup2(saved, 2)
    finally:
        _os.close(saved)


def run(
    artifact_id: str,
    *,
    quick: bool = False,
    smoke: bool = False,
    seed: int = 0,
    out: str = "out",
    data_root: str | None = None,
    show: bool = True,
) -> dict:
    """Produce one report artifact (see :func:`practicas.registry.run`); shows it inline in notebooks.

    It runs the cells of the ID's notebook section up to the one that saves it, so what they print shows too.

    Example:
        >>> data = run("r000-T2", quick=True, out="/tmp/practicas-out", show=False)  # doctest: +ELLIPSIS
        Fashion-MNIST subset (quick stand-in for MNIST) - train (2000, 28, 28, 1) ... Total params: 813,802 ...
        >>> data["params"]["total"]
        813802
    """
    from practicas import registry

    return registry.run(artifact_id, quick=quick, smoke=smoke, seed=seed, out=out, data_root=data_root, show=show)
