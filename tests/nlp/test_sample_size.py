"""Sample size on sentences written for these tests."""

import pytest

from nlp.extract import extract_article
from nlp.sample_size import parse_number


def _size(abstract, title="Ketamine for depression: a randomized trial"):
    r = extract_article(1, title, abstract)
    return r["sample_size"], r["sample_size_basis"]


def test_arms_are_summed():
    assert _size("METHODS: In this trial 20 received ketamine and 22 placebo.") == (42, "arms")


def test_n_equals_arms_are_summed():
    assert _size("METHODS: Ketamine (n = 20) or placebo (n = 22) was infused.")[0] == 42


def test_total_with_arms_is_not_double_counted():
    assert _size("METHODS: Forty-two patients were randomized to ketamine (n = 20) or midazolam (n = 22).") == (42, "randomised")


def test_spelled_number():
    assert _size("METHODS: Forty-two patients with major depression were enrolled.") == (42, "enrolled")


def test_randomised_beats_enrolled():
    assert _size("METHODS: We enrolled 80 patients. RESULTS: Of these, 64 patients were randomized.") == (64, "randomised")


def test_screened_is_not_the_sample():
    assert _size("RESULTS: Of 120 patients screened, 60 were randomized.") == (60, "randomised")


def test_part_of_whole_is_not_arms():
    assert _size("RESULTS: Twelve of 20 patients responded.")[0] == 20


def test_background_numbers_ignored():
    assert _size("BACKGROUND: Depression affects 300 million people. METHODS: 30 adults were treated.")[0] == 30


def test_none_when_not_stated():
    assert _size("METHODS: Patients received ketamine. RESULTS: Mood improved.") == (None, None)


def test_none_for_reviews_that_count_only_studies():
    # a review's pooled participants are its size (tests/nlp/test_sample_size_more.py); trials are not participants
    r = extract_article(1, "Ketamine for depression: a systematic review and meta-analysis", "We included 12 trials.")
    assert r["sample_size"] is None


def test_thousands_separator():
    assert _size("METHODS: A total of 1,204 patients were included.")[0] == 1204


def test_ages_are_not_counts():
    assert _size("METHODS: Patients aged 18 years were eligible; 25 patients were enrolled.")[0] == 25


@pytest.mark.parametrize(
    "words,value",
    [("seven", 7), ("forty-two", 42), ("one hundred and twenty", 120), ("two thousand five hundred", 2500), ("1,204", 1204)],
)
def test_parse_number(words, value):
    assert parse_number(words) == value


def test_sentence_is_recorded():
    r = extract_article(1, "Ketamine", "METHODS: Thirty adults were enrolled. RESULTS: Fine.")
    assert r["sample_size_sentence"] == "METHODS: Thirty adults were enrolled."
