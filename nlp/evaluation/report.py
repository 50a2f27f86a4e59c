"""Collect every evaluation module's Metric rows into one table.

Each module of :mod:`nlp.evaluation` that defines ``evaluate(data_dir, nlp=None)``
is run (in name order); rows are printed as a Markdown table or JSON and can be
written to ``nlp/resources/accuracy.json`` for the dashboard, which reads them
back through :func:`stored_accuracy` (never by path).
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import logging
import os
import pkgutil
import tempfile
from dataclasses import MISSING
from pathlib import Path

from . import Metric

log = logging.getLogger("ketamine_tracker")

ACCURACY_FILE = Path(__file__).resolve().parents[1] / "resources" / "accuracy.json"
_SKIP = {"report", "scoring"}


def modules() -> list[str]:
    """Names of the evaluation modules (``nlp.evaluation.<name>``) that have ``evaluate``."""
    import nlp.evaluation as pkg

    names = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_") or info.name in _SKIP:
            continue
        mod = importlib.import_module(f"nlp.evaluation.{info.name}")
        if callable(getattr(mod, "evaluate", None)):
            names.append(info.name)
    return sorted(names)


def collect(data_dir: Path, only: list[str] | None = None, nlp=None) -> list[Metric]:
    """Run the evaluation modules on ``data_dir``.

    Parameters
    ----------
    data_dir : Path
        The shared data directory.
    only : list of str, optional
        Module names to run (default: all).
    nlp : Language, optional
        Pipeline to share between modules.

    Returns
    -------
    list of Metric
    """
    if nlp is None:
        from ..pipeline import get_pipeline

        nlp = get_pipeline()
    rows: list[Metric] = []
    for name in modules():
        if only and name not in only:
            continue
        mod = importlib.import_module(f"nlp.evaluation.{name}")
        log.info("evaluating %s", name)
        try:
            rows.extend(mod.evaluate(Path(data_dir), nlp=nlp))
        except TypeError:
            rows.extend(mod.evaluate(Path(data_dir)))
    return rows


def interval(low: float | None, high: float | None, dash: str = "-") -> str:
    """An interval as "0.812-0.905" (``dash`` between the ends; "" when not computed)."""
    return "" if low is None or high is None else f"{low:.3f}{dash}{high:.3f}"


def markdown(rows: list[Metric]) -> str:
    """The rows as a Markdown table (subset, value, 95% interval, n, published reference, note)."""
    lines = ["| dataset | subset | field | metric | value | 95% CI | n | reference | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    for m in rows:
        ref = "" if m.reference is None else f"{m.reference:.2f}"
        lines.append(f"| {m.dataset} | {m.subset} | {m.field} | {m.metric} | {m.value:.3f} | {interval(m.low, m.high)} "
                     f"| {m.n} | {ref} | {m.note} |")
    return "\n".join(lines)


def write_accuracy(rows: list[Metric], path: Path = ACCURACY_FILE, extractor_version: str | None = None) -> Path:
    """Write the rows atomically as JSON ``{"extractor_version", "metrics": [...]}``."""
    if extractor_version is None:
        from ..extract import EXTRACTOR_VERSION as extractor_version
    path = Path(path)
    payload = {"extractor_version": extractor_version, "metrics": [m.as_dict() for m in rows]}
    fd, tmp = tempfile.mkstemp(prefix=".accuracy.", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)
    return path


class AccuracyFileError(ValueError):
    """The stored accuracy file exists but is not a measurement table."""


def stored_accuracy(path: Path | None = None) -> dict | None:
    """The measurements stored by :func:`write_accuracy`.

    Read from the ``nlp.resources`` package (importlib.resources), so callers
    such as the dashboard need not know where the package lives.

    Parameters
    ----------
    path : Path, optional
        Another file in the same format (default: ``accuracy.json`` of
        ``nlp.resources``).

    Returns
    -------
    dict or None
        ``{"extractor_version": str | None, "metrics": [dict, ...]}`` (each
        metric with the keys of :class:`Metric`: a missing optional key gets
        its default, a missing required one None); None when there is no file. A bare list of metrics (the
        format before extractor versions were stored) is read with version
        None.

    Raises
    ------
    AccuracyFileError
        The file cannot be read, is not JSON, or has no list of metrics.
    """
    source = importlib.resources.files("nlp.resources").joinpath("accuracy.json") if path is None else Path(path)
    name = getattr(source, "name", "accuracy.json")
    if not source.is_file():
        return None
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AccuracyFileError(f"{name} cannot be read ({exc})") from exc
    if isinstance(data, list):
        data = {"extractor_version": None, "metrics": data}
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        raise AccuracyFileError(f'{name} is not {{"extractor_version", "metrics": [...]}} (nor a list of measurements)')
    defaults = {k: None for k in Metric.__dataclass_fields__} | {
        k: f.default for k, f in Metric.__dataclass_fields__.items() if f.default is not MISSING}
    metrics = []
    for item in data["metrics"]:
        if isinstance(item, dict):
            metrics.append({k: item.get(k, defaults[k]) for k in defaults})
    version = data.get("extractor_version")
    return {"extractor_version": None if version is None else str(version), "metrics": metrics}
