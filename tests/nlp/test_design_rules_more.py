"""Study-design rules added for PsyNamic's study-type definitions (one behaviour per test).

Every sentence here is written for the test; none is taken from a data set.
"""

from nlp.evaluation.psynamic import design_label
from nlp.extract import extract_article


def design(title, abstract):
    r = extract_article(1, title, abstract)
    return r["design"], r["design_detail"]


def test_registry_record_fields_mean_protocol():
    abstract = ("INTERVENTION: Ketamine 0.5 mg/kg or saline by infusion. CONDITION: Major depression. "
                "PRIMARY OUTCOME: Change in depression score at day 7. INCLUSION CRITERIA: Outpatients between 21 and 60 years.")
    assert design("A randomized controlled trial of ketamine in depression", abstract)[0] == "protocol"


def test_lower_case_field_words_are_not_a_registry_record():
    abstract = "The intervention: ketamine. The condition: depression. Patients were randomized to ketamine or saline."
    assert design("Ketamine in depression", abstract)[0] == "rct"


def test_weak_title_cue_does_not_outrank_randomisation_in_body():
    abstract = "METHODS: Forty patients were randomized to ketamine or midazolam. RESULTS: Mood improved."
    assert design("Ketamine for depression: a double-blind pilot study", abstract)[0] == "rct"


def test_double_blind_placebo_controlled_without_randomisation_is_not_rct():
    abstract = "METHODS: Sixteen healthy adults joined our double-blind, placebo-controlled ketamine experiment with two sessions."
    assert design("Ketamine and working memory", abstract)[0] == "non_randomized_trial"


def test_apa_copyright_line_is_not_observational():
    abstract = "Ketamine was given to twelve volunteers and mood was rated. (PsycINFO Database Record (c) 2031 APA)"
    assert design("Ketamine and mood", abstract)[0] != "observational"


def test_dose_cohort_numbers_are_not_a_cohort_study():
    abstract = "Doses rose from 10 mg in cohort 1 to 40 mg in cohort 3 of this dose-escalation study."
    assert design("Intranasal ketamine dose escalation", abstract)[0] != "observational"


def test_database_alone_is_weaker_than_a_trial_cue():
    abstract = "METHODS: Patients received infusions of ketamine in an open clinic. Scores were stored in a database."
    assert design("Ketamine infusions for depression: a double-blind pilot", abstract)[0] == "non_randomized_trial"


def test_secondary_analysis_without_the_word_randomized():
    abstract = "METHODS: In this secondary analysis we re-examined a double-blind, placebo-controlled ketamine trial."
    assert design("Ketamine and anxiety", abstract) == ("rct", "secondary_analysis")


def test_pooled_from_controlled_studies_is_secondary_analysis():
    abstract = "METHODS: Data from 90 patients were pooled from two placebo-controlled crossover studies of ketamine."
    assert design("Ketamine and anhedonia", abstract)[1] == "secondary_analysis"


def test_pooled_analysis_of_trials_is_not_a_meta_analysis():
    r = extract_article(1, "Esketamine and sleep: a pooled analysis of three phase 3 trials", "Sleep improved.")
    assert design_label(r) == "other"


def test_future_tense_methods_mean_protocol():
    abstract = ("Adults with depression who enrol will undergo baseline ratings. They will receive one ketamine injection. "
                "Blood will be drawn at one hour, and mood will be rated daily for a week.")
    assert design("Ketamine in the emergency department", abstract)[0] == "protocol"


def test_future_tense_with_reported_results_is_not_protocol():
    abstract = ("Patients will undergo ratings, will receive ketamine and will be followed for a week. "
                "Ketamine significantly reduced depression scores (p < 0.01).")
    assert design("Ketamine in the emergency department", abstract)[0] != "protocol"


def test_generic_future_statements_are_not_protocol():
    abstract = ("Many patients will have recovered within a year, some will relapse, and a few will still have symptoms. "
                "Ketamine will likely change practice.")
    assert design("Ketamine and the course of depression", abstract)[0] != "protocol"


def test_protocol_for_study_title_without_article():
    assert design("Protocol for prospective multicentre study of ketamine in suicidal patients", "Background only.")[0] == "protocol"


def test_registry_summary_phrasing_is_protocol():
    abstract = "The investigators will compare ketamine with placebo in sixty adults with depression."
    assert design("Ketamine versus placebo in depression", abstract)[0] == "protocol"


def test_overview_of_systematic_reviews_is_systematic():
    assert design("Esketamine in mood disorders: overview of systematic reviews", "Reviews were appraised.")[1] == "systematic_review"


