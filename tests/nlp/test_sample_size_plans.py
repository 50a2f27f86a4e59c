"""Sample size: planned versus reported counts, hyphenated group names, subsamples.

Every sentence here is written for the test; none is taken from a data set.
"""

import pytest

from nlp.extract import extract_article

STUDY = "Ketamine and cognitive therapy in depression"


def size(abstract, title=STUDY):
    r = extract_article(1, title, abstract)
    return r["sample_size"], r["sample_size_basis"]


def test_enrolled_so_far_beats_the_planned_number():
    abstract = ("METHODS: Twenty adults with depression will be recruited to receive four ketamine infusions. "
                "RESULTS: So far, 9 adults have enrolled and 6 responded.")
    assert size(abstract) == (9, "enrolled")


def test_planned_number_beats_a_bare_number():
    abstract = "Thirty adults will be enrolled. Mood in 2 adults improved on day 1."
    assert size(abstract)[0] == 30


def test_protocol_counts_are_all_plans():
    abstract = ("This protocol describes a trial in which 90 adults will be randomized to ketamine or midazolam. "
                "Each participant will undergo a total of three ketamine sessions: one per week.")
    assert size(abstract, "Ketamine for suicidal ideation: a study protocol") == (90, "planned")


@pytest.mark.parametrize("abstract,expected", [
    ("Twelve patients joined the study. Three ketamine-treated patients had nausea.", 12),
    ("Twenty patients joined the study. None of the 8 placebo-assigned patients responded.", 20),
])
def test_hyphenated_group_names_are_not_a_basis(abstract, expected):
    assert size(abstract)[0] == expected


@pytest.mark.parametrize("noun", ["in-patients", "out-patients", "probands", "caregivers"])
def test_more_participant_nouns(noun):
    assert size(f"Ten {noun} took part after giving consent.")[0] == 10


def test_randomly_selected_subsample_is_the_sample():
    abstract = ("Ratings were recorded in a ketamine trial. Fifteen of 80 patients (19%) were randomly selected "
                "for the rating study.")
    assert size(abstract)[0] == 15


def test_part_of_a_whole_that_responded_is_not_a_subsample():
    abstract = "Forty patients received ketamine. Twelve of the 40 patients responded."
    assert size(abstract)[0] == 40


@pytest.mark.parametrize("abstract,expected", [
    ("Sixty ASA physical status I or II patients were randomly allocated to two groups.", 60),
    ("Forty ASA class 1 and 2 women were enrolled.", 40),
    ("We studied 24 ASA I-II children undergoing tonsillectomy.", 24),
])
def test_asa_class_between_number_and_noun(abstract, expected):
    assert size(abstract, "Ketamine for postoperative pain")[0] == expected


def test_total_before_a_colon_and_its_arms_is_not_double_counted():
    assert size("Eighty patients were randomised: 40 to ketamine and 40 to placebo.") == (80, "randomised")


@pytest.mark.parametrize("abstract,expected", [
    # groups enumerated by label: 3 × 10
    ("This phase 1 study will give single ascending doses of ketamine: 10 mg (Group 1), 20 mg (Group 2) "
     "and 40 mg (Group 3). Each group will consist of 10 volunteers (8 on ketamine, 2 on placebo).", 30),
    # the number of groups stated in words: 4 × 6
    ("Four dose cohorts are planned. Each cohort will include 6 healthy participants.", 24),
])
def test_group_size_times_number_of_groups_when_no_total_is_stated(abstract, expected):
    assert size(abstract, "Ketamine nasal spray in healthy volunteers: a protocol")[0] == expected


def test_group_size_alone_is_no_sample_size():
    abstract = "Each cohort will consist of 8 participants receiving ketamine or placebo."
    assert size(abstract, "Ketamine nasal spray in healthy volunteers: a protocol")[0] is None


def test_a_stated_total_beats_groups_times_their_size():
    abstract = ("Forty adults will be enrolled into two cohorts (Cohort 1 and Cohort 2). "
                "Each cohort will consist of 12 participants at first.")
    assert size(abstract, "Ketamine nasal spray in healthy volunteers: a protocol")[0] == 40
