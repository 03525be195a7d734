#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian/Ubuntu machine: a .venv with practicas and its
# extras, and Debian's real Fashion-MNIST (the offline data of --quick runs and tests).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
# `env` because an empty $SUDO (running as root) would make the assignment the command name.
apt_install() { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$PYTHON" -m venv .venv; }
fi

# Reinstall only when the project's requirements changed.
stamp=".venv/.practicas-installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  # uv (from PyPI) resolves like pip and installs several times faster: downloads in parallel, unpacks in Rust
  # (about 50 s for this venv on a 2-core machine, where pip took 120-220 s). pip stays in the venv: PyTorch's CPU
  # build comes from pip's find-links (.ci/run), and the notebooks' set-up cell installs practicas with it.
  .venv/bin/python -m pip install -q uv
  .venv/bin/uv pip install -q --python .venv/bin/python -e ".[dev,notebooks]"
  touch "$stamp"
fi

if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  apt_install dataset-fashion-mnist
fi
