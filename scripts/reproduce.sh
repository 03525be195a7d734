#!/usr/bin/env bash
# Quick start, command 1: reproduce Practical 1's figures and tables offline (quick mode).
# Arguments are passed to `python -m practicas run`, e.g. `--seed 1` or `--out elsewhere`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TF_CPP_MIN_LOG_LEVEL=2
exec .venv/bin/python -m practicas run --all --practical basenet --quick --out out "$@"
