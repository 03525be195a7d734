"""The reports' own numbers beside ours, with a verdict: each artifact's JSON ``report`` and ``python -m practicas compare OUT``.

Every number that FIGURES.md gives as a report's value (accuracies, best
epochs, error counts, parameter counts, split sizes) is stored once, in the
packaged catalogue, with the path of the matching number in the artifact's
JSON (``"metrics.test_accuracy"``, ``"history.val_accuracy.-1"``: keys and
list indices joined by dots). :func:`report_entries` puts both side by side
in the JSON; :func:`compare` reads a whole output folder.

Each number carries a :class:`Tolerance`: the largest difference that still
counts as agreement, and why. A catalogue number names a rule of
:data:`TOLERANCE_RULES` (``"exact"``, ``"from scratch"``, ``"ImageNet"``,
``"best epoch"``, ``"early-stopping epoch"``; the last three resolved by the
report's framework, :data:`REPORT_FRAMEWORKS`) or gives its own ``{"band",
"reason"}``. Only a full run is comparable: its rows are ``within`` or
``outside`` the band, judged on the mean over the seeds found; quick, smoke
and missing runs are ``not comparable``.

Settings that a report does not give, and that we chose, are listed per
artifact in the catalogue (``assumed``: setting, value, one-line reason). The
JSON records them under ``settings.assumed``; :func:`compare` names them beside
each number they can move (every measured number of the artifact, or the
entry's ``affects`` paths); :func:`assumptions_markdown` is the README's table.
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
from pathlib import Path

from practicas import registry

MODES = {"quick": "quick: stand-in data, not comparable", "smoke": "smoke: capped run, not comparable", "full": "full"}
VERDICTS = ("within", "outside", "not comparable")

# The framework each report was written in: a Keras reproduction of a PyTorch report differs in initializations,
# kernels and, for pretrained networks, weight files, so its bands are wider.
REPORT_FRAMEWORKS = {"r000": "PyTorch", "r001": "Keras", "r002": "PyTorch", "r003": "Keras", "r004": "PyTorch"}


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """How far ours may be from the report's number and still agree: ``band`` in the number's unit (a fraction for
    accuracies, so 0.015 is 1.5 percentage points; 0 is exact), and why."""

    band: float
    reason: str


# (rule, framework or None for every framework) -> Tolerance. Catalogue numbers name the rule; where a rule's reason
# does not hold for a number (a small evaluation set, a rounded report value) the catalogue gives its own band.
TOLERANCE_RULES = {
    ("exact", None): Tolerance(
        0, "A count fixed by the architecture or by the report's data: any difference is a bug, not noise."
    ),
    ("from scratch", "Keras"): Tolerance(
        0.015,
        "Trained from scratch in the report's framework: initialization, seed and data order move it by about a point.",
    ),
    ("from scratch", "PyTorch"): Tolerance(
        0.025,
        "Trained from scratch, and the report used PyTorch: its initializations and kernels add a point to the seed's.",
    ),
    ("ImageNet", "Keras"): Tolerance(
        0.01,
        "On the report's own Keras ImageNet weights: only the head's initialization and data order vary, under a point.",
    ),
    ("ImageNet", "PyTorch"): Tolerance(
        0.02,
        "Pretrained, and the report used PyTorch/timm: other weight files or ports, heads and resizing add a point.",
    ),
    ("best epoch", None): Tolerance(3, "Where a flattening curve peaks moves by a few epochs from seed to seed."),
    ("early-stopping epoch", None): Tolerance(
        10, "With patience 10, one more flat stretch of validation loss moves the stop by ten epochs."
    ),
}


def tolerance(rule: str | dict, report: str) -> Tolerance:
    """The :class:`Tolerance` of a catalogue number: a rule's, for ``report``'s framework, or the number's own.

    Example:
        >>> tolerance("from scratch", "r000").band
        0.025
        >>> tolerance({"band": 50, "reason": "a trained network's errors"}, "r000")
        Tolerance(band=50, reason="a trained network's errors")
    """
    if isinstance(rule, dict):
        return Tolerance(rule["band"], rule["reason"])
    framework = REPORT_FRAMEWORKS[report]
    found = TOLERANCE_RULES.get((rule, framework)) or TOLERANCE_RULES.get((rule, None))
    if found is None:
        known = sorted({name for name, _ in TOLERANCE_RULES})
        raise KeyError(f"no tolerance rule {rule!r} for {framework} ({report}); rules: {known}")
    return found


@dataclasses.dataclass(frozen=True)
class ReportNumber:
    """One number a report gives for an artifact, where ours is in the artifact's JSON, and how close ours must be."""

    artifact_id: str
    quantity: str
    value: float
    ours: str
    tolerance: Tolerance


