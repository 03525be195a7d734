"""The reports' own numbers beside ours: each artifact's JSON ``report`` and ``python -m practicas compare OUT``.

Every number that FIGURES.md gives as a report's value (accuracies, best
epochs, error counts, parameter counts, split sizes) is stored once, in the
packaged catalogue, with the path of the matching number in the artifact's
JSON (``"metrics.test_accuracy"``, ``"history.val_accuracy.-1"``: keys and
list indices joined by dots). :func:`report_entries` puts both side by side
in the JSON; :func:`compare` reads a whole output folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from practicas import registry

MODES = {"quick": "quick: stand-in data, not comparable", "smoke": "smoke: capped run, not comparable", "full": "full"}


@dataclasses.dataclass(frozen=True)
class ReportNumber:
    """One number a report gives for an artifact, and where ours is in the artifact's JSON."""

    artifact_id: str
    quantity: str
    value: float
    ours: str


def report_numbers(artifact_id: str | None = None) -> list[ReportNumber]:
    """The report's numbers of one artifact (or of all, in catalogue order).

    Example:
        >>> report_numbers("r000-T2")
        [ReportNumber(artifact_id='r000-T2', quantity='trainable parameters', value=813802, ours='params.trainable')]
    """
    entries = [registry.get(artifact_id)] if artifact_id else registry.all_artifacts()
    return [ReportNumber(e.id, n["quantity"], n["value"], n["ours"]) for e in entries for n in e.report_numbers]


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


def report_entries(artifact_id: str, data: dict) -> list[dict]:
    """The JSON's ``report``: each report number with ours beside it (None where this run has none).

    Example:
        >>> report_entries("r000-T2", {"params": {"trainable": 813802}})
        [{'quantity': 'trainable parameters', 'report': 813802, 'ours': 813802, 'path': 'params.trainable'}]
    """
    return [
        {"quantity": n.quantity, "report": n.value, "ours": value_at(data, n.ours), "path": n.ours}
        for n in report_numbers(artifact_id)
    ]


def _mode(data: dict) -> str:
    return "quick" if data.get("quick") else "smoke" if data.get("smoke") else "full"


def compare(out: str | os.PathLike) -> list[dict]:
    """One row per report number: ID, quantity, report, ours, difference and the mode of the run in ``out``.

    An artifact with no JSON in ``out`` gives rows with mode ``"not run"``.

    Example:
        >>> compare("/nonexistent")[0]["mode"]
        'not run'
    """
    rows, saved = [], {}
    for number in report_numbers():
        if number.artifact_id not in saved:  # one read per artifact, however many numbers it has
            path = Path(out) / f"{number.artifact_id}.json"
            saved[number.artifact_id] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        data = saved[number.artifact_id]
        ours = value_at(data, number.ours) if data else None
        difference = ours - number.value if isinstance(ours, (int, float)) and not isinstance(ours, bool) else None
        rows.append(
            {
                "id": number.artifact_id,
                "quantity": number.quantity,
                "report": number.value,
                "ours": ours,
                "difference": difference,
                "mode": _mode(data) if data else "not run",
            }
        )
    return rows


def _format(value, fraction: bool, sign: str = "") -> str:
    if value is None:
        return "-"
    if fraction:  # accuracies and F1: percentages, and differences in percentage points
        return f"{100 * value:{sign}.2f} pp" if sign else f"{value:.2%}"
    return f"{value:{sign},.0f}" if float(value).is_integer() else f"{value:{sign},.4g}"


def compare_markdown(out: str | os.PathLike) -> str:
    """:func:`compare` as a Markdown table (differences of fractions in percentage points).

    Example:
        >>> print(compare_markdown("/nonexistent").splitlines()[0])
        | ID | quantity | report | ours | difference | mode |
    """
    lines = ["| ID | quantity | report | ours | difference | mode |", "|---|---|---|---|---|---|"]
    for row in compare(out):
        fraction = isinstance(row["report"], float) and abs(row["report"]) <= 1
        cells = (
            _format(row["report"], fraction),
            _format(row["ours"], fraction),
            _format(row["difference"], fraction, "+"),
        )
        lines.append(
            f"| {row['id']} | {row['quantity']} | {' | '.join(cells)} | {MODES.get(row['mode'], row['mode'])} |"
        )
    return "\n".join(lines)
