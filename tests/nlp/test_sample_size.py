"""Sample size on sentences written for these tests (rules added for PsyNamic's participant bands included).

A review's pooled participants are its ``pooled_participants``; its ``sample_size`` is always None.
"""

import pytest

from nlp.extract import extract_article
from nlp.sample_size import parse_number

RCT = "Ketamine for depression: a randomized trial"
STUDY = "Ketamine and cognition in depression"
REVIEW = "Ketamine for depression: a systematic review and meta-analysis"


def _size(abstract, title=RCT):
    r = extract_article(1, title, abstract)
    return r["sample_size"], r["sample_size_basis"]


def _pooled(abstract):
    """A review's (pooled_participants, basis): its sample_size is always None."""
    r = extract_article(1, REVIEW, abstract)
    assert (r["design"], r["sample_size"], r["sample_size_basis"]) == ("review", None, None)
    return r["pooled_participants"], "pooled" if r["pooled_participants"] is not None else None


@pytest.mark.parametrize(("title", "abstract", "expected"), [
    pytest.param(RCT,
                 "HYPOTHESIS: Earlier, 120 patients were randomized. METHODS: Thirty adults received ketamine.",
                 30, id="objective_section_numbers_ignored"),
    pytest.param(RCT,
                 "BACKGROUND AND OBJECTIVE: Earlier, 120 patients were randomized. METHODS: Thirty adults received "
                 "ketamine.",
                 30, id="background_and_objective_section_numbers_ignored"),
    pytest.param(RCT,
                 "METHODS: Ketamine (n = 20) or placebo (n = 22) was infused.",
                 42, id="n_equals_arms_are_summed"),
    pytest.param(RCT,
                 "RESULTS: Twelve of 20 patients responded.",
                 20, id="part_of_whole_is_not_arms"),
    pytest.param(RCT,
                 "BACKGROUND: Depression affects 300 million people. METHODS: 30 adults were treated.",
                 30, id="background_numbers_ignored"),
    pytest.param(RCT,
                 "METHODS: A total of 1,204 patients were included.",
                 1204, id="thousands_separator"),
    pytest.param(RCT,
                 "METHODS: Patients aged 18 years were eligible; 25 patients were enrolled.",
                 25, id="ages_are_not_counts"),
    pytest.param(STUDY,
                 "METHODS: Twelve healthy, male volunteers received a ketamine infusion.",
                 12, id="comma_between_modifiers"),
    pytest.param(STUDY,
                 "METHODS: A total of 64 patients received a total of 300 ketamine infusions.",
                 64, id="total_of_infusions_is_not_participants"),
    pytest.param(STUDY,
                 "RESULTS: Thirty participants were enrolled, with twenty participants receiving all doses.",
                 30, id="with_subgroup_is_not_an_arm"),
    pytest.param(RCT,
                 "METHODS: Fifty patients (28 women) were divided randomly into two groups.",
                 50, id="bracketed_subgroup_is_not_an_arm"),
    pytest.param(RCT,
                 "METHODS: Each cohort will consist of 10 participants (8 receiving ketamine and 2 receiving "
                 "placebo).",
                 None, id="cohort_size_is_not_the_sample"),
    pytest.param(RCT,
                 "METHODS: Twenty patients per group were randomized to ketamine or saline.",
                 None, id="per_group_size_is_not_the_sample"),
    pytest.param(STUDY,
                 "METHODS: Thirty-three patients with depression and 26 healthy controls were scanned.",
                 59, id="patients_and_healthy_controls_are_summed"),
    pytest.param(STUDY,
                 "METHODS: Thirty-two current users, 28 former users, and 75 healthy controls took part.",
                 135, id="list_of_three_groups_is_summed"),
    pytest.param(STUDY,
                 "METHODS: This retrospective review of 21 Ss with chronic pain describes oral ketamine.",
                 21, id="ss_abbreviation_is_participants"),
    pytest.param(STUDY,
                 "METHODS: We scanned 25 patients and 25 HC after ketamine.",
                 50, id="hc_abbreviation_is_participants"),
    pytest.param(STUDY,
                 "METHODS: Respondents aged 12 years or older (N = 1,200) were surveyed.",
                 1200, id="n_after_an_age_range_is_participants"),
    pytest.param(STUDY,
                 "METHODS: We enrolled 64 outpatients (40 women and 24 men, aged 20-65 years) and 27 healthy "
                 "volunteers (15 women and 12 men).",
                 91, id="groups_with_bracketed_breakdowns_are_summed"),
    pytest.param(STUDY,
                 "METHODS: We tested 40 current users, 12 subjects who had stopped using the drug, and 20 controls.",
                 72, id="group_list_with_a_relative_clause"),
    pytest.param(STUDY,
                 "METHODS: In three separate studies (N = 73), healthy volunteers received placebo or drug.",
                 73, id="n_after_studies_with_adjectives_counts_participants"),
    pytest.param(STUDY,
                 "METHODS: The study included 30 patients, 20 boys and 10 girls, aged 6 to 11 years.",
                 30, id="list_that_opens_with_its_total"),
    pytest.param(STUDY,
                 "RESULTS: All sites, except one pilot site, enrolled patients with risk factors.",
                 None, id="comma_does_not_join_clauses_into_a_count"),
    pytest.param(STUDY,
                 "METHODS: Medical records (n = 88) of treated patients were reviewed.",
                 88, id="patient_records_with_n_are_counted"),
    pytest.param(STUDY,
                 "METHODS: Adults with depression (N = 23) received a ketamine infusion. Brain scans were also "
                 "acquired in matched healthy controls (N = 27).",
                 50, id="control_group_in_another_sentence_is_added"),
    pytest.param(STUDY,
                 "METHODS: We enrolled 30 patients with depression and 30 healthy controls. RESULTS: The 30 "
                 "healthy controls showed no change.",
                 60, id="control_group_in_the_same_list_is_not_added_twice"),
    pytest.param(STUDY,
                 "METHODS: Thirty-four patients received a ketamine infusion. Their sleep was compared to that "
                 "of healthy controls (n = 22) from earlier work.",
                 34, id="controls_only_compared_with_are_not_added"),
    pytest.param(STUDY,
                 "METHODS: Smokers (N = 38) and non-smokers (N = 38) completed the tasks.",
                 76, id="two_equal_groups_are_both_counted"),
    pytest.param(STUDY,
                 "METHODS: Eighteen cannabis users and 22 non-users did the recall test.",
                 40, id="non_users_are_participants"),
    pytest.param(STUDY,
                 "METHODS: We enrolled 13 abstinent former users of the drug and 17 controls who had never "
                 "taken it.",
                 30, id="group_list_with_an_of_phrase_and_relative_clause"),
    pytest.param(STUDY,
                 "METHODS: In this study, 40 adolescents were compared with 40 controls on symptom scales.",
                 80, id="groups_compared_with_each_other_are_summed"),
    pytest.param(RCT,
                 "METHODS: A randomized experiment in 3 groups of 9 healthy volunteers.",
                 27, id="groups_of_n_are_multiplied"),
    pytest.param(RCT,
                 "METHODS: Twenty subjects were randomized to ketamine or placebo. RESULTS: The 20 healthy "
                 "volunteers tolerated it.",
                 20, id="healthy_volunteers_elsewhere_are_not_added_as_controls"),
    pytest.param(STUDY,
                 "METHODS: A crossover study in twelve healthy poly‐drug users was conducted.",
                 12, id="unicode_hyphen_in_a_modifier"),
    pytest.param(STUDY,
                 "METHODS: Our sample consisted of forty-three ex-users of the substance.",
                 43, id="ex_users_are_participants"),
    pytest.param(STUDY,
                 "METHODS: In a within-subject study, patients received placebo (n = 19) followed by "
                 "psilocybin (n = 15).",
                 19, id="within_subject_conditions_are_not_summed"),
    pytest.param(STUDY,
                 "RESULTS: A total of 120 eyes of 60 patients were treated.",
                 60, id="total_of_eyes_is_not_participants"),
    pytest.param(STUDY,
                 "METHODS: We studied inpatients with (n = 17) and without (n = 31) a history of self-harm.",
                 48, id="arms_after_of_without_a_number_are_summed"),
    pytest.param(STUDY,
                 "METHODS: We scanned 20 drug users whose main drug was ecstasy and 20 controls during a "
                 "memory task.",
                 40, id="group_list_with_a_whose_clause"),
    pytest.param(STUDY,
                 "METHODS: Reaction times were recorded in 11 female users, in comparison with 19 healthy "
                 "female subjects.",
                 30, id="groups_in_comparison_with_each_other_are_summed"),
    # "N patients received X" is an arm like "M received Y" (the noun is optional in the arm pattern)
    pytest.param(RCT,
                 "METHODS: In all, 21 patients received ketamine and 19 received propofol.",
                 40, id="arm_with_its_noun_then_an_arm_without_one_are_summed"),
    pytest.param(RCT,
                 "METHODS: Healthy volunteers (HVs) and bipolar volunteers (BVs) were interviewed. Twenty HVs "
                 "and 16 BVs received ketamine.",
                 36, id="a_defined_short_form_of_a_participant_group_is_a_participant_noun"),
    pytest.param(RCT,
                 "METHODS: Magnetic resonance scans (MRSs) were read. We studied 20 patients, and 16 MRSs were "
                 "repeated.",
                 20, id="a_short_form_of_something_else_is_not_a_participant_noun"),
    pytest.param(RCT,
                 "METHODS: Our sample: 25 smokers and 25 non-smokers, all right-handed.",
                 50, id="smokers_and_non_smokers_are_both_counted"),
])
def test_sample_size(title, abstract, expected):
    assert _size(abstract, title)[0] == expected