def report_numbers(artifact_id: str | None = None) -> list[ReportNumber]:
    """The report's numbers of one artifact (or of all, in catalogue order).

    Example:
        >>> number = report_numbers("r000-T2")[0]
        >>> number.quantity, number.value, number.ours, number.tolerance.band
        ('trainable parameters', 813802, 'params.trainable', 0)
    """
    entries = [registry.get(artifact_id)] if artifact_id else registry.all_artifacts()
    return [
        ReportNumber(e.id, n["quantity"], n["value"], n["ours"], tolerance(n["tolerance"], e.id.split("-")[0]))
        for e in entries
        for n in e.report_numbers
    ]


def report_value(artifact_id: str, ours: str) -> float:
    """The report's value of the number found at ``ours`` in ``artifact_id``'s JSON.

    Example:
        >>> report_value("r001-F1", "metrics.test_accuracy")
        0.4416
    """
    for number in report_numbers(artifact_id):
        if number.ours == ours:
            return number.value
    raise KeyError(f"{artifact_id} has no report number at {ours!r}")


@dataclasses.dataclass(frozen=True)
class Assumption:
    """A setting of ours that the report does not give: its value, why we chose it, and the numbers it can move
    (``affects``: paths of report numbers; ``None``, every number of the artifact that a run measures)."""

    artifact_id: str
    setting: str
    value: object
    reason: str
    affects: tuple[str, ...] | None = None


def assumptions(artifact_id: str | None = None) -> list[Assumption]:
    """The assumed settings of one artifact (or of all, in catalogue order).

    Example:
        >>> [a.setting for a in assumptions("r004-VCNN")][:2]
        ['epochs', 'Vanilla CNN layers']
    """
    entries = [registry.get(artifact_id)] if artifact_id else registry.all_artifacts()
    return [
        Assumption(e.id, a["setting"], a["value"], a["reason"], tuple(a["affects"]) if "affects" in a else None)
        for e in entries
        for a in e.assumed
    ]


def assumed_settings(number: ReportNumber) -> list[str]:
    """The assumed settings that can move ``number``: the ones naming its path, or, unnamed, moving every measured
    number (a count that the architecture or the data fixes, band 0, is moved only by one that names it).

    Example:
        >>> assumed_settings(report_numbers("r001-F25")[0])
        ['train/test split', 'batch size', 'BatchNorm while fine-tuning']
        >>> assumed_settings(report_numbers("r000-T2")[0])
        []
    """
    return [
        a.setting
        for a in assumptions(number.artifact_id)
        if (number.ours in a.affects if a.affects is not None else number.tolerance.band != 0)
    ]


