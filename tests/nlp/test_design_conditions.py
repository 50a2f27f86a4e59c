"""Design and conditions: metadata vs text precedence, hard cases."""

from nlp.extract import extract_article


def test_rct_from_text():
    r = extract_article(1, "Ketamine for depression", "METHODS: Patients were randomly assigned to ketamine or placebo.")
    assert (r["design"], r["design_source"]) == ("rct", "text")


def test_pubtype_beats_text():
    r = extract_article(1, "Ketamine for depression", "Patients were randomly assigned.", pub_types=["Review"])
    assert (r["design"], r["design_source"]) == ("review", "pubtype")


def test_weak_pubtype_does_not_beat_text():
    r = extract_article(1, "Ketamine", "Patients were randomly assigned to ketamine or saline.", pub_types=["Clinical Trial", "Journal Article"])
    assert r["design"] == "rct"


def test_weak_pubtype_used_when_text_silent():
    r = extract_article(1, "Ketamine", "Ketamine helped.", pub_types=["Clinical Trial"])
    assert (r["design"], r["design_source"]) == ("non_randomized_trial", "pubtype")


def test_mesh_animals_means_preclinical():
    r = extract_article(1, "Ketamine", "Ketamine helped patients.", mesh=["Animals", "Ketamine"])
    assert (r["design"], r["design_source"]) == ("preclinical", "mesh")


def test_background_rct_mention_is_not_design():
    r = extract_article(1, "Ketamine use in a clinic", "BACKGROUND: Randomized trials showed benefit. METHODS: We reviewed charts retrospectively.")
    assert r["design"] == "observational"


def test_protocol_from_future_tense():
    r = extract_article(1, "Ketamine for pain", "Participants will be randomized to ketamine or placebo. Pain will be assessed daily.")
    assert r["design"] == "protocol"


def test_case_report():
    r = extract_article(1, "Ketamine for CRPS", "We report a 45-year-old woman with pain treated with ketamine.")
    assert (r["design"], r["sample_size"]) == ("case_report", 1)


def test_trd_subtype_from_title():
    r = extract_article(1, "Ketamine in treatment-resistant depression", "Mood improved.")
    assert (r["conditions"], r["condition_subtypes"]) == (["depression"], ["trd"])


def test_mesh_condition_beats_text():
    r = extract_article(1, "Ketamine and mood", "Pain and depression were measured.", mesh=["Pain, Postoperative"])
    assert (r["conditions"], r["condition_source"]) == (["pain"], "mesh")


def test_respiratory_depression_is_not_depression():
    r = extract_article(1, "Ketamine sedation", "No respiratory depression occurred. Respiratory depression is rare.")
    assert "depression" not in r["conditions"]


def test_headache_as_side_effect_is_not_migraine():
    r = extract_article(1, "Ketamine for depression", "Adverse events included headache and dizziness. Headache resolved.")
    assert "migraine" not in r["conditions"]


def test_cluster_headache_subtype():
    r = extract_article(1, "Intranasal ketamine for cluster headache", "Attacks were shorter.")
    assert r["condition_subtypes"] == ["cluster_headache"] and r["conditions"] == ["migraine"]
