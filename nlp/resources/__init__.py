"""Shared lexicons (JSON data files) and the measured accuracy table."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
NLP_ROOT = RESOURCES.parent


@lru_cache(maxsize=None)
def load_json(relpath: str) -> dict:
    """Load a JSON resource below the ``nlp`` package.

    Parameters
    ----------
    relpath : str
        Path relative to the ``nlp`` package, e.g. ``"resources/ketamine.json"``.

    Returns
    -------
    dict
        The parsed file (cached; callers must not mutate it).
    """
    with open(NLP_ROOT / relpath, encoding="utf-8") as fh:
        return json.load(fh)
