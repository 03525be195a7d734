"""Run one benchmark measurement per Keras backend, each in a fresh process (the backend is fixed at import).

from backends import parse_backends, run_in_backend
"""

import importlib.util
import json
import os
import subprocess
import sys

BACKENDS = ("tensorflow", "jax", "torch")


def parse_backends(text: str) -> list[str]:
    """``"tensorflow,torch"`` -> the list, refusing unknown names."""
    chosen = [b.strip() for b in text.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in BACKENDS]
    if unknown:
        raise SystemExit(f"unknown backend(s) {unknown}: choose from {', '.join(BACKENDS)}")
    return chosen


def installed(backend: str) -> bool:
    return importlib.util.find_spec(backend) is not None


def run_in_backend(backend: str, command: list[str], env: dict | None = None) -> dict | None:
    """Run ``command`` (a script that prints ``RESULT <json>``) under ``KERAS_BACKEND=backend``.

    Returns the parsed result, or None (with a note printed) when the backend is not installed.
    """
    if not installed(backend):
        print(f"note: {backend} is not installed here: its rows are skipped")
        return None
    done = subprocess.run(
        command, env={**os.environ, **(env or {}), "KERAS_BACKEND": backend}, capture_output=True, text=True
    )
    if done.returncode or "RESULT " not in done.stdout:
        raise RuntimeError(f"the {backend} run failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.split("RESULT ", 1)[1])


def default_backends() -> str:
    """Every backend installed here, TensorFlow first."""
    return ",".join(b for b in BACKENDS if installed(b)) or "tensorflow"


if __name__ == "__main__":
    print(default_backends(), file=sys.stderr)
