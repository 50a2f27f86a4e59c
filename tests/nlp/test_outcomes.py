"""Outcome measures and result directions on sentences written for these tests."""

import pytest

from nlp.outcomes import extract_outcomes
from nlp.outcomes.direction import arm_values, p_values


def first(nlp, text):
    return extract_outcomes(nlp(text))[0]


def test_madrs_decreased_significantly(nlp):
    assert first(nlp, "MADRS scores decreased significantly after ketamine (p < 0.001).")["direction"] == "improved"


def test_no_significant_difference_in_pain_scores(nlp):
    got = first(nlp, "There was no significant difference in pain scores between groups.")
    assert (got["measure"], got["direction"]) == ("pain scores", "no_difference")


def test_nonsignificant_p_is_no_difference(nlp):
    assert first(nlp, "MADRS decreased from baseline (p = 0.34).")["direction"] == "no_difference"


def test_higher_in_placebo_group_is_improved(nlp):
    text = "Pain scores were higher in the placebo group than in the ketamine group."
    assert first(nlp, text)["direction"] == "improved"


def test_higher_in_ketamine_group_than_placebo_is_worsened(nlp):
    text = "Pain scores were higher in the ketamine group than in the placebo group."
    assert first(nlp, text)["direction"] == "worsened"


def test_response_rate_higher_is_improved(nlp):
    assert first(nlp, "Response rates were higher with ketamine (45% vs 20%).")["direction"] == "improved"


def test_time_to_rescue_longer_is_improved(nlp):
    text = "Time to first rescue analgesia was prolonged with ketamine (p = 0.002)."
    assert first(nlp, text)["direction"] == "improved"


def test_two_measures_two_clauses(nlp):
    got = extract_outcomes(nlp("Ketamine reduced MADRS scores, but HAM-D scores were similar between groups."))
    assert [(o["measure"], o["direction"]) for o in got] == [("MADRS", "improved"), ("HAM-D", "no_difference")]


def test_qualifier_in_following_clause_applies(nlp):
    text = "MADRS scores decreased in both arms, but the difference was not significant."
    assert first(nlp, text)["direction"] == "no_difference"


def test_safety_no_difference_does_not_override(nlp):
    text = "Ketamine significantly reduced opioid consumption, with no significant difference in adverse events."
    assert first(nlp, text)["direction"] == "improved"


def test_did_not_reduce(nlp):
    assert first(nlp, "Ketamine did not reduce postoperative delirium.")["direction"] == "no_difference"


def test_numbers_collected(nlp):
    got = first(nlp, "Remission rates were 40% vs 15% (OR 3.1, 95% CI 1.2-8.0; p = 0.02).")
    assert got["numbers"] == ["40%", "15%", "95% CI 1.2-8.0", "p = 0.02"]


def test_synonym_maps_to_canonical(nlp):
    assert first(nlp, "The Montgomery-Asberg Depression Rating Scale was the primary outcome.")["measure"] == "MADRS"


def test_methods_sentence_has_no_direction(nlp):
    assert first(nlp, "The primary outcome was change in HAM-D at day 7.")["direction"] is None


def test_generic_word_without_result_is_dropped(nlp):
    assert extract_outcomes(nlp("Depression is a leading cause of disability worldwide.")) == []


def test_offsets(nlp):
    text = "A trial\n\nHIT-6 scores improved at 3 months."
    got = first(nlp, text)
    assert text[got["start"]:got["end"]] == "HIT-6"


def test_span_group(nlp):
    doc = nlp("MIDAS and PHQ-9 were recorded.")
    assert [s.label_ for s in doc.spans["kt_outcome"]] == ["MIDAS", "PHQ-9"]


# Issue 13: "favours ketamine / favours comparator" must follow the numbers and the scale's polarity
# (a LOWER score with ketamine on a depression or pain scale is an improvement).
@pytest.mark.parametrize(("text", "expected"), [
    ("MADRS scores were lower with esketamine than with placebo at day 28.", "improved"),
    ("MADRS scores were higher in the esketamine group than placebo (p = 0.03).", "worsened"),
    ("VAS pain scores in the ketamine group were lower than those of the control group.", "improved"),
    ("Pain scores were lower in patients randomized to ketamine than placebo.", "improved"),
    ("Esketamine was superior to placebo on MADRS change.", "improved"),
    ("Esketamine was inferior to placebo on MADRS change.", "worsened"),
    ("The change in MADRS total score was greater for esketamine than placebo.", "improved"),
    ("Ketamine was associated with a smaller reduction in MADRS than ECT.", "worsened"),
    ("The mean difference in MADRS change was -4.0 favouring esketamine.", "improved"),
    ("The difference favoured placebo on MADRS.", "worsened"),
])
def test_comparison_direction(nlp, text, expected):
    assert first(nlp, text)["direction"] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Mean MADRS scores at day 28 were 18.2 for esketamine and 22.9 for placebo (p = 0.01).", "improved"),
    ("Mean pain scores were 3.1 with placebo and 5.2 with ketamine (p = 0.01).", "worsened"),
    ("Remission rates were 40% with ketamine and 15% with placebo (p = 0.02).", "improved"),
    ("MADRS decreased by 15.1 points with ketamine and 7.2 points with placebo (p < 0.001).", "improved"),
    ("MADRS change from baseline was -15.1 with esketamine vs -7.2 with placebo (p < 0.001).", "improved"),
    ("The reduction in pain scores was 3.2 with ketamine and 1.1 with placebo (p = 0.004).", "improved"),
    ("VAS at 24 h: ketamine 2.1 vs placebo 3.4, p = 0.01.", "improved"),
    ("MADRS scores were 20.1 with ketamine and 22.3 with placebo (p = 0.45).", "no_difference"),
])
def test_arm_values_decide_direction(nlp, text, expected):
    assert first(nlp, text)["direction"] == expected


def test_dose_is_not_an_arm_value():
    assert arm_values("Patients received ketamine 0.5 mg/kg or saline 10 ml (p = 0.01).") == {}


def test_p_value_before_full_stop_is_read():
    assert p_values("Pain fell with ketamine, p = 0.04.") == [("p = 0.04", 0.04, "=")]
