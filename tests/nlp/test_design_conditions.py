"""Design and conditions: metadata vs text precedence, hard cases, and the study-design rules added for
PsyNamic's study-type definitions. Every sentence here is written for the test; none is taken from a data set."""

import pytest

from nlp.evaluation.psynamic import design_label
from nlp.extract import extract_article


def design(title, abstract):
    r = extract_article(1, title, abstract)
    return r["design"], r["design_detail"]


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


# --- study-design rules for PsyNamic's study-type definitions --------------------------------

@pytest.mark.parametrize(("title", "abstract", "expected"), [
    pytest.param("A randomized controlled trial of ketamine in depression",
                 "INTERVENTION: Ketamine 0.5 mg/kg or saline by infusion. CONDITION: Major depression. PRIMARY "
                 "OUTCOME: Change in depression score at day 7. INCLUSION CRITERIA: Outpatients between 21 and "
                 "60 years.",
                 "protocol", id="registry_record_fields_mean_protocol"),
    pytest.param("Ketamine in depression",
                 "The intervention: ketamine. The condition: depression. Patients were randomized to ketamine "
                 "or saline.",
                 "rct", id="lower_case_field_words_are_not_a_registry_record"),
    pytest.param("Ketamine for depression: a double-blind pilot study",
                 "METHODS: Forty patients were randomized to ketamine or midazolam. RESULTS: Mood improved.",
                 "rct", id="weak_title_cue_does_not_outrank_randomisation_in_body"),
    pytest.param("Ketamine and working memory",
                 "METHODS: Sixteen healthy adults joined our double-blind, placebo-controlled ketamine "
                 "experiment with two sessions.",
                 "non_randomized_trial", id="double_blind_placebo_controlled_without_randomisation_is_not_rct"),
    pytest.param("Ketamine infusions for depression: a double-blind pilot",
                 "METHODS: Patients received infusions of ketamine in an open clinic. Scores were stored in a "
                 "database.",
                 "non_randomized_trial", id="database_alone_is_weaker_than_a_trial_cue"),
    pytest.param("Ketamine in the emergency department",
                 "Adults with depression who enrol will undergo baseline ratings. They will receive one "
                 "ketamine injection. Blood will be drawn at one hour, and mood will be rated daily for a week.",
                 "protocol", id="future_tense_methods_mean_protocol"),
    pytest.param("Protocol for prospective multicentre study of ketamine in suicidal patients",
                 "Background only.",
                 "protocol", id="protocol_for_study_title_without_article"),
    pytest.param("Ketamine versus placebo in depression",
                 "The investigators will compare ketamine with placebo in sixty adults with depression.",
                 "protocol", id="registry_summary_phrasing_is_protocol"),
    pytest.param("Brain metabolism after ketamine",
                 "OBJECTIVES: This double-blind, randomized, crossover study examined ketamine in bipolar "
                 "depression. METHODS: Twenty subjects had two scans. RESULTS: Metabolism rose.",
                 "rct", id="objective_sentence_about_this_study_is_read"),
    pytest.param("Ketamine in clinical practice",
                 "BACKGROUND: Randomized trials found ketamine effective. METHODS: We reviewed 300 charts of "
                 "clinic patients.",
                 "observational", id="background_sentence_about_earlier_trials_is_still_skipped"),
    pytest.param("Ketamine use patterns",
                 "An anonymous online questionnaire was completed by 2,000 adults who had used ketamine.",
                 "observational", id="online_questionnaire_is_observational"),
    pytest.param("Ketamine exposures",
                 "Calls about ketamine exposure to poison control centers from 2010 to 2020 were analysed.",
                 "observational", id="poison_centre_calls_are_observational"),
    # the annotation guidelines list "retrospective chart review" under observational
    pytest.param("Oral ketamine for pain",
                 "This retrospective review describes 15 patients given oral ketamine for pain in our clinic.",
                 "observational", id="retrospective_review_of_a_patient_series_is_observational"),
    pytest.param("Ketamine in the emergency department",
                 "We conducted a retrospective review of the electronic medical records of 400 patients given "
                 "ketamine.",
                 "observational", id="retrospective_review_of_medical_records_is_observational"),
    pytest.param("Ketamine in refractory depression",
                 "We report findings in a patient with refractory depression who received ketamine.",
                 "case_report", id="we_report_findings_in_a_patient_is_case_report"),
    pytest.param("Ketamine-induced cystitis: a new case",
                 "Symptoms resolved.",
                 "case_report", id="title_a_new_case_is_case_report"),
    pytest.param("Ketamine sedation and laryngospasm in a child",
                 "Symptoms resolved.",
                 "case_report", id="title_in_a_child_is_case_report"),
    pytest.param("Ketamine and delirium: a cohort study and meta-analysis",
                 "Patients were followed.",
                 "review", id="cohort_study_and_meta_analysis_title_is_review"),
    pytest.param("Living after ketamine treatment: a qualitative inquiry",
                 "In this paper we explore experiences.",
                 "observational", id="qualitative_inquiry_is_observational"),
    pytest.param("A randomized placebo-controlled study of ketamine in PTSD",
                 "This study will examine whether ketamine helps. Participants will be randomized to ketamine "
                 "or placebo.",
                 "protocol", id="future_tense_protocol_outranks_randomized_title"),
])
def test_design(title, abstract, expected):
    assert design(title, abstract)[0] == expected


