"""Collect every evaluation module's Metric rows into one table.

Each module of :mod:`nlp.evaluation` that defines ``evaluate(data_dir, nlp=None)``
is run (in name order); rows are printed as a Markdown table or JSON and can be
written to ``nlp/resources/accuracy.json`` for the dashboard.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import pkgutil
import tempfile
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


def markdown(rows: list[Metric]) -> str:
    """The rows as a Markdown table (value, n, published reference, note)."""
    lines = ["| dataset | field | metric | value | n | reference | note |", "|---|---|---|---|---|---|---|"]
    for m in rows:
        ref = "" if m.reference is None else f"{m.reference:.2f}"
        lines.append(f"| {m.dataset} | {m.field} | {m.metric} | {m.value:.3f} | {m.n} | {ref} | {m.note} |")
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