def value_at(data: dict, path: str):
    """The value at a dotted ``path`` of keys and list indices in ``data``, or None where it is absent.

    Example:
        >>> value_at({"history": {"accuracy": [0.5, 0.75]}}, "history.accuracy.-1")
        0.75
    """
    value = data
    for part in path.split("."):
        try:
            value = value[int(part)] if isinstance(value, list) else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def verdict(number: ReportNumber, ours, mode: str) -> str:
    """``"within"`` or ``"outside"`` ``number``'s band for a full run's ``ours``; ``"not comparable"`` otherwise.

    Example:
        >>> number = report_numbers("r001-F1")[0]  # 44.16 %, from scratch in Keras: +-1.5 pp
        >>> verdict(number, 0.45, "full"), verdict(number, 0.40, "full"), verdict(number, 0.45, "quick")
        ('within', 'outside', 'not comparable')
    """
    if mode != "full" or not _is_number(ours):
        return "not comparable"
    # A hair of slack: a difference equal to the band, computed in floating point, is on the band.
    return "within" if abs(ours - number.value) <= number.tolerance.band + 1e-9 else "outside"


def report_entries(artifact_id: str, data: dict) -> list[dict]:
    """The JSON's ``report``: each report number with ours beside it (None where this run has none) and, for a full
    run, its band, the band's reason and the verdict (a quick or smoke run's stand-in numbers get none).

    Example:
        >>> entry = report_entries("r000-T2", {"params": {"trainable": 813802}})[0]
        >>> entry["report"], entry["ours"], entry["band"], entry["verdict"]
        (813802, 813802, 0, 'within')
        >>> report_entries("r000-T2", {"quick": True, "params": {"trainable": 813802}})
        [{'quantity': 'trainable parameters', 'report': 813802, 'ours': 813802, 'path': 'params.trainable'}]
    """
    mode, entries = _mode(data), []
    for n in report_numbers(artifact_id):
        entry = {"quantity": n.quantity, "report": n.value, "ours": value_at(data, n.ours), "path": n.ours}
        if mode == "full":
            entry |= {
                "band": n.tolerance.band,
                "tolerance": n.tolerance.reason,
                "verdict": verdict(n, entry["ours"], mode),
            }
        entries.append(entry)
    return entries


def _mode(data: dict) -> str:
    return "quick" if data.get("quick") else "smoke" if data.get("smoke") else "full"


def saved_runs(out: str | os.PathLike, artifact_id: str) -> list[dict]:
    """The saved JSONs of ``artifact_id`` in ``out`` that :func:`compare` reads: ``OUT/ID.json`` and every
    ``OUT/seed-N/ID.json`` (``run --seeds``), one per seed (the newest file), all of one mode: full where there
    is a full run, else smoke, else quick.

    Example:
        >>> saved_runs("/nonexistent", "r000-T2")
        []
    """
    paths = [Path(out) / f"{artifact_id}.json", *sorted(Path(out).glob(f"seed-*/{artifact_id}.json"))]
    newest_per_seed = {}
    for path in sorted((p for p in paths if p.exists()), key=lambda p: p.stat().st_mtime):
        data = json.loads(path.read_text(encoding="utf-8"))
        newest_per_seed[(_mode(data), data.get("seed", 0))] = data
    for mode in ("full", "smoke", "quick"):
        runs = [newest_per_seed[key] for key in sorted(key for key in newest_per_seed if key[0] == mode)]
        if runs:
            return runs
    return []


def compare(out: str | os.PathLike, ids=None) -> list[dict]:
    """One row per report number: ID, quantity, report, ours, difference, mode, band, verdict and assumed settings.

    ``ids``: only the numbers of these artifacts (default: every artifact's).

    With several seeds in ``out`` (:func:`saved_runs`), ``ours`` is their mean, ``sd`` their sample standard
    deviation and ``seeds`` which they are; the verdict is the mean's. An artifact with no JSON in ``out``
    gives rows with mode ``"not run"``.

    Example:
        >>> row = compare("/nonexistent")[0]
        >>> row["mode"], row["verdict"]
        ('not run', 'not comparable')
    """
    rows, saved = [], {}
    for number in report_numbers():
        if ids is not None and number.artifact_id not in ids:
            continue
        if number.artifact_id not in saved:  # one read per artifact, however many numbers it has
            saved[number.artifact_id] = saved_runs(out, number.artifact_id)
        runs = saved[number.artifact_id]
        found = [(data.get("seed", 0), value_at(data, number.ours)) for data in runs]
        numeric = [(seed, value) for seed, value in found if _is_number(value)]
        if len(numeric) > 1:
            ours = statistics.fmean(value for _, value in numeric)
            sd = statistics.stdev(value for _, value in numeric)
            seeds = [seed for seed, _ in numeric]
        else:
            ours = numeric[0][1] if numeric else found[0][1] if found else None
            sd, seeds = None, [seed for seed, _ in (numeric or found)]
        mode = _mode(runs[0]) if runs else "not run"
        rows.append(
            {
                "id": number.artifact_id,
                "quantity": number.quantity,
                "report": number.value,
                "ours": ours,
                "sd": sd,
                "seeds": seeds,
                "difference": ours - number.value if _is_number(ours) else None,
                "mode": mode,
                "band": number.tolerance.band,
                "tolerance": number.tolerance.reason,
                "verdict": verdict(number, ours, mode),
                "assumed": assumed_settings(number),
            }
        )
    return rows