@pytest.mark.parametrize(("title", "abstract", "expected"), [
    pytest.param(RCT,
                 "METHODS: In this trial 20 received ketamine and 22 placebo.",
                 (42, "arms"), id="arms_are_summed"),
    pytest.param(RCT,
                 "METHODS: Forty-two patients were randomized to ketamine (n = 20) or midazolam (n = 22).",
                 (42, "randomised"), id="total_with_arms_is_not_double_counted"),
    pytest.param(RCT,
                 "METHODS: Forty-two patients with major depression were enrolled.",
                 (42, "enrolled"), id="spelled_number"),
    pytest.param(RCT,
                 "METHODS: We enrolled 80 patients. RESULTS: Of these, 64 patients were randomized.",
                 (64, "randomised"), id="randomised_beats_enrolled"),
    pytest.param(RCT,
                 "RESULTS: Of 120 patients screened, 60 were randomized.",
                 (60, "randomised"), id="screened_is_not_the_sample"),
    pytest.param(RCT,
                 "METHODS: Patients received ketamine. RESULTS: Mood improved.",
                 (None, None), id="none_when_not_stated"),
    pytest.param(RCT,
                 "METHODS: Adults (N=60) with depression, of whom 45% (N=27) were taking antidepressants, were "
                 "randomly assigned to receive ketamine or midazolam.",
                 (60, "randomised"), id="percentage_subgroup_is_not_an_arm"),
    pytest.param(RCT,
                 "METHODS: Forty subjects were randomized to drug (n = 19) or placebo (n = 21) [drug: n = 19, "
                 "mean age 40 years; placebo: n = 21, mean age 41 years].",
                 (40, "randomised"), id="total_before_repeated_arms"),
])
def test_sample_size_and_basis(title, abstract, expected):
    assert _size(abstract, title) == expected


