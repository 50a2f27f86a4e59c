"""Load the NegEx trigger lists used for trial abstracts (data in ``resources/``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from negspacy.termsets import termset

RESOURCES = Path(__file__).with_name("resources")
KEYS = ("pseudo_negations", "preceding_negations", "following_negations", "termination")


@lru_cache(maxsize=None)
def _raw(name: str) -> dict:
    return json.loads((RESOURCES / f"{name}.json").read_text(encoding="utf-8"))


def load_termset(name: str = "trial_termset") -> dict[str, list[str]]:
    """The negspacy termset named ``name``: a negspacy base set plus JSON edits.

    Parameters
    ----------
    name : str
        File stem under ``nlp/negation/resources``. The file names a negspacy
        ``base`` termset (e.g. ``en_clinical``, Chapman et al. 2001) and lists
        phrases to ``add`` and ``remove`` per trigger class.

    Returns
    -------
    dict[str, list[str]]
        The four negspacy keys (pseudo/preceding/following negations and
        termination), each a de-duplicated list of lower-case phrases.
    """
    raw = _raw(name)
    base = termset(raw.get("base", "en_clinical")).get_patterns()
    out: dict[str, list[str]] = {}
    for key in KEYS:
        removed = {p.lower() for p in raw.get("remove", {}).get(key, [])}
        merged = [p.lower() for p in base.get(key, [])] + [p.lower() for p in raw.get("add", {}).get(key, [])]
        out[key] = list(dict.fromkeys(p for p in merged if p not in removed))
    return out


def max_scope(name: str = "trial_termset") -> int:
    """Largest number of content tokens between a trigger and the span it negates.

    Parameters
    ----------
    name : str
        File stem under ``nlp/negation/resources``.

    Returns
    -------
    int
        The ``max_scope_tokens`` value of the termset (NegEx used a window of
        five words, Chapman et al. 2001).
    """
    return int(_raw(name).get("max_scope_tokens", 5))
