"""Speed paths give exactly the results of the plain code they replace."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.adverse_events import frequency
from nlp.adverse_events.extract import RESOURCES as AE_RESOURCES
from nlp.matching.regex import AnyOf

CUE_PIECES = ["adverse", "AE", "aes", "side", "-", " ", "effect", "s", "induced", "ketamine", "after", "the", "infusion",
              "during", "therapy", "common", "ly", "safe", "ty", "\u017f", "x", ".", "İ", "K"]
cue_texts = st.lists(st.sampled_from(CUE_PIECES), max_size=20).map("".join)


def _cues(name: str) -> list[str]:
    return json.loads((AE_RESOURCES / "context_rules.json").read_text(encoding="utf-8"))[name]


@settings(max_examples=300, deadline=None)
@given(cue_texts)
def test_any_of_equals_one_alternation_search(text):
    for name in ("cue_patterns", "strong_cue_patterns"):
        patterns = _cues(name)
        assert AnyOf(patterns, re.I).search(text) == bool(re.compile("|".join(patterns), re.I).search(text))


def test_any_of_finds_a_cue_only_present_in_another_case():
    assert AnyOf([r"\baes?\b", "tolerab"], re.I).search("Treatment-emergent AEs were mild.")


def test_any_of_is_false_without_any_cue():
    assert not AnyOf([r"\baes?\b", "tolerab"], re.I).search("Scores fell by week two.")


FREQ_PIECES = ["three", "Three", "THREE", "a hundred", "twelve", "patients", "reported", "of", "out of", "the", "12",
               "40", "/", "%", " ", "n", "=", "CI", "\u0660", "\u017fix", "se", "ven", "x", "."]
freq_texts = st.lists(st.sampled_from(FREQ_PIECES), max_size=16).map("".join)


@settings(max_examples=400, deadline=None)
@given(freq_texts)
def test_find_frequencies_gate_skips_only_patterns_that_cannot_match(text):
    assert frequency.find_frequencies(text) == frequency._scan(text, frequency._patterns())


def test_number_word_count_found_without_a_digit():
    assert [f.text for f in frequency.find_frequencies("Three patients reported it")] == ["Three patients"]


def test_no_pattern_runs_without_digit_or_number_word():
    assert frequency._runnable("nausea was mild") == []


def _scopes_plain(text, hits):
    """The list-scanning form of nlp.outcomes.extract._scopes."""
    from nlp.outcomes.extract import CLAUSE

    breaks = [m.start() for m in CLAUSE.finditer(text)]
    clause_starts = [0] + [m.end() for m in CLAUSE.finditer(text)]
    out = []
    for i, h in enumerate(hits):
        start = max([s for s in clause_starts if s <= h.start], default=0)
        end = len(text)
        for b in breaks:
            if b <= h.end:
                continue
            nxt = min([s for s in clause_starts if s > b], default=len(text))
            nxt_end = min([s for s in breaks if s >= nxt], default=len(text))
            if any(o.measure.name != h.measure.name and nxt <= o.start < nxt_end for o in hits[i + 1:]):
                end = b
                break
        out.append((start, end))
    return out


SCOPE_PIECES = ["MADRS", "HAM-D", "pain scores", "depression", " fell", " rose", ";", ", but ", " however ", ". ", " and ",
                "x", " ", "."]
scope_texts = st.lists(st.sampled_from(SCOPE_PIECES), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(scope_texts)
def test_outcome_scopes_equal_the_list_scanning_form(text):
    from nlp.outcomes.extract import _scopes
    from nlp.outcomes.measures import find_measures

    hits = find_measures(text)
    assert _scopes(text, hits) == _scopes_plain(text, hits)


def test_numbers_of_a_text_without_digits_are_empty():
    from nlp.outcomes.direction import numbers, p_values

    assert numbers("scores fell markedly") == [] and p_values("p was small") == []


def test_numbers_still_read_percent_p_and_ci():
    from nlp.outcomes.direction import numbers

    assert numbers("fell 45% (p < 0.001; 95% CI 1.2-3.4)") == ["45%", "p < 0.001", "95% CI 1.2-3.4"]


ABBR_PIECES = ["TRD", "trd", "TR", "D", "-", "_", " ", "(", ")", "x", "1", "\u00e9", "\u0660", ".", "TRDTRD"]
abbr_texts = st.lists(st.sampled_from(ABBR_PIECES), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(abbr_texts, st.sampled_from(["TRD", "TR", "D", "-", "x1"]), st.integers(0, 30))
def test_whole_word_uses_equal_the_boundary_regex(text, short, pos):
    from nlp.matching.terms import _whole_word_uses

    pattern = re.compile(rf"(?<![\w-]){re.escape(short)}(?![\w-])")
    assert _whole_word_uses(text, short, pos) == [m.span() for m in pattern.finditer(text, pos)]


def test_abbreviation_use_after_its_definition_counts_as_the_condition():
    from nlp.abbreviations import find_abbreviations
    from nlp.matching.terms import find_terms

    text = "Ketamine in treatment-resistant depression (TRD). Patients with TRD-like course and TRD improved."
    uses = [t.start for t in find_terms(text, find_abbreviations(text)) if t.via_abbreviation]
    assert uses == [text.index("TRD)"), text.rindex("TRD")]


LABEL_PIECES = ["METHODS", "RESULTS", "AND", "OF", "/", ":", " ", "\n", "x", ",", "(", "-", "A", "B", "é", "Résumé", "1"]
label_texts = st.lists(st.sampled_from(LABEL_PIECES), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(label_texts)
def test_section_label_pattern_equals_the_lookbehind_first_form(text):
    from nlp.resources import load_json
    from nlp.sentences import _config

    data = load_json("sentences/resources/nonfinal.json")
    connectors = "|".join(re.escape(c) for c in data["section_connectors"])
    n = int(data["section_label_max_words"]) - 1
    plain = re.compile(rf"(?<![\w,(/-])[A-Z][A-Z]+(?:\s*(?:{connectors})?\s*[A-Z][A-Z]+){{0,{n}}}\s*:(?=\s)")
    assert [m.span() for m in _config()[1].finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_section_label_after_a_period_starts_a_sentence():
    from nlp.sentences import boundaries

    text = "Ketamine was given.RESULTS: Scores fell."
    assert text.index("RESULTS") in boundaries(text)
