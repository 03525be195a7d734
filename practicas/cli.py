"""``python -m practicas``: list the report artifacts and reproduce them.

python -m practicas list
python -m practicas run r000-F1 r000-T2 --quick --out out --seed 0
python -m practicas run r001-F1 --seeds 0,1,2   # one run per seed: OUT/seed-N/ID.json, .png or .md
python -m practicas run --all --quick --practical basenet
python -m practicas run --all --smoke --data DIR   # full configuration, capped: proves the real path
python -m practicas plot out/r000-F1.json   # redraw a figure from its JSON, without training
python -m practicas compare out  # the reports' numbers beside ours, one row per number, with a verdict
python -m practicas index        # the README figure index, from the registry
python -m practicas assumptions  # the README table of settings the reports do not give, from the catalogue
python -m practicas notebooks    # the notebooks, from the registry
"""

from __future__ import annotations

import argparse
import os
import sys

# TensorFlow's C++ start-up chatter hides the CLI's own output; keep errors only.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m practicas", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="every artifact ID with its title, practical and status")
    listing.add_argument("--practical", choices=("basenet", "transfer", "gradient_ascent"))
    run = sub.add_parser("run", help="produce artifacts: OUT/ID.png or OUT/ID.md, and OUT/ID.json")
    run.add_argument("ids", nargs="*", metavar="ID")
    run.add_argument("--all", action="store_true", help="every implemented artifact")
    run.add_argument(
        "--practical", choices=("basenet", "transfer", "gradient_ascent"), help="with --all: one practical"
    )
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="offline stand-in data and short runs (CPU, minutes)")
    mode.add_argument(
        "--smoke",
        action="store_true",
        help="the full configuration (report's data, weights, settings), every fit capped at 1 epoch of 2 steps",
    )
    run.add_argument(
        "--data", metavar="DIR", help="folder the datasets are looked for in first (default: $PRACTICAS_DATA)"
    )
    run.add_argument("--out", default="out", help="output folder (default: out)")
    seeds = run.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, default=0)
    seeds.add_argument(
        "--seeds",
        type=_seed_list,
        metavar="N,N,...",
        help="run each ID once per seed, writing OUT/seed-N/ID.*; `compare OUT` shows their mean and sd",
    )
    run.add_argument("--quiet", action="store_true", help="no line per training epoch")
    run.add_argument(
        "--deterministic",
        action="store_true",
        help="deterministic kernels: the same bits on a GPU too, at some speed (training.enable_determinism)",
    )
    plot = sub.add_parser(
        "plot", help="redraw artifacts from their saved OUT/ID.json (and OUT/ID.npz), without training"
    )
    plot.add_argument("paths", nargs="+", metavar="OUT/ID.json")
    plot.add_argument("--out", help="write the redrawn files here (default: beside each JSON)")
    compare = sub.add_parser("compare", help="every number the reports give, with ours from OUT beside it")
    compare.add_argument("out", nargs="?", default="out", help="output folder of a run (default: out)")
    index = sub.add_parser("index", help="print the README figure index (Markdown)")
    index.add_argument(
        "--readme", help="rewrite the index and the assumed-settings table inside this README instead of printing"
    )
    sub.add_parser("assumptions", help="print the README table of settings the reports do not give (Markdown)")
    notebooks = sub.add_parser("notebooks", help="rewrite notebooks/*.ipynb from the registry")
    notebooks.add_argument("--folder", default="notebooks")
    return parser


def _seed_list(text: str) -> list[int]:
    """``--seeds 0,1,2`` as a list of distinct seeds, in the order given.

    Example:
        >>> _seed_list("0, 1,2")
        [0, 1, 2]
    """
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds are integers separated by commas, like 0,1,2: not {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"give one or more distinct seeds, like 0,1,2: not {text!r}")
    return seeds


INDEX_START, INDEX_END = "<!-- figure-index:start -->", "<!-- figure-index:end -->"
ASSUMPTIONS_START, ASSUMPTIONS_END = "<!-- assumptions:start -->", "<!-- assumptions:end -->"


