#!/usr/bin/env bash
# Quick start, command 2: the test suite, the docstring examples of the package and the notebooks (quick mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Formatting and lint first: a diff from `ruff format` or a lint finding fails the run (fix: .venv/bin/ruff format . && .venv/bin/ruff check --fix .).
.venv/bin/ruff format --check --quiet . || { echo "ruff format: files above need formatting (.venv/bin/ruff format .)" >&2; exit 1; }
.venv/bin/ruff check --quiet .
export TF_CPP_MIN_LOG_LEVEL=2 PRACTICAS_OFFLINE=1
# The notebooks run first (quick), into a fresh folder that a test then compares with the CLI's numbers.
export PRACTICAS_OUT="$PWD/.test-notebooks-out"
rm -rf "$PRACTICAS_OUT"
.venv/bin/python -m pytest -q -p no:cacheprovider --nbmake --nbmake-timeout=1800 --doctest-modules practicas notebooks tests "$@"
# The same assertions on Keras's PyTorch backend: builders (exact parameter counts), pipelines, training (a fit that
# beats chance, resume equal to an uninterrupted run), evaluation and gradient ascent (objectives up 10x, r003-F11's
# digits recognized). TensorFlow-only tests are marked and skip themselves; three quick ascent artifacts take minutes
# on PyTorch's CPU kernels, so they run on TensorFlow only. Without torch installed this part is skipped (CI has it).
if .venv/bin/python -c "import torch" 2>/dev/null; then
    KERAS_BACKEND=torch .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_basenet_models.py \
        tests/test_transfer.py tests/test_pipelines.py tests/test_training.py tests/test_evaluation_plots.py \
        tests/test_gradient_ascent.py -k "not quick_artifact_writes_png and not same_seed_gives_the_same_images"
elif [ -n "${CI:-}" ]; then
    echo "CI needs PyTorch for the PyTorch-backend tests: pip install torch==2.13.0 (.ci/run installs it)" >&2
    exit 1
else
    echo "torch is not installed: the PyTorch-backend rerun is skipped (pip install torch==2.13.0)"
fi
