"""Write pip constraints pinning every package to the version Colab's GPU runtime has (googlecolab/backend-info).

Colab publishes its image's packages as ``pip-freeze.gpu.txt`` in
https://github.com/googlecolab/backend-info. Refresh ``constraints/colab.txt``
from a newer copy with:

    python scripts/colab_constraints.py pip-freeze.gpu.txt --source "googlecolab/backend-info@<commit> (<date>)" \\
        --override "protobuf==6.31.1: Colab's 5.29.6 cannot load tensorflow-metadata 1.21 (tensorflow/metadata#68)" \\
        > constraints/colab.txt

Only ``name==version`` lines are kept: packages installed from URLs and
CUDA builds (``torch==2.11.0+cu128``) cannot be had from PyPI on a CPU
machine. A constraint applies only to a package that gets installed, so the
whole freeze can stand: whatever our dependencies pull in gets Colab's version.
"""

import argparse
import re
import sys

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^\s+;#]*)\s*$")


def colab_pins(freeze_lines):
    """``(name, version)`` of every plain PyPI pin in a ``pip freeze`` listing, in its order.

    Example:
        >>> colab_pins(["keras==3.13.2", "torch==2.11.0+cu128", "x @ https://e/x.whl", "# comment"])
        [('keras', '3.13.2')]
    """
    return [match.groups() for line in freeze_lines if (match := PIN.match(line.strip()))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("freeze", help="Colab's pip-freeze.gpu.txt")
    parser.add_argument(
        "--source", required=True, help='where it came from, e.g. "googlecolab/backend-info@a724079 (2026-08-19)"'
    )
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        metavar='"NAME==VERSION: why"',
        help="replace Colab's pin of NAME, with the reason (written beside it); repeatable",
    )
    args = parser.parse_args(argv)
    with open(args.freeze, encoding="utf-8") as f:
        pins = colab_pins(f)
    overrides = {}
    for override in args.override:
        pin, _, why = override.partition(":")
        match = PIN.match(pin.strip())
        if match is None or not why.strip():
            parser.error(f"--override takes 'NAME==VERSION: why', got {override!r}")
        overrides[match[1].lower()] = (match[2], why.strip())
    print(f"# Colab's GPU runtime packages, from {args.source}: pip-freeze.gpu.txt.")
    print("# Regenerate with scripts/colab_constraints.py (its docstring has the command). Plain PyPI pins only:")
    print("# URL installs and CUDA builds (torch==...+cu128) are left out. Colab runs Python 3.13; CI installs these")
    print("# pins on the Python it has (README, Compatibility).")
    for name, version in pins:
        if name.lower() in overrides:
            ours, why = overrides[name.lower()]
            print(f"{name}=={ours}  # Colab has {version}; {why}")
        else:
            print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
