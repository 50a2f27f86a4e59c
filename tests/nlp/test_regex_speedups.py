"""Faster regular-expression forms in nlp.matching.regex match exactly what the plain forms match
(the required literals themselves: tests/nlp/test_literals.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.adverse_events.lexicon import load_lexicon
from nlp.design import _rules as design_rules
from nlp.matching.regex import (
    Alternation,
    LiteralIndex,
    first_char_alternation,
    fold,
    split_alternation,
)
from nlp.matching.terms import lexicon

SYNONYMS = ["nausea", "nausea and vomiting", "nausea vomiting", "n", "na", "vomiting", "Vomit", "dizzy", "dizziness",
            "head ache", "headache", "hea"]
SEP = r"[\s\-]+"
PIECES = ["nausea", "Nausea", "and", "vomiting", "vomit", "dizzy", "ness", "head", "ache", "hea", "n", "a", "s", "es",
          " ", "-", "  ", ".", ",", "x"]
texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)


def _flat(words: list[str]) -> str:
    return "(?:" + "|".join(SEP.join(re.escape(p) for p in w.split(" ")) for w in words) + ")"


def _grouped(words: list[str]) -> str:
    return first_char_alternation([(w[0], SEP.join(re.escape(p) for p in w.split(" "))) for w in words], re.I)


@settings(max_examples=400, deadline=None)
@given(texts, st.permutations(SYNONYMS))
def test_first_char_alternation_finds_the_same_matches(text, order):
    flat = re.compile(r"(?<![\w\-])" + _flat(order) + r"(?:e?s)?(?![\w])", re.I)
    grouped = re.compile(r"(?<![\w\-])" + _grouped(order) + r"(?:e?s)?(?![\w])", re.I)
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_first_char_alternation_refuses_non_ascii_first_character_under_ignorecase():
    with pytest.raises(ValueError):
        first_char_alternation([("\u00e5", "\u00e5sberg")], re.I)


def test_ae_lexicon_pattern_is_grouped_and_matches_plural():
    _, pattern = load_lexicon()
    assert [m.group(0) for m in pattern.finditer("Headaches and nausea occurred.")] == ["Headaches", "nausea"]


def test_split_alternation_of_a_bounded_group():
    assert split_alternation(r"\b(?:rats?|mice|in vitro)\b") == ("\\b", ["rats?", "mice", "in vitro"], "\\b")


def test_split_alternation_refuses_back_references():
    assert split_alternation(r"(a)\1|b") is None


def test_fold_refuses_characters_that_fold_to_another_ascii_letter():
    assert fold("\u0130ndomethacin") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["randomized", "trial", "cohort", "we report a case", "retrospective", "placebo",
                                 "systematic review", "meta-analysis", "RCT", "open-label", " ", ". ", "\n", "study",
                                 "protocol", "will be randomized", "mice", "rats", "patients"]), max_size=30).map(" ".join))
def test_design_rules_with_screened_alternatives_find_the_same_hits(text):
    rules = design_rules().text_rules
    for rule in rules:
        reduced = rule.screened.for_text(fold(text))
        expected = [m.span() for m in rule.pattern.finditer(text)]
        assert ([m.span() for m in reduced.finditer(text)] if reduced is not None else []) == expected


def test_alternation_without_any_possible_alternative_is_none():
    alt = Alternation(r"\b(?:cohort|registry)\b", re.I)
    assert alt.for_text(fold("A randomised trial.")) is None


def _per_kind_finditer(text: str) -> list[tuple[int, int, str, str]]:
    out = []
    for pattern, table, folded in lexicon().tables:
        for m in pattern.finditer(text):
            key = m.group(0).lower() if folded else m.group(0)
            out.extend((m.start(), m.end(), e.kind, e.label) for e in table.get(key, ()))
    return sorted(out, key=lambda t: (t[0], -t[1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ketamine", "esketamine nasal spray", "intranasal", "IN", "depression",
                                 "treatment-resistant depression", "TRD", "migraine", "placebo", "midazolam", "oral",
                                 "i.v.", "pain", "chronic pain", "KET", "the", "and", "-", "(", ")", ",", " "]),
                max_size=30).map(" ".join))
def test_lexicon_find_equals_per_kind_finditer(text):
    assert [(t.start, t.end, t.kind, t.label) for t in lexicon().find(text)] == _per_kind_finditer(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["random", "randomi", "randomised", "analys", "analy", "meta-analysis", "case",
                                 "case report", " we review", "review", "x", " ", "-"]), max_size=20).map("".join))
def test_literal_index_presence_equals_substring_checks(text):
    literals = ["randomi", "random", "analy", "analys", "case report", "case", "review", " we review", "cohort"]
    assert LiteralIndex(literals).presence(text) == {lit: lit in text for lit in literals}
