#!/usr/bin/env bash
# The versions students have: build .venv-STACK from constraints/STACK.txt (colab: Colab's published packages;
# lowest: pyproject.toml's lower bounds) and run what proves a student's path on it: the package's docstring
# examples, the version check, the builders' exact parameter counts, the data pipelines, and the smoke run of
# every notebook on the practicas.testing fixtures.
# Usage: bash scripts/test_compat.sh colab|lowest [--install | --no-smoke] [pytest options]
# --install: build the venv and stop (.ci/run does that before the README's test command, which calls this script).
# --no-smoke: leave out the notebooks' smoke runs (most of a stack's time: about 11 of its 13 minutes in CI on one
# worker; a stack alone on two workers takes about 7).
# The smoke runs go first. On two workers (a stack alone): notebook 02 (the longest) on one, notebooks 01 and 03 on
# the other (tests/test_full_mode.py's SMOKE_GROUPS), the rest of the subset fills in. scripts/test.sh runs the two
# stacks side by side with one worker each (PRACTICAS_TEST_WORKERS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: bash scripts/test_compat.sh colab|lowest [--install | --no-smoke] [pytest options]}"
shift
constraints="constraints/$stack.txt"
[ -f "$constraints" ] || { echo "no $constraints: the stacks are $(ls constraints | sed 's/\.txt//' | xargs)" >&2; exit 2; }
venv=".venv-$stack"
stamp="$venv/.installed-$(cat pyproject.toml "$constraints" | sha1sum | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  # uv, as scripts/setup.sh: the same resolution as pip's, in a fraction of the time.
  "$venv/bin/python" -m pip install -q uv
  # Editable: the notebooks' kernels (which start in notebooks/) import this checkout, as the tests do.
  "$venv/bin/uv" pip install -q --python "$venv/bin/python" -c "$constraints" -e ".[dev]"
  touch "$stamp"
fi
if [ "${1:-}" = "--install" ]; then exit 0; fi
smoke=(tests/test_full_mode.py::test_every_notebook_runs_in_full_configuration_on_real_formats)
if [ "${1:-}" = "--no-smoke" ]; then
  smoke=()
  shift
fi
"$venv/bin/python" - <<'PY'
import importlib.metadata as m, platform
print("stack:", ", ".join(f"{p} {m.version(p)}" for p in ("tensorflow", "keras", "numpy", "scikit-learn")),
      "on Python", platform.python_version())
PY
source scripts/test_env.sh  # the same environment as scripts/test.sh
# PRACTICAS_TEST_WORKERS pytest-xdist workers (2 unless scripts/test.sh says otherwise); each notebook's smoke run is
# one test, collected first.
"$venv/bin/python" -m pytest -q -p no:cacheprovider -n "${PRACTICAS_TEST_WORKERS:-2}" --dist loadgroup --durations=5 \
    --doctest-modules ${smoke[@]+"${smoke[@]}"} practicas tests/test_versions.py tests/test_basenet_models.py \
    tests/test_transfer.py tests/test_pipelines.py "$@"
