"""Outcome measures and result directions on sentences written for these tests."""

from nlp.outcomes import extract_outcomes


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
