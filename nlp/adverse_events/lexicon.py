"""The adverse-event lexicon (``resources/ae_lexicon.json``) as a matcher.

Synonyms are matched case-insensitively on word boundaries over the text, so
matching does not depend on how a pipeline tokenises ("ketamine-induced",
"nausea/vomiting"); a trailing plural "s"/"es" is accepted and spaces and
hyphens inside a synonym match each other. Overlapping matches keep the
longest (leftmost on ties), as spaCy's ``filter_spans`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from nlp.matching.regex import first_char_alternation
from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: canonical term(s), organ class, whether a context cue is required."""

    terms: tuple[str, ...]
    organ_class: str
    needs_cue: bool


@dataclass(frozen=True, kw_only=True)
class LexiconEntry:
    """One entry of ``resources/ae_lexicon.json``: canonical term(s), organ class, synonyms."""

    terms: list[str]
    organ_class: str
    needs_cue: bool = False
    synonyms: list[str]


@dataclass(frozen=True, kw_only=True)
class LexiconRules(RuleFile):
    """``resources/ae_lexicon.json``."""

    entries: list[LexiconEntry]


@dataclass(frozen=True, kw_only=True)
class AdjectiveRules(RuleFile):
    """``resources/ae_adjectives.json``: adjectives naming an event before a harm noun."""

    heads: list[str]
    adjectives: dict[str, str]


@dataclass(frozen=True)
class Match:
    """A lexicon hit in a text: character offsets and the entry."""

    start: int
    end: int
    entry: Entry


def normalise(text: str) -> str:
    """Lower-case, hyphens and runs of white space to one space.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return re.sub(r"[\s\-\u2010-\u2015]+", " ", text.lower()).strip()


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[dict[str, Entry], re.Pattern]:
    """Synonym table and the compiled alternation of all synonyms.

    Returns
    -------
    tuple[dict[str, Entry], re.Pattern]
        ``normalise(synonym) -> Entry`` and one regex matching any synonym.
    """
    raw = load_rules(RESOURCES / "ae_lexicon.json", LexiconRules)
    table: dict[str, Entry] = {}
    for item in raw.entries:
        entry = Entry(tuple(item.terms), item.organ_class, item.needs_cue)
        for syn in item.synonyms + list(item.terms):
            table.setdefault(normalise(syn), entry)
    alternatives = []
    for syn in sorted(table, key=len, reverse=True):
        parts = [re.escape(p) for p in syn.split(" ")]
        alternatives.append((syn[0], r"[\s\-\u2010-\u2015]+".join(parts)))
    # longest synonym first, grouped by first character (same matches, ~6x faster)
    pattern = re.compile(r"(?<![\w\-])" + first_char_alternation(alternatives, re.I) + r"(?:e?s)?(?![\w])", re.I)
    return table, pattern


def lookup(surface: str) -> Entry | None:
    """The entry for a surface form (exact synonym, or with a plural ending removed).

    Parameters
    ----------
    surface : str

    Returns
    -------
    Entry | None
    """
    table, _ = load_lexicon()
    key = normalise(surface)
    for cand in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
        if cand and cand in table:
            return table[cand]
    return None


@lru_cache(maxsize=1)
def adjective_pattern() -> tuple[dict[str, str], re.Pattern]:
    """Adjectives naming an event before a harm noun (``resources/ae_adjectives.json``).

    Returns
    -------
    tuple[dict[str, str], re.Pattern]
        ``adjective -> canonical term`` and a regex whose group 1 is an
        adjective followed, possibly through a coordinated list of other
        modifiers and parenthesised statistics, by a harm noun.
    """
    raw = load_rules(RESOURCES / "ae_adjectives.json", AdjectiveRules)
    adjectives = {k.lower(): v for k, v in raw.adjectives.items()}
    adj = "|".join(sorted(map(re.escape, adjectives), key=len, reverse=True))
    heads = "|".join(sorted((r"[\s\-]+".join(map(re.escape, h.split())) for h in raw.heads), key=len, reverse=True))
    paren = r"(?:\s*\([^()]{0,40}\))?"
    pattern = re.compile(
        rf"(?<![\w\-])({adj}){paren}(?=(?:(?:\s*,\s*|\s+(?:and|or|and/or|nor)\s+|\s*,\s*(?:and|or)\s+)[a-z]+{paren}){{0,4}}\s+(?:{heads})\b)",
        re.I,
    )
    return adjectives, pattern


def _adjective_terms(text: str, taken: list[Match]) -> list[Match]:
    adjectives, pattern = adjective_pattern()
    out = []
    for m in pattern.finditer(text):
        s, e = m.span(1)
        if any(t.start < e and s < t.end for t in taken):
            continue
        entry = lookup(adjectives[m.group(1).lower()])
        if entry is not None:
            # the harm noun it modifies is the cue the entry may need
            out.append(Match(s, e, replace(entry, needs_cue=False)))
    return out


def find_terms(text: str) -> list[Match]:
    """All lexicon hits in ``text``, longest-first without overlaps, in text order.

    Adjectives before a harm noun ("cognitive or psychotomimetic side
    effects") count as mentions of their term (:func:`adjective_pattern`).

    Parameters
    ----------
    text : str

    Returns
    -------
    list[Match]
    """
    _, pattern = load_lexicon()
    out = []
    for m in pattern.finditer(text):
        entry = lookup(m.group(0))
        if entry is not None:
            out.append(Match(m.start(), m.end(), entry))
    extra = _adjective_terms(text, out)
    return sorted(out + extra, key=lambda m: m.start) if extra else out


def canonical_terms(text: str) -> set[str]:
    """The canonical terms a short text (e.g. an annotated AE span) maps to.

    Parameters
    ----------
    text : str

    Returns
    -------
    set[str]
    """
    return {t for m in find_terms(text) for t in m.entry.terms}