@pytest.mark.parametrize(("title", "abstract", "wrong"), [
    pytest.param("Ketamine and mood",
                 "BACKGROUND AND OBJECTIVE: In a randomized controlled trial, ketamine reduced pain. Twenty "
                 "patients received ketamine.",
                 "rct", id="cue_in_a_background_section_is_skipped"),
    pytest.param("Ketamine and mood",
                 "HYPOTHESIS: In a randomized controlled trial, ketamine reduced pain. Twenty patients received "
                 "ketamine.",
                 "rct", id="cue_in_an_objective_section_is_skipped"),
    pytest.param("Ketamine and mood",
                 "Ketamine was given to twelve volunteers and mood was rated. (PsycINFO Database Record (c) "
                 "2031 APA)",
                 "observational", id="apa_copyright_line_is_not_observational"),
    pytest.param("Intranasal ketamine dose escalation",
                 "Doses rose from 10 mg in cohort 1 to 40 mg in cohort 3 of this dose-escalation study.",
                 "observational", id="dose_cohort_numbers_are_not_a_cohort_study"),
    pytest.param("Ketamine in the emergency department",
                 "Patients will undergo ratings, will receive ketamine and will be followed for a week. "
                 "Ketamine significantly reduced depression scores (p < 0.01).",
                 "protocol", id="future_tense_with_reported_results_is_not_protocol"),
    pytest.param("Ketamine and the course of depression",
                 "Many patients will have recovered within a year, some will relapse, and a few will still "
                 "have symptoms. Ketamine will likely change practice.",
                 "protocol", id="generic_future_statements_are_not_protocol"),
    pytest.param("Ketamine for chronic pain",
                 "Eight patients improved after ketamine. Larger randomized controlled trials are needed to "
                 "confirm this.",
                 "rct", id="call_for_future_trials_is_not_this_study_design"),
    pytest.param("Ketamine for depression",
                 "Limitations include the lack of randomization and blinding in this open series of 30 patients.",
                 "rct", id="lack_of_randomization_is_not_rct"),
    pytest.param("EEG after ketamine",
                 "Twenty experienced users took ketamine in a naturalistic setting while EEG was recorded.",
                 "observational", id="naturalistic_alone_is_not_observational"),
    pytest.param("Oral ketamine for pain",
                 "This retrospective review of the literature summarises ketamine use for pain.",
                 "observational", id="retrospective_review_of_the_literature_is_not_observational"),
    pytest.param("Ketamine clinics",
                 "We report results of a patient survey on ketamine clinics.",
                 "case_report", id="patient_survey_is_not_a_case_report"),
    pytest.param("Ketamine and pain",
                 "Pain fell in a patient group given ketamine.",
                 "case_report", id="in_a_patient_in_the_body_is_not_title_cue"),
    pytest.param("Esketamine tablets in healthy adults",
                 "Peak levels were highest in the 80 mg dose cohort of this phase I dose-escalation study.",
                 "observational", id="dose_escalation_cohort_is_not_a_cohort_study"),
    pytest.param("Ketamine with psychotherapy",
                 "Twelve adults will be recruited and will be treated with ketamine twice weekly. Interim "
                 "results: most responded (7/10, 70%).",
                 "protocol", id="future_tense_with_reported_counts_is_not_protocol"),
])
def test_design_is_not(title, abstract, wrong):
    assert design(title, abstract)[0] != wrong


@pytest.mark.parametrize(("title", "abstract", "expected"), [
    pytest.param("Ketamine and anhedonia",
                 "METHODS: Data from 90 patients were pooled from two placebo-controlled crossover studies of "
                 "ketamine.",
                 "secondary_analysis", id="pooled_from_controlled_studies_is_secondary_analysis"),
    pytest.param("Esketamine in mood disorders: overview of systematic reviews",
                 "Reviews were appraised.",
                 "systematic_review", id="overview_of_systematic_reviews_is_systematic"),
    pytest.param("Ketamine in depression: an open 6-week study",
                 "Twenty patients were treated.",
                 "open_label", id="an_open_study_is_open_label"),
    pytest.param("Ketamine for pain: systematic literature review",
                 "Studies were summarised.",
                 "systematic_review", id="systematic_literature_review_title"),
    pytest.param("Ketamine and cognition: a meta-analytic review",
                 "Effects were small.",
                 "meta_analysis", id="meta_analytic_review_is_meta_analysis"),
])
def test_design_detail(title, abstract, expected):
    assert design(title, abstract)[1] == expected


@pytest.mark.parametrize(("title", "abstract", "expected"), [
    pytest.param("Ketamine and anxiety",
                 "METHODS: In this secondary analysis we re-examined a double-blind, placebo-controlled "
                 "ketamine trial.",
                 ("rct", "secondary_analysis"), id="secondary_analysis_without_the_word_randomized"),
])
def test_design_and_detail(title, abstract, expected):
    assert design(title, abstract) == expected


def test_pooled_analysis_of_trials_is_not_a_meta_analysis():
    r = extract_article(1, "Esketamine and sleep: a pooled analysis of three phase 3 trials", "Sleep improved.")
    assert design_label(r) == "other"
