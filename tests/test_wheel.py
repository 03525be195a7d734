"""The CLI from an installed wheel, not from a checkout: what a course that ships practicas as a wheel gets."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.fashion
def test_the_wheel_installed_in_a_fresh_venv_runs_an_artifact(tmp_path):
    # Built from a copy of what the wheel is made of, so no build/ or egg-info lands in the checkout.
    source = tmp_path / "source"
    shutil.copytree(REPO / "practicas", source / "practicas", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    dist = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, source]
    subprocess.run(build, check=True, timeout=300)
    (wheel,) = dist.glob("practicas-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # The fresh venv sees this environment's dependencies through a path line, but not its editable practicas
    # (an editable install hooks in through a .pth that only this environment's own site folder runs).
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel]
    subprocess.run(install, check=True, timeout=300)
    workdir = tmp_path / "elsewhere"  # no checkout in sight
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICAS_") and k != "PYTHONPATH"}
    env.update(PRACTICAS_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3")
    where = subprocess.check_output(
        [python, "-c", "import practicas; print(practicas.__file__)"],
        cwd=workdir,
        env=env,
        text=True,
        stderr=subprocess.DEVNULL,
    )
    assert Path(where.strip()).is_relative_to(site), where
    done = subprocess.run(
        [python, "-m", "practicas", "run", "r000-F1", "--quick", "--quiet", "--out", "out"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    written = json.loads((workdir / "out" / "r000-F1.json").read_text())
    assert written["id"] == "r000-F1" and (workdir / "out" / "r000-F1.png").stat().st_size > 0
    assert len(written["history"]["loss"]) == 3  # quick mode's three epochs