@pytest.mark.parametrize(("abstract", "expected"), [
    pytest.param("RESULTS: Twelve trials (n = 640 participants) were included.",
                 (640, "pooled"), id="review_gets_its_pooled_participants"),
    pytest.param("RESULTS: Nine trials and three cohort studies were included.",
                 (None, None), id="review_counting_only_studies_has_no_size"),
    pytest.param("RESULTS: The search returned records (N = 512); nine trials met the criteria.",
                 (None, None), id="review_record_count_is_not_participants"),
    pytest.param("RESULTS: Anxiety was frequent, and 3 participants needed a benzodiazepine during dosing.",
                 (None, None), id="review_count_outside_a_pooled_sentence_is_ignored"),
    pytest.param("RESULTS: A total of 412 records were screened and 9 trials were included.",
                 (None, None), id="review_total_of_records_is_not_participants"),
    pytest.param("RESULTS: Most studies used psilocybin (n = 7 studies) or ketamine (n = 5 studies).",
                 (None, None), id="review_n_of_studies_is_not_participants"),
    pytest.param("RESULTS: Pooling 17 RCTs (n = 2,918) gave a lower risk of relapse.",
                 (2918, "pooled"), id="review_n_after_a_number_of_trials_is_pooled"),
])
def test_review_pooled_participants_and_basis(abstract, expected):
    assert _pooled(abstract) == expected


@pytest.mark.parametrize(("abstract", "expected"), [
    pytest.param("RESULTS: We pooled 14 studies (N = 1,250) of ketamine.",
                 1250, id="studies_with_n_in_brackets_counts_participants"),
    pytest.param("RESULTS: Ten studies (480 participants) were included.",
                 480, id="count_inside_a_rejected_phrase_is_found"),
])
def test_review_pooled_participants(abstract, expected):
    assert _pooled(abstract)[0] == expected


def test_none_for_reviews_that_count_only_studies():
    # trials are not participants
    r = extract_article(1, REVIEW, "We included 12 trials.")
    assert r["sample_size"] is None


def test_review_pooled_count_may_be_an_arm_phrase():
    r = extract_article(1, REVIEW, "RESULTS: Nine trials with 812 patients receiving esketamine and 640 controls were included.")
    assert (r["sample_size"], r["pooled_participants"]) == (None, 1452)


@pytest.mark.parametrize(
    "words,value",
    [("seven", 7), ("forty-two", 42), ("one hundred and twenty", 120), ("two thousand five hundred", 2500), ("1,204", 1204)],
)
def test_parse_number(words, value):
    assert parse_number(words) == value


def test_sentence_is_recorded():
    r = extract_article(1, "Ketamine", "METHODS: Thirty adults were enrolled. RESULTS: Fine.")
    assert r["sample_size_sentence"] == "METHODS: Thirty adults were enrolled."
