"""Design cues for trials that do not say "randomised trial" in so many words.

Every sentence here is written for the test; none is taken from a data set.
"""

import pytest

from nlp.extract import extract_article


def design(title, abstract):
    r = extract_article(1, title, abstract)
    return r["design"], r["design_detail"]


@pytest.mark.parametrize("abstract", [
    "Five adults received ascending ketamine doses, and one saline infusion was randomly inserted into the sequence.",
    "Saline sessions were randomly interspersed among the ketamine sessions in ten volunteers.",
])
def test_randomly_inserted_control_is_rct(abstract):
    assert design("Ketamine dose response", abstract)[0] == "rct"


@pytest.mark.parametrize("abstract", [
    "Forty patients received six ketamine infusions over two weeks and mood was rated daily.",
    "Ten subjects will be recruited to undergo a course of three intravenous infusions of ketamine; so far 6/10 responded.",
    "Eighteen outpatients underwent repeated esketamine doses at the clinic.",
])
def test_patients_receiving_ketamine_is_a_trial(abstract):
    assert design("Ketamine in depression", abstract) == ("non_randomized_trial", "clinical_trial")


def test_taking_part_in_a_named_trial_is_a_trial():
    abstract = "Twenty adults took part in the oral ketamine trial for chronic pain over eight weeks."
    assert design("Function after ketamine", abstract)[0] == "non_randomized_trial"


def test_receiving_a_high_dose_of_another_treatment_is_not_a_ketamine_trial():
    abstract = "Veterans who received high dose treatment with opioids had more visits (OR 2.1)."
    assert design("Opioids and visits", abstract)[0] != "non_randomized_trial"


def test_phase_three_study_without_randomisation_is_a_trial():
    abstract = "In two long-term phase 3 studies, adults with depression used esketamine nasal spray for a year."
    assert design("Esketamine over one year", abstract)[0] == "non_randomized_trial"


@pytest.mark.parametrize("abstract", [
    "This was a post hoc analysis of 90 patients given ketamine twice weekly.",
    "A secondary analysis of sleep scores in 60 ketamine-treated adults is reported.",
])
def test_post_hoc_analysis_without_randomisation_is_not_rct(abstract):
    assert design("Sleep and ketamine", abstract) == ("non_randomized_trial", "secondary_analysis")


def test_post_hoc_analysis_of_a_randomised_trial_stays_rct():
    abstract = "This post hoc analysis used data of a randomized, placebo-controlled trial of ketamine in 80 adults."
    assert design("Ketamine response predictors", abstract)[0] == "rct"


def test_post_hoc_analysis_of_phase_3_studies_is_not_rct():
    abstract = "A post hoc analysis of pooled data from two phase 3 studies of esketamine nasal spray in 500 adults."
    assert design("Esketamine tolerability", abstract)[0] == "non_randomized_trial"


def test_retrospective_review_of_patients_is_observational():
    abstract = "This retrospective review examined 30 patients who had ketamine infusions at one practice."
    assert design("Ketamine in practice", abstract)[0] == "observational"


def test_retrospectively_registered_trial_is_not_observational():
    abstract = "Patients took part in our open-label ketamine study. Trial registration: NCT00000000 (retrospectively registered)."
    assert design("Open-label ketamine", abstract)[0] == "non_randomized_trial"
