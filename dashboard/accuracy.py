"""Measured extraction accuracy, as written by ``ketamine-tracker evaluate --write-accuracy``.

The measurements are read through :func:`nlp.evaluation.report.stored_accuracy`
(the ``nlp.resources`` package), not by a path into ``nlp/``. The file is
optional: before the first evaluation the dashboard says "not measured yet"
instead of failing, and a broken file is named, not raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nlp.evaluation.report import AccuracyFileError, stored_accuracy
from nlp.evaluation.report import interval as _interval

FIELDS = ("dataset", "subset", "field", "metric", "value", "low", "high", "n", "reference", "note")
NOT_MEASURED = "Extraction accuracy not measured yet (run `ketamine-tracker evaluate --write-accuracy`)."


@dataclass
class Measurements:
    """What the accuracy file holds: rows, the extractor version they were measured for, or why there are none."""

    rows: list[dict] = field(default_factory=list)
    extractor_version: str | None = None
    reason: str | None = None


def load_measurements(path: Path | None = None) -> Measurements:
    """The stored measurements, or the reason there are none.

    Parameters
    ----------
    path:
        Another accuracy file (default: the one shipped in ``nlp.resources``),
        ``{"extractor_version", "metrics": [{dataset, subset, field, metric,
        value, low, high, n, reference, note}, ...]}``.

    Returns
    -------
    Measurements
        ``rows`` (only the keys of :data:`FIELDS`, missing ones as ``None``)
        and ``extractor_version``; or no rows and ``reason`` ("not measured
        yet", or what is wrong with the file).
    """
    try:
        data = stored_accuracy(path)
    except AccuracyFileError as exc:
        return Measurements(reason=f"The accuracy file {exc}.")
    if data is None:
        return Measurements(reason=NOT_MEASURED)
    rows = [{k: item.get(k) for k in FIELDS} for item in data["metrics"]]
    if not rows:
        return Measurements(reason="Extraction accuracy not measured yet (the accuracy file is empty).")
    return Measurements(rows, data["extractor_version"])


def load_accuracy(path: Path | None = None) -> tuple[list[dict], str | None]:
    """Rows of the accuracy file and, when there are none, why (see :func:`load_measurements`)."""
    m = load_measurements(path)
    return m.rows, m.reason


def interval(row: dict) -> str:
    """A row's 95% interval as "0.867–0.953" ("" when it has none)."""
    return _interval(row.get("low"), row.get("high"), dash="–")


def with_intervals(value: float | None, row: dict) -> str:
    """A figure and its interval as "0.913 (0.867–0.953)"."""
    if value is None:
        return ""
    ci = interval(row)
    return f"{value:.3f} ({ci})" if ci else f"{value:.3f}"


def by_subset(rows: list[dict], dataset: str) -> tuple[list[str], list[dict]]:
    """One data set's figures with one column per subset (e.g. all / even / odd halves).

    Parameters
    ----------
    rows:
        Rows of :func:`load_measurements`.
    dataset:
        The data set to tabulate.

    Returns
    -------
    (list[str], list[dict])
        The subsets in file order, and per (field, metric) in file order a
        row ``{field, metric, <subset>: "value (low–high)", "n <subset>": n}``.
    """
    subsets: list[str] = []
    table: dict[tuple, dict] = {}
    for r in rows:
        if r.get("dataset") != dataset:
            continue
        sub = r.get("subset") or "all"
        if sub not in subsets:
            subsets.append(sub)
        entry = table.setdefault((r.get("field"), r.get("metric")), {"field": r.get("field"), "metric": r.get("metric")})
        entry[sub] = with_intervals(r.get("value"), r)
        entry[f"n {sub}"] = r.get("n")
    return subsets, list(table.values())


def subset_datasets(rows: list[dict]) -> list[str]:
    """Data sets measured on more than one subset (shown as one column per subset)."""
    seen: dict[str, set] = {}
    for r in rows:
        seen.setdefault(r.get("dataset"), set()).add(r.get("subset") or "all")
    return [d for d, subs in seen.items() if len(subs) > 1]