def _update_readme(path: str, generated: str, start: str = INDEX_START, end: str = INDEX_END) -> None:
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    Path(path).write_text(f"{head}{start}\n{generated}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from practicas import import_tensorflow_quietly

    import_tensorflow_quietly()
    from practicas import registry
    from practicas.errors import PracticasError, UnknownArtifactError

    if args.command == "list":
        for a in registry.all_artifacts():
            if args.practical and a.practical != args.practical:
                continue
            status = "implemented" if a.implemented else "not implemented"
            print(f"{a.id:10} {a.practical:16} {status:16} {a.title}")
        return 0
    if args.command == "index":
        if args.readme:
            from practicas.comparison import assumptions_markdown

            _update_readme(args.readme, registry.figure_index_markdown())
            _update_readme(args.readme, assumptions_markdown(), ASSUMPTIONS_START, ASSUMPTIONS_END)
        else:
            print(registry.figure_index_markdown())
        return 0
    if args.command == "assumptions":
        from practicas.comparison import assumptions_markdown

        print(assumptions_markdown())
        return 0
    if args.command == "plot":
        for path in args.paths:
            try:
                print(registry.redraw(path, out=args.out))
            except (FileNotFoundError, PracticasError) as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
        return 0
    if args.command == "compare":
        from practicas.comparison import compare_markdown

        print(compare_markdown(args.out))
        return 0
    if args.command == "notebooks":
        from practicas.notebooks import write_notebooks

        for path in write_notebooks(args.folder):
            print(path)
        return 0

    if args.all:
        ids = [
            a.id
            for a in registry.all_artifacts()
            if a.implemented and (not args.practical or a.practical == args.practical)
        ]
    elif args.ids:
        ids = args.ids
    else:
        print("error: name at least one artifact ID, or --all", file=sys.stderr)
        return 2
    try:
        entries = [registry.get(i) for i in ids]
    except UnknownArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    missing = [e.id for e in entries if not e.implemented]
    if missing:
        print(f"error: not implemented yet: {', '.join(missing)} (see `python -m practicas list`)", file=sys.stderr)
        return 2
    if args.deterministic:
        from practicas import training

        training.enable_determinism()
    results = []
    runs = [(entry, seed) for entry in entries for seed in (args.seeds or [args.seed])]
    for entry, seed in runs:
        mode = " (quick)" if args.quick else " (smoke)" if args.smoke else ""
        name = f"{entry.id} seed {seed}" if args.seeds else entry.id
        print(f"[{name}] {entry.title}{mode} ...", flush=True)
        try:
            data = registry.run(
                entry.id,
                quick=args.quick,
                smoke=args.smoke,
                seed=seed,
                out=args.out,
                data_root=args.data,
                progress=not args.quiet,
                in_seed_folder=bool(args.seeds),
            )
        except PracticasError as error:  # missing data or weights, bad files: say what, go on with the next ID
            print(f"[{name}] error: {error}", file=sys.stderr, flush=True)
            results.append((name, type(error).__name__, str(error)))
            continue
        except Exception as error:  # a bug: its traceback helps, and the other IDs still run
            import traceback

            traceback.print_exc()
            results.append((name, "crashed", f"{type(error).__name__}: {error}"))
            continue
        if data.get("missing"):  # written, but without the parts whose data or weights are missing
            results.append((name, "partial", " ".join(str(why) for why in data["missing"].values())))
        else:
            results.append((name, "ok", ", ".join(os.path.abspath(p) for p in data["files"])))
        print(f"[{name}] wrote {', '.join(data['files'])} in {data['seconds']:.1f} s", flush=True)
    print(summary_table(results))
    return 0 if all(status == "ok" for _, status, _ in results) else 1


def summary_table(results: list[tuple[str, str, str]]) -> str:
    """The table ``run`` ends with: one row per ID, its status and its files or what is missing.

    Example:
        >>> print(summary_table([("r000-T2", "ok", "out/r000-T2.md")]))
        <BLANKLINE>
        1 of 1 artifact(s) written.
        | ID | status | files, or what is missing |
        |---|---|---|
        | r000-T2 | ok | out/r000-T2.md |
    """
    ok = sum(status == "ok" for _, status, _ in results)
    lines = [
        "",
        f"{ok} of {len(results)} artifact(s) written.",
        "| ID | status | files, or what is missing |",
        "|---|---|---|",
    ]
    lines += [f"| {artifact_id} | {status} | {what.replace('|', '/')} |" for artifact_id, status, what in results]
    return "\n".join(lines)
