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
exec .venv/bin/python -m pytest -q -p no:cacheprovider --nbmake --nbmake-timeout=1800 --doctest-modules practicas notebooks tests "$@"