def test_objective_sentence_about_this_study_is_read():
    abstract = ("OBJECTIVES: This double-blind, randomized, crossover study examined ketamine in bipolar depression. "
                "METHODS: Twenty subjects had two scans. RESULTS: Metabolism rose.")
    assert design("Brain metabolism after ketamine", abstract)[0] == "rct"


def test_background_sentence_about_earlier_trials_is_still_skipped():
    abstract = "BACKGROUND: Randomized trials found ketamine effective. METHODS: We reviewed 300 charts of clinic patients."
    assert design("Ketamine in clinical practice", abstract)[0] == "observational"


def test_call_for_future_trials_is_not_this_study_design():
    abstract = "Eight patients improved after ketamine. Larger randomized controlled trials are needed to confirm this."
    assert design("Ketamine for chronic pain", abstract)[0] != "rct"


def test_lack_of_randomization_is_not_rct():
    abstract = "Limitations include the lack of randomization and blinding in this open series of 30 patients."
    assert design("Ketamine for depression", abstract)[0] != "rct"


def test_online_questionnaire_is_observational():
    abstract = "An anonymous online questionnaire was completed by 2,000 adults who had used ketamine."
    assert design("Ketamine use patterns", abstract)[0] == "observational"


def test_poison_centre_calls_are_observational():
    abstract = "Calls about ketamine exposure to poison control centers from 2010 to 2020 were analysed."
    assert design("Ketamine exposures", abstract)[0] == "observational"


def test_an_open_study_is_open_label():
    assert design("Ketamine in depression: an open 6-week study", "Twenty patients were treated.")[1] == "open_label"


def test_naturalistic_alone_is_not_observational():
    abstract = "Twenty experienced users took ketamine in a naturalistic setting while EEG was recorded."
    assert design("EEG after ketamine", abstract)[0] != "observational"


def test_retrospective_review_of_a_patient_series_is_observational():
    # the annotation guidelines list "retrospective chart review" under observational
    abstract = "This retrospective review describes 15 patients given oral ketamine for pain in our clinic."
    assert design("Oral ketamine for pain", abstract)[0] == "observational"


def test_retrospective_review_of_the_literature_is_not_observational():
    abstract = "This retrospective review of the literature summarises ketamine use for pain."
    assert design("Oral ketamine for pain", abstract)[0] != "observational"


def test_retrospective_review_of_medical_records_is_observational():
    abstract = "We conducted a retrospective review of the electronic medical records of 400 patients given ketamine."
    assert design("Ketamine in the emergency department", abstract)[0] == "observational"


def test_we_report_findings_in_a_patient_is_case_report():
    abstract = "We report findings in a patient with refractory depression who received ketamine."
    assert design("Ketamine in refractory depression", abstract)[0] == "case_report"


def test_patient_survey_is_not_a_case_report():
    abstract = "We report results of a patient survey on ketamine clinics."
    assert design("Ketamine clinics", abstract)[0] != "case_report"


def test_title_a_new_case_is_case_report():
    assert design("Ketamine-induced cystitis: a new case", "Symptoms resolved.")[0] == "case_report"


def test_title_in_a_child_is_case_report():
    assert design("Ketamine sedation and laryngospasm in a child", "Symptoms resolved.")[0] == "case_report"


def test_in_a_patient_in_the_body_is_not_title_cue():
    assert design("Ketamine and pain", "Pain fell in a patient group given ketamine.")[0] != "case_report"


def test_systematic_literature_review_title():
    assert design("Ketamine for pain: systematic literature review", "Studies were summarised.")[1] == "systematic_review"


def test_cohort_study_and_meta_analysis_title_is_review():
    assert design("Ketamine and delirium: a cohort study and meta-analysis", "Patients were followed.")[0] == "review"


def test_meta_analytic_review_is_meta_analysis():
    assert design("Ketamine and cognition: a meta-analytic review", "Effects were small.")[1] == "meta_analysis"


def test_dose_escalation_cohort_is_not_a_cohort_study():
    abstract = "Peak levels were highest in the 80 mg dose cohort of this phase I dose-escalation study."
    assert design("Esketamine tablets in healthy adults", abstract)[0] != "observational"


def test_qualitative_inquiry_is_observational():
    assert design("Living after ketamine treatment: a qualitative inquiry", "In this paper we explore experiences.")[0] == "observational"


def test_future_tense_with_reported_counts_is_not_protocol():
    abstract = ("Twelve adults will be recruited and will be treated with ketamine twice weekly. "
                "Interim results: most responded (7/10, 70%).")
    assert design("Ketamine with psychotherapy", abstract)[0] != "protocol"


def test_future_tense_protocol_outranks_randomized_title():
    abstract = "This study will examine whether ketamine helps. Participants will be randomized to ketamine or placebo."
    assert design("A randomized placebo-controlled study of ketamine in PTSD", abstract)[0] == "protocol"