def summary_line(rows: list[dict]) -> str:
    """How many rows of :func:`compare` are within their band, outside it, and not comparable.

    Example:
        >>> summary_line([{"verdict": "within"}, {"verdict": "within"}, {"verdict": "not comparable"}])
        '2 within, 0 outside, 1 not comparable'
    """
    counts = {v: sum(row["verdict"] == v for row in rows) for v in VERDICTS}
    return ", ".join(f"{counts[v]} {v}" for v in VERDICTS)


def _is_fraction(value) -> bool:
    return isinstance(value, float) and abs(value) <= 1


def _format(value, fraction: bool, sign: str = "") -> str:
    if value is None:
        return "-"
    if fraction:  # accuracies and F1: percentages, and differences in percentage points
        return f"{100 * value:{sign}.2f} pp" if sign else f"{value:.2%}"
    return f"{value:{sign},.0f}" if float(value).is_integer() else f"{value:{sign},.4g}"


def _format_ours(row: dict, fraction: bool) -> str:
    shown = _format(row["ours"], fraction)
    if row["sd"] is None:
        return shown
    spread = f"{100 * row['sd']:.2f} pp" if fraction else f"{row['sd']:,.3g}"
    return f"{shown} ± {spread} ({len(row['seeds'])} seeds)"


def _format_band(band: float, fraction: bool) -> str:
    if band == 0:
        return "exact"
    return f"±{100 * band:g} pp" if fraction else f"±{band:,g}"


