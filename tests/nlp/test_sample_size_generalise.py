"""Sample size: wordings found outside the gold set (sentences written for these tests)."""

from nlp.extract import extract_article
from nlp.sample_size import parse_number


def _size(abstract, title="Ketamine in adults"):
    r = extract_article(1, title, abstract)
    return r["sample_size"]


def test_spelled_number_with_unicode_hyphen():
    assert parse_number("Thirty\u2010six") == 36
    assert _size("METHODS: Thirty\u2010six adults were enrolled and received ketamine.") == 36


def test_vague_hundreds_are_no_count():
    assert _size("RESULTS: Only a few hundred patients have received this drug, and 24 patients were enrolled here.") == 24


def test_millions_are_no_count():
    assert _size("Depression affects about 280 million people worldwide. We enrolled 40 patients.") == 40


def test_overall_percentage_is_no_total():
    assert _size("METHODS: 52 users were studied. RESULTS: Overall, 85% of users reported nausea.") == 52


def test_matched_controls_joined_by_and():
    # "age- and sex-matched": one modifier, and a control group added to the patients of another sentence
    assert _size("METHODS: Eighteen patients with depression received ketamine. "
                 "Eighteen age- and sex-matched healthy volunteers were scanned once.") == 36


def test_two_adjectives_joined_by_and():
    assert _size("METHODS: We studied 31 healthy and drug-naive participants.") == 31


def test_list_with_long_relative_clause():
    assert _size("METHODS: We recruited 22 users who had taken the drug at least twice in the last month "
                 "and 19 controls who never used it.") == 41


def test_list_continued_with_by():
    assert _size("METHODS: Questionnaires were completed by 40 attendees who used the drug, and by 35 controls.") == 75


def test_two_groups_listed_not_multiplied():
    assert _size("METHODS: The sample was divided into two groups of 14 current users and 27 former users.") == 41


def test_time_points_are_not_arms():
    assert _size("METHODS: Patients were assessed at week 1 (n = 64), at week 4 (n = 51) and at week 8 (n = 47).") == 64


def test_objective_sentence_about_this_study_when_nothing_else():
    assert _size("OBJECTIVE: This study assessed sleep in adults given ketamine (n = 26). "
                 "RESULTS: Sleep improved.") == 26


def test_background_numbers_still_ignored_when_methods_count():
    assert _size("BACKGROUND: We previously treated 300 patients. METHODS: 45 adults were enrolled.") == 45


def test_identified_count_is_a_last_resort():
    assert _size("METHODS: We identified 412 adults who received ketamine in the emergency department.") == 412
    assert _size("METHODS: We identified 412 records. RESULTS: 58 patients were included.") == 58


def test_control_group_alone_is_not_the_sample():
    assert _size("METHODS: Twenty users and 22 healthy controls completed the tests. "
                 "To check for other drugs, 9 polydrug controls were included.") == 42


def test_numbers_sharing_one_noun_are_summed():
    assert _size("METHODS: We compared 36 heavy, 29 light and 41 non-drinking students on memory tasks.") == 106
    assert _size("METHODS: Two doses were tested in 14 and 11 healthy volunteers, respectively.") == 25


def test_shared_noun_list_skips_units_and_arms():
    # "8 sessions, and twelve patients": a number of sessions is no group
    assert _size("METHODS: Ten patients were treated with ketamine twice weekly for 8 sessions, "
                 "and ten patients were treated with sham stimulation.") == 20
    r = extract_article(1, "Ketamine for depression: a meta-analysis",
                        "RESULTS: We pooled 9 trials with 20 treatment arms and 1,310 patients.")
    assert r["pooled_participants"] == 1310
