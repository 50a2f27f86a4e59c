"""Read how often an adverse event occurred from the words around it.

Forms recognised (CONSORT harms extension, Ioannidis et al. 2004, Ann Intern
Med 141:781-788, asks for numbers of participants with each event): a
percentage ("12%", "12.5 %"; not "95% CI"), a fraction "12/40", "12 of 40",
"twelve out of 40", and a bare count of people ("three patients",
"3 reported", "n = 3"). Number words come from ``resources/frequency.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.matching.regex import fold
from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")


@dataclass(frozen=True)
class Frequency:
    """A frequency expression: ``text`` as written, its offsets in the searched string, and percent."""

    text: str
    start: int
    end: int
    pct: float | None


@dataclass(frozen=True, kw_only=True)
class FrequencyRules(RuleFile):
    """``resources/frequency.json``: number words and what a count may count."""

    number_words: dict[str, int]
    count_nouns: list[str]
    count_verbs: list[str]


@lru_cache(maxsize=1)
def _rules() -> FrequencyRules:
    return load_rules(RESOURCES / "frequency.json", FrequencyRules)


def number_value(token: str) -> int | None:
    """The integer a digit string or number word stands for, else None.

    Parameters
    ----------
    token : str
        "12", "twelve", "Twelve".

    Returns
    -------
    int | None
    """
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    return _rules().number_words.get(token)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern, bool]]:
    """``(kind, pattern, word_alone)`` in priority order; ``word_alone``: a number
    word can complete the pattern without any digit (every other pattern needs one)."""
    rules = _rules()
    words = sorted(rules.number_words, key=len, reverse=True)
    num = r"(?:\d+|" + "|".join(re.escape(w) for w in words) + r")"
    nouns = "|".join(rules.count_nouns)
    verbs = "|".join(rules.count_verbs)
    return [
        ("pct", re.compile(r"(?<![\w.])(\d{1,3}(?:[.,]\d+)?)\s?%(?!\s*(?:CI|C\.I\.|confidence|credible|of (?:the )?(?:variance|dose)))", re.I), False),
        ("frac", re.compile(r"(?<![\w./])(\d+)\s?/\s?(\d+)(?![\w./]|\s?(?:mg|kg|ml|min|h\b|d\b|day|week|month))", re.I), False),
        ("of", re.compile(rf"\b({num})\s+(?:\w+\s+)?(?:of|out of)\s+(?:the\s+)?(\d+)\b", re.I), False),  # N of <digits>
        ("count", re.compile(rf"\b({num})\s+(?:(?:\w+)\s+)?(?:{nouns})\b", re.I), True),
        ("count", re.compile(rf"\b({num})\s+(?:{verbs})\b", re.I), True),
        ("count", re.compile(r"\bn\s?=\s?(\d+)\b", re.I), False),
    ]


_DIGIT = re.compile(r"\d")


def _runnable(text: str) -> list[tuple[str, re.Pattern, bool]]:
    """The :func:`_patterns` that may match ``text`` (a skipped pattern finds nothing there).

    With a digit, all of them; without one, only those a number word completes
    (``word_alone``), and only when a number word (matched with
    ``re.IGNORECASE``) occurs in :func:`nlp.matching.regex.fold` of the text.
    """
    if _DIGIT.search(text):
        return _patterns()
    folded = fold(text)
    if folded is not None and not any(w in folded for w in _rules().number_words):
        return []
    return _word_alone_patterns()


@lru_cache(maxsize=1)
def _word_alone_patterns() -> list[tuple[str, re.Pattern, bool]]:
    return [p for p in _patterns() if p[2]]


def find_frequencies(text: str) -> list[Frequency]:
    """Every frequency expression in ``text``, left to right, without overlaps.

    Parameters
    ----------
    text : str
        A sentence or part of one.

    Returns
    -------
    list[Frequency]
        Percentages get ``pct`` as written; fractions (n/N, n of N with n <= N)
        get ``100*n/N``; bare counts have ``pct=None``.
    """
    return _scan(text, _runnable(text))


def _scan(text: str, patterns) -> list[Frequency]:
    """:func:`find_frequencies` with ``patterns`` (a subsequence of :func:`_patterns`)."""
    found: list[Frequency] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, _ in patterns:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            pct: float | None = None
            if kind == "pct":
                pct = float(m.group(1).replace(",", "."))
                if pct > 100:
                    continue
            elif kind in ("frac", "of"):
                n, total = number_value(m.group(1)), number_value(m.group(2))
                if n is None or not total or n > total:
                    continue
                pct = round(100.0 * n / total, 1)
            elif number_value(m.group(1)) is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(Frequency(m.group(0), m.start(), m.end(), pct))
    return sorted(found, key=lambda f: f.start)
