"""What a newcomer's first command costs: `python -m practicas run --all --quick`, timed per artifact.

    python bench/quick_run.py                     # the working tree
    python bench/quick_run.py --before 9063433    # that commit first, then the working tree, in one run

Each tree runs every implemented artifact in quick mode, in one fresh process
(as the CLI does: artifacts that share a training run reuse it, so the first
of a group carries its cost) with a new, empty output folder (nothing
resumes). The seconds come from each artifact's JSON (``seconds``); the
total is the process's wall time, imports included. ``--before REF`` checks
REF out in a temporary git worktree and runs it first with the same Python,
so the two columns were measured on the same machine minutes apart.
Target (issue 25): the working tree's total under 300 s on the 2-core CI machine.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_run(tree: Path) -> tuple[dict, float]:
    """Seconds per artifact ID and the wall time of `run --all --quick` with the package from ``tree``."""
    out = Path(tempfile.mkdtemp(prefix="practicas-quick-run-"))
    env = dict(os.environ, PYTHONPATH=str(tree), TF_CPP_MIN_LOG_LEVEL="2", PRACTICAS_OFFLINE="1")
    env.pop("PRACTICAS_OUT", None)
    started = time.perf_counter()
    command = [sys.executable, "-m", "practicas", "run", "--all", "--quick", "--quiet", "--out", str(out)]
    subprocess.run(command, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    seconds = {path.stem: json.loads(path.read_text()).get("seconds", float("nan")) for path in out.glob("*.json")}
    return seconds, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="a git ref to time first, in a temporary worktree")
    parser.add_argument("--top", type=int, default=15, help="rows of the slowest artifacts to print")
    args = parser.parse_args()
    columns = {}
    if args.before:
        worktree = Path(tempfile.mkdtemp(prefix="practicas-before-")) / "tree"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(worktree), args.before], cwd=ROOT, check=True)
        try:
            columns[f"before ({args.before})"] = quick_run(worktree)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    columns["after (working tree)"] = quick_run(ROOT)
    names = list(columns)
    ids = sorted(
        {i for seconds, _ in columns.values() for i in seconds}, key=lambda i: -columns[names[-1]][0].get(i, 0)
    )
    print(f"{'artifact':<12}" + "".join(f"{name:>26}" for name in names))
    for artifact_id in ids[: args.top]:
        print(f"{artifact_id:<12}" + "".join(f"{columns[n][0].get(artifact_id, float('nan')):>26.1f}" for n in names))
    print(
        f"{'(the rest)':<12}"
        + "".join(f"{sum(columns[n][0].get(i, 0) for i in ids[args.top :]):>26.1f}" for n in names)
    )
    print(f"{'wall':<12}" + "".join(f"{columns[n][1]:>26.1f}" for n in names))
    counts = ", ".join(f"{name}: {len(columns[name][0])} IDs in {columns[name][1]:.0f} s" for name in names)
    verdict = "under" if columns[names[-1]][1] < 300 else "OVER"
    print(f"summary: run --all --quick, {counts}; {verdict} the 300 s target")


if __name__ == "__main__":
    main()
