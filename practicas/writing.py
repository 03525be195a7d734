"""Write artifact files atomically: a reader never sees a half-written PNG, JSON or table.

Each writer renders to a temporary file in the destination folder and then
renames it over the target, so an interrupted run leaves the previous file
intact instead of a truncated one.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from practicas.errors import OutputDirError


def ensure_writable_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` if needed and check that files can be written in it.

    Example:
        >>> ensure_writable_dir("/tmp/practicas-out")
        PosixPath('/tmp/practicas-out')
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as error:
        raise OutputDirError(f"output folder {str(path)!r} cannot be written: {error.strerror or error}") from error
    return path


def _replace_atomically(target: Path, write) -> Path:
    target = Path(target)
    ensure_writable_dir(target.parent)
    # All suffixes, so Keras still sees ".weights.h5" on the temporary file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix="".join(target.suffixes))
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_weights(path: str | os.PathLike, model) -> Path:
    """Save ``model``'s weights to ``path`` (``*.weights.h5``) atomically: an interruption keeps the old file.

    Example:
        >>> write_weights("out/best.weights.h5", model)  # doctest: +SKIP
    """
    return _replace_atomically(Path(path), model.save_weights)


def to_jsonable(value):
    """Convert numpy scalars and arrays (recursively) to plain JSON types.

    Keys that start with ``_`` hold in-memory extras (images, models) and are dropped.
    Non-finite floats become ``None`` so the file stays valid JSON.

    Example:
        >>> to_jsonable({"a": np.float32(0.5), "_images": np.zeros(3)})
        {'a': 0.5}
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: str | os.PathLike, data) -> Path:
    """Write ``data`` as indented JSON, atomically.

    Example:
        >>> write_json("/tmp/practicas-out/x.json", {"metrics": {"accuracy": 0.9}})
        PosixPath('/tmp/practicas-out/x.json')
    """
    text = json.dumps(to_jsonable(data), indent=2, ensure_ascii=False)
    return write_text(path, text + "\n")


def write_arrays(path: str | os.PathLike, arrays: dict) -> Path | None:
    """Write the arrays a figure draws (images) to an ``.npz``, atomically; None when there are none.

    The JSON holds the numbers and the ``.npz`` the pixels, so a figure can be
    redrawn from the two (``python -m practicas plot``).

    Example:
        >>> write_arrays("/tmp/practicas-out/x.npz", {"_images": np.zeros((1, 2, 2))})
        PosixPath('/tmp/practicas-out/x.npz')
    """
    if not arrays:
        return None
    return _replace_atomically(Path(path), lambda tmp: np.savez_compressed(tmp, **arrays))


def read_result(path: str | os.PathLike) -> dict:
    """An artifact's JSON with its arrays (the ``.npz`` beside it, if any) back under their ``_`` keys.

    Example:
        >>> read_result(write_json("/tmp/practicas-out/numbers-only.json", {"a": 1}))  # no .npz beside it
        {'a': 1}
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: run the artifact first (python -m practicas run ID --out {path.parent})"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    arrays = path.with_suffix(".npz")
    if arrays.is_file():
        with np.load(arrays, allow_pickle=False) as saved:
            data.update({key: saved[key] for key in saved.files})
    return data


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8), atomically.

    Example:
        >>> write_text("/tmp/practicas-out/x.md", "| a |\\n")
        PosixPath('/tmp/practicas-out/x.md')
    """
    return _replace_atomically(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def save_figure(path: str | os.PathLike, figure, dpi: int = 120) -> Path:
    """Save a matplotlib figure as PNG, atomically.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> save_figure("/tmp/practicas-out/x.png", plt.figure())
        PosixPath('/tmp/practicas-out/x.png')
    """
    return _replace_atomically(Path(path), lambda tmp: figure.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png"))