def _flat(settings: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def settings_changed(earlier: dict, current: dict) -> str:
    """What an earlier run's fits used that this run's do not (the saved JSONs' ``settings.fits``), in a few words.

    Example:
        >>> fit = {"model": "simple_cnn", "optimizer": {"name": "Adam", "learning_rate": 0.001}}
        >>> now = {"settings": {"fits": [fit | {"optimizer": {"name": "Adam", "learning_rate": 0.01}}]}}
        >>> settings_changed({"settings": {"fits": [fit]}}, now)
        'optimizer.learning_rate 0.001 (now 0.01)'
    """
    before, after = (data.get("settings", {}).get("fits") or [] for data in (earlier, current))
    changes = []
    for old, new in zip(before, after):
        old, new = _flat(old), _flat(new)
        for key in old.keys() | new.keys():
            if old.get(key) != new.get(key):
                change = f"{key} {old.get(key)} (now {new.get(key)})"
                if change not in changes:
                    changes.append(change)
    if len(before) != len(after):
        changes.append(f"{len(before)} fits (now {len(after)})")
    return "; ".join(sorted(changes)) or registry.fit_description(before)


def earlier_runs(out: str | os.PathLike, ids=None) -> list[dict]:
    """The numbers of earlier runs with other settings (``OUT/earlier/ID-TAG.json``, kept there when a rerun with
    another setting replaced them) beside this run's, one row per report number, with what was different.

    Example:
        >>> earlier_runs("/nonexistent")
        []
    """
    out, rows = Path(out), []
    for path in sorted((out / registry.EARLIER).glob("*.json")):
        earlier = json.loads(path.read_text(encoding="utf-8"))
        artifact_id = earlier.get("id")
        if ids is not None and artifact_id not in ids:
            continue
        current_file = out / f"{artifact_id}.json"
        current = json.loads(current_file.read_text(encoding="utf-8")) if current_file.exists() else {}
        now = {entry["quantity"]: entry["ours"] for entry in current.get("report", [])}
        changed = settings_changed(earlier, current)
        for entry in earlier.get("report", []):
            rows.append(
                {
                    "id": artifact_id,
                    "quantity": entry["quantity"],
                    "report": entry["report"],
                    "this run": now.get(entry["quantity"]),
                    "earlier run": entry["ours"],
                    "file": path.name,
                    "its settings": changed,
                }
            )
    return rows


def compare_markdown(out: str | os.PathLike, ids=None) -> str:
    """:func:`compare` as a Markdown table (differences of fractions in percentage points), the summary line, and
    each band's reason; ``ids`` as :func:`compare` takes them. Where ``OUT/earlier/`` holds runs of these
    artifacts with other settings, a second table sets their numbers beside this run's (:func:`earlier_runs`).

    Example:
        >>> print(compare_markdown("/nonexistent").splitlines()[0])
        | ID | quantity | report | ours | difference | mode | band | verdict | assumed |
    """
    rows = compare(out, ids)
    lines = [
        "| ID | quantity | report | ours | difference | mode | band | verdict | assumed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    reasons: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        fraction = _is_fraction(row["report"])
        band = _format_band(row["band"], fraction)
        ids = reasons.setdefault((band, row["tolerance"]), [])
        if row["id"] not in ids:
            ids.append(row["id"])
        cells = (
            _format(row["report"], fraction),
            _format_ours(row, fraction),
            _format(row["difference"], fraction, "+"),
            MODES.get(row["mode"], row["mode"]),
            band,
            row["verdict"],
            ", ".join(row["assumed"]) or "-",
        )
        lines.append(f"| {row['id']} | {row['quantity']} | {' | '.join(cells)} |")
    lines += ["", summary_line(rows), "", "Bands (the largest difference that still agrees) and why:"]
    lines += [f"- {band} ({', '.join(ids)}): {reason}" for (band, reason), ids in reasons.items()]
    lines += [
        "",
        "assumed: settings of ours that the report does not give (README, Assumed settings; the JSON's "
        "settings.assumed).",
    ]
    earlier = earlier_runs(out, ids)
    if earlier:
        lines += [
            "",
            "The same artifacts from earlier runs with other settings (OUT/earlier/):",
            "",
            "| ID | quantity | report | this run | earlier run | its settings |",
            "|---|---|---|---|---|---|",
        ]
        for row in earlier:
            fraction = _is_fraction(row["report"])
            numbers = (
                _format(row[key], fraction) if row[key] is None or _is_number(row[key]) else str(row[key])
                for key in ("report", "this run", "earlier run")
            )
            lines.append(f"| {row['id']} | {row['quantity']} | {' | '.join(numbers)} | {row['its settings']} |")
    return "\n".join(lines)


def _cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "/")


def assumptions_markdown() -> str:
    """The README's table of every assumed setting: what we use where the report is silent, why, and for which IDs.

    Example:
        >>> print(assumptions_markdown().splitlines()[0])
        | Setting | Ours | Why (what the report says) | IDs |
    """
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for a in assumptions():
        grouped.setdefault((a.setting, _cell(a.value), a.reason), []).append(a.artifact_id)
    lines = ["| Setting | Ours | Why (what the report says) | IDs |", "|---|---|---|---|"]
    lines += [
        f"| {_cell(setting)} | {value} | {_cell(reason)} | {', '.join(ids)} |"
        for (setting, value, reason), ids in grouped.items()
    ]
    return "\n".join(lines)
