#!/usr/bin/env bash
# Quick start, command 2: the test suite, the docstring examples of the package and the notebooks (quick mode).
set -euo pipefail
cd "$(dirname "$0")/.."
timed() { local start=$SECONDS; "$@"; echo "test.sh: '${*:1:4}...' took $((SECONDS - start)) s"; }
bash scripts/setup.sh
# Formatting and lint first: a diff from `ruff format` or a lint finding fails the run (fix: .venv/bin/ruff format . && .venv/bin/ruff check --fix .).
.venv/bin/ruff format --check --quiet . || { echo "ruff format: files above need formatting (.venv/bin/ruff format .)" >&2; exit 1; }
.venv/bin/ruff check --quiet .
source scripts/test_env.sh  # the environment every test process gets (why: in that file)
# The quick notebooks' files stay in this folder, one subfolder per notebook (tests/test_notebooks.py runs them).
export PRACTICAS_TEST_NOTEBOOKS_OUT="$PWD/.test-notebooks-out"
rm -rf "$PRACTICAS_TEST_NOTEBOOKS_OUT"
# Two workers (pytest-xdist): most of the suite is one thread tracing TensorFlow graphs, so two share the 2 cores.
# --dist loadgroup: the tests that read one notebook's quick run (conftest's quick_group) go to one worker, which
# runs that notebook once.
# --durations: the slowest tests, where CI's time goes.
# The notebooks' smoke runs (the full configuration on the fixtures) run on Colab's stack and the lower bounds, the
# stacks students run them on, when those venvs exist (below); here they run only without them. This stack runs
# the same notebooks' cells in quick mode, and the CLI's smoke path (tests/test_full_mode.py).
smoke_notebooks=()
if [ -x .venv-colab/bin/python ]; then
    smoke_notebooks=(--deselect tests/test_full_mode.py::test_every_notebook_runs_in_full_configuration_on_real_formats)
fi
timed .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup --durations=25 --doctest-modules \
    ${smoke_notebooks[@]+"${smoke_notebooks[@]}"} practicas tests "$@"
# The same assertions on Keras's PyTorch backend: builders (exact parameter counts), pipelines, training (a fit that
# beats chance, resume equal to an uninterrupted run), evaluation and gradient ascent (objectives up 10x).
# TensorFlow-only tests are marked and skip themselves. The tests that read notebook 03's quick run are left out:
# they would run the whole notebook again on PyTorch's CPU kernels (minutes); tests/test_backends.py makes r003-F11
# through the CLI on PyTorch instead. t-SNE is openTSNE on NumPy arrays whatever the backend (27 s here): left out.
# Without torch installed this part is skipped (CI has it).
if .venv/bin/python -c "import torch" 2>/dev/null; then
    KERAS_BACKEND=torch timed .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --durations=10 \
        tests/test_basenet_models.py \
        tests/test_transfer.py tests/test_pipelines.py tests/test_training.py tests/test_evaluation_plots.py \
        tests/test_gradient_ascent.py \
        -k "not quick_artifact_writes_png and not r003_f11_digit_classes and not same_seed_gives_the_same_images \
            and not tsne"
elif [ -n "${CI:-}" ]; then
    echo "CI needs PyTorch for the PyTorch-backend tests: pip install torch==2.13.0 (.ci/run installs it)" >&2
    exit 1
else
    echo "torch is not installed: the PyTorch-backend rerun is skipped (pip install torch==2.13.0)"
fi
# The versions students have (issue 25): Colab's published stack and pyproject.toml's lower bounds, each in its own
# venv (.ci/run builds both: bash scripts/test_compat.sh STACK --install), on the subset that proves a student's path.
# With both venvs, the two stacks run side by side, one pytest worker each on the two cores, each stack's smoke runs
# one after another on its worker. One stack after the other on two workers each, one worker sat idle while the other
# finished notebook 02's smoke run: the same venvs minutes apart took 421 + 385 s in turn and 725 s side by side (in
# CI, an hour apart and within this machine's swing: 806 and 784 s). Each stack's lines go to .test-compat-STACK.log
# and are printed when both are done.
stacks=()
for stack in colab lowest; do
    if [ -x ".venv-$stack/bin/python" ]; then
        stacks+=("$stack")
    elif [ -n "${CI:-}" ]; then
        echo "CI needs .venv-$stack: bash scripts/test_compat.sh $stack --install (.ci/run builds it)" >&2
        exit 1
    else
        echo "no .venv-$stack: the $stack stack is skipped (bash scripts/test_compat.sh $stack builds and tests it)"
    fi
done
if [ "${#stacks[@]}" -gt 0 ]; then
    workers=$((2 / ${#stacks[@]}))  # two cores: one worker per stack, or both for one
    echo "compatibility stacks: ${stacks[*]}; their lines follow when all are done (.test-compat-STACK.log)"
    pids=()
    trap 'kill "${pids[@]}" 2>/dev/null || true' INT TERM  # interrupted: stop them too
    for stack in "${stacks[@]}"; do
        PRACTICAS_TEST_WORKERS=$workers timed bash scripts/test_compat.sh "$stack" >".test-compat-$stack.log" 2>&1 &
        pids+=($!)
    done
    failed=()
    for i in "${!stacks[@]}"; do
        wait "${pids[$i]}" || failed+=("${stacks[$i]}")
        cat ".test-compat-${stacks[$i]}.log"
    done
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "the ${failed[*]} stack(s) failed: their lines are above (and in .test-compat-STACK.log)" >&2
        exit 1
    fi
fi
