"""Measured extraction accuracy, as written by ``ketamine-tracker evaluate --write-accuracy``.

The file is optional: before the first evaluation the dashboard says
"not measured yet" instead of failing.
"""

from __future__ import annotations

import json
from pathlib import Path

ACCURACY_PATH = Path(__file__).resolve().parents[1] / "nlp" / "resources" / "accuracy.json"
FIELDS = ("dataset", "field", "metric", "value", "n", "reference", "note")


def load_accuracy(path: Path = ACCURACY_PATH) -> tuple[list[dict], str | None]:
    """Rows of the accuracy file and, when there are none, why.

    Parameters
    ----------
    path:
        ``nlp/resources/accuracy.json``: a list of ``{dataset, field, metric, value, n, reference, note}``.

    Returns
    -------
    (list[dict], str | None)
        The rows (only the known keys, missing ones as ``None``) and ``None``, or
        ``[]`` and a message ("not measured yet", or what is wrong with the file).
    """
    if not path.exists():
        return [], "Extraction accuracy not measured yet (run `ketamine-tracker evaluate --write-accuracy`)."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [], f"The accuracy file {path.name} cannot be read ({exc})."
    if not isinstance(data, list):
        return [], f"The accuracy file {path.name} is not a list of measurements."
    rows = [{k: item.get(k) for k in FIELDS} for item in data if isinstance(item, dict)]
    if not rows:
        return [], "Extraction accuracy not measured yet (the accuracy file is empty)."
    return rows, None
