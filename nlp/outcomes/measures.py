"""The outcome-measure lexicon (``resources/measures.json``) as a text matcher."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nlp.adverse_events.lexicon import normalise
from nlp.matching.regex import first_char_alternation
from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")


@dataclass(frozen=True)
class Measure:
    """Canonical measure name, scale polarity and whether it is a therapeutic outcome."""

    name: str
    lower_is_better: bool
    efficacy: bool


@dataclass(frozen=True, kw_only=True)
class MeasureEntry:
    """One entry of ``resources/measures.json``."""

    measure: str
    lower_is_better: bool
    efficacy: bool = True
    synonyms: list[str]


@dataclass(frozen=True, kw_only=True)
class MeasureRules(RuleFile):
    """``resources/measures.json``: outcome measures and the synonyms that name no one measure."""

    measures: list[MeasureEntry]
    generic_synonyms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MeasureHit:
    """A measure mention: offsets, the measure, and whether the surface form is generic."""

    start: int
    end: int
    measure: Measure
    generic: bool


@lru_cache(maxsize=1)
def load_measures() -> tuple[dict[str, Measure], frozenset[str], re.Pattern]:
    """Synonym table, generic synonyms and the compiled alternation.

    Returns
    -------
    tuple[dict[str, Measure], frozenset[str], re.Pattern]
    """
    raw = load_rules(RESOURCES / "measures.json", MeasureRules)
    table: dict[str, Measure] = {}
    for item in raw.measures:
        m = Measure(item.measure, item.lower_is_better, item.efficacy)
        for syn in item.synonyms:
            table.setdefault(normalise(syn), m)
    generic = frozenset(normalise(s) for s in raw.generic_synonyms)
    alts = [(syn[0], r"[\s\-\u2010-\u2015]*".join(re.escape(p) for p in syn.split(" "))) for syn in sorted(table, key=len, reverse=True)]
    # longest synonym first, grouped by first character (same matches, several times faster)
    pattern = re.compile(r"(?<![\w\-])" + first_char_alternation(alts, re.I) + r"s?(?![\w])", re.I)
    return table, generic, pattern


def find_measures(text: str) -> list[MeasureHit]:
    """Measure mentions in ``text`` (longest alternative at each position), in order.

    Parameters
    ----------
    text : str

    Returns
    -------
    list[MeasureHit]
    """
    table, generic, pattern = load_measures()
    out = []
    for m in pattern.finditer(text):
        key = normalise(m.group(0))
        hit = table.get(key)
        if hit is None and key.endswith("s"):
            key = key[:-1]
            hit = table.get(key)
        if hit is None:
            hit = table.get(key.replace(" ", ""))
        if hit is not None:
            out.append(MeasureHit(m.start(), m.end(), hit, key in generic))
    return out
