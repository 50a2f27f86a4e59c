"""nlp.matching.literals: the literal strings every match of a pattern contains."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nlp.matching.literals import parse, required_literals

ATOMS = ["a", "b", "ab", "ket", "x", r"\.", r"\b", r"\s", r"\d", "[ab]", "[a]", "[^a]", ".", r"\w+", " ", "-",
         "(?:a|ab)", "(?:ab|ac)", "(?i:ab)", "(?=ab)", "(?!c)", "(a)", "a{2}", "a{,3}", "(?>ab)", r"\x41", r"[\x41]",
         "[a-c]", "^", "$", "(?#note)"]
QUANTIFIERS = ["", "", "", "*", "+", "?", "{2}", "{0,2}", "*?"]
patterns = st.lists(st.tuples(st.sampled_from(ATOMS), st.sampled_from(QUANTIFIERS)), min_size=1, max_size=6).map(
    lambda parts: "".join(a + q for a, q in parts))
alternations = st.lists(patterns, min_size=1, max_size=3).map("|".join)
texts = st.lists(st.sampled_from(["a", "b", "A", "ab", "ket", "x", ".", " ", "-", "c", "1", "\n"]), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(alternations, texts, st.sampled_from([0, re.IGNORECASE]))
def test_every_match_contains_a_required_literal(pattern, text, flags):
    try:
        compiled = re.compile(pattern, flags)
    except re.error:
        assume(False)  # "nothing to repeat" and the like: not a pattern
    literals = required_literals(pattern, flags)
    if literals is not None and compiled.search(text):
        assert any(lit in text.lower() for lit in literals)


@pytest.mark.parametrize(("pattern", "expected"), [
    pytest.param(r"\b(?:this|the) (?:study|trial) will\b", [" will"], id="most_selective_run_of_a_sequence"),
    pytest.param(r"(?:\bcase reports?\b)|(?:\bcohort\b)", ["ase report", "ohort"], id="union_over_branches_after_their_common_start"),
    pytest.param(r"declin(?:ed|e)", ["decline"], id="common_prefix_of_branches_joins_the_run"),
    pytest.param(r"safe and (?:effective|efficacious)", ["safe and eff"], id="non_capturing_group_is_its_content"),
    pytest.param(r"ab+c", ["a"], id="repeated_character_breaks_the_run"),
    pytest.param(r"x(?:abc)+y", ["abc"], id="repeat_of_at_least_one_requires_its_content"),
    pytest.param(r"[k]etamine", ["ketamine"], id="one_character_class_is_that_character"),
    pytest.param(r"\x4betamine", ["ketamine"], id="escaped_code_is_a_character"),
    pytest.param(r"Ketamine", ["ketamine"], id="literals_are_lower_case"),
])
def test_required_literals(pattern, expected):
    assert required_literals(pattern, re.IGNORECASE) == expected


@pytest.mark.parametrize("pattern", [
    pytest.param(r"\d+|x?", id="a_match_needing_no_literal"),
    pytest.param(r"(?:ab)*", id="optional_repeat"),
    pytest.param(r"(?x) ketamine", id="verbose_mode_is_not_read"),
    pytest.param(r"(a)?(?(1)b|c)", id="conditional_is_not_read"),
    pytest.param(r"   ", id="white_space_only"),
])
def test_no_required_literals(pattern):
    assert required_literals(pattern) is None


def test_verbose_flag_is_refused():
    with pytest.raises(ValueError):
        parse("ketamine", re.VERBOSE)


def test_unbalanced_parenthesis_is_refused():
    with pytest.raises(ValueError):
        parse("ketamine)")
