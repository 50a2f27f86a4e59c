"""Conditions from the text: healthy volunteers, default label, bipolar depression, dose words.

Every sentence here is written for the test; none is taken from a data set.
"""

import pytest

from nlp.extract import extract_article


def conditions(title, abstract):
    r = extract_article(1, title, abstract)
    return r["conditions"], r["condition_source"]


@pytest.mark.parametrize("title,abstract", [
    ("Ketamine and attention", "Sixteen healthy volunteers received ketamine and saline on two days."),
    ("Esketamine spray and reaction times", "Healthy adults took part; reaction times slowed at 40 minutes."),
    ("Ketamine and memory in healthy participants", "Recall was worse after ketamine."),
])
def test_healthy_volunteers_are_other(title, abstract):
    assert conditions(title, abstract)[0] == ["other"]


def test_no_condition_named_defaults_to_other():
    assert conditions("Ketamine plasma levels after a single dose", "Levels peaked at 30 minutes.") == (["other"], "default")


def test_a_named_condition_is_not_replaced_by_the_default():
    assert conditions("Ketamine for migraine", "Attacks were shorter.")[0] == ["migraine"]


@pytest.mark.parametrize("abstract", [
    "Adults with bipolar disorder in a depressed phase received ketamine; depression scores fell.",
    "Patients with bipolar disorder (BD) and depressive symptoms were infused. BD patients improved on the depression scale.",
])
def test_bipolar_disorder_beside_depression_is_not_another_condition(abstract):
    assert conditions("Ketamine in bipolar depression", abstract)[0] == ["depression"]


def test_bipolar_disorder_alone_stays_other():
    assert conditions("Ketamine and mania", "Patients with bipolar disorder had manic episodes. Bipolar disorder was rated.")[0] == ["other"]


def test_analgesic_dose_is_not_pain():
    assert conditions("Analgesic-range doses of ketamine and reaction time in healthy volunteers", "Reaction times slowed.")[0] == ["other"]


def test_sleep_disturbance_beside_depression_is_other_too():
    abstract = ("Depressed patients with sleep disturbances received ketamine. The sleep disturbance score fell. "
                "Patients without sleep disturbances improved less on the depression scale. Sleep disturbance predicted response.")
    assert conditions("Sleep disturbance and ketamine response in depression", abstract)[0] == ["depression", "other"]


def test_procedural_sedation_is_other():
    assert conditions("Ketamine for procedural sedation in children", "Children were calm.")[0] == ["other"]


@pytest.mark.parametrize("title,abstract", [
    ("Ketamine in sickle cell disease", "Patients admitted with vaso-occlusive crisis received ketamine."),
    ("Ketamine after spine surgery", "Morphine consumption over 48 hours was lower with ketamine."),
])
def test_analgesia_endpoints_are_pain(title, abstract):
    assert conditions(title, abstract)[0] == ["pain"]


def test_recreational_users_are_other():
    assert conditions("Memory in recreational ketamine users", "Users recalled fewer words.")[0] == ["other"]


@pytest.mark.parametrize("title,expected", [
    ("Ketamine for catatonia", ["other"]),
    ("Ketamine gargle and postoperative sore throat", ["pain"]),
    ("Ketamine in hemicrania continua", ["migraine"]),
    ("Ketamine for patients in suicidal crisis", ["depression"]),
])
def test_guideline_categories_named_in_the_title(title, expected):
    assert conditions(title, "Outcomes were recorded.")[0] == expected
