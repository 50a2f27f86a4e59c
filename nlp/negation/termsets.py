"""Load the NegEx trigger lists used for trial abstracts (data in ``resources/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from negspacy.termsets import termset

from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")
KEYS = ("pseudo_negations", "preceding_negations", "following_negations", "termination")


@dataclass(frozen=True, kw_only=True)
class TriggerEdits:
    """Phrases per negspacy trigger class (added to or removed from the base termset)."""

    pseudo_negations: list[str] = field(default_factory=list)
    preceding_negations: list[str] = field(default_factory=list)
    following_negations: list[str] = field(default_factory=list)
    termination: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class TermsetRules(RuleFile):
    """A termset file: a negspacy ``base`` termset, the edits to it, and the NegEx scope."""

    base: str = "en_clinical"
    max_scope_tokens: int = 5
    add: TriggerEdits = field(default_factory=TriggerEdits)
    remove: TriggerEdits = field(default_factory=TriggerEdits)


@lru_cache(maxsize=None)
def _raw(name: str) -> TermsetRules:
    return load_rules(RESOURCES / f"{name}.json", TermsetRules)


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
    base = termset(raw.base).get_patterns()
    out: dict[str, list[str]] = {}
    for key in KEYS:
        removed = {p.lower() for p in getattr(raw.remove, key)}
        merged = [p.lower() for p in base.get(key, [])] + [p.lower() for p in getattr(raw.add, key)]
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
    return _raw(name).max_scope_tokens
