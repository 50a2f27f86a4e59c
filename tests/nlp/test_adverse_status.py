"""Status and arm of adverse-event mentions (nlp.adverse_events.status), on sentences written for these tests."""

import pytest

from nlp.adverse_events import extract_adverse_events
from nlp.adverse_events.status import ARMS, STATUSES, mention_groups, rules
from nlp.extract import extract_article


def statuses(nlp, text, design=None):
    """term -> (status, arm) of the last mention of each term."""
    return {e["term"]: (e["status"], e["arm"]) for e in extract_adverse_events(nlp(text), design)}


def status_of(nlp, text, term, design=None):
    return statuses(nlp, text, design)[term][0]


# --- what a new user saw on the dashboard -------------------------------------------------

def test_protocol_plan_is_planned(nlp):
    assert status_of(nlp, "Nausea, dizziness and dissociation will be recorded after each session.", "dissociation") == "planned"


def test_known_effects_in_review_are_background(nlp):
    assert status_of(nlp, "Known adverse effects include dissociation, nausea and transient hypertension.", "nausea") == "background"


def test_comparator_event_is_other_drug(nlp):
    assert statuses(nlp, "Sedation occurred more frequently with dexmedetomidine.")["sedation"] == ("other_drug", "comparator")


@pytest.mark.parametrize("term", ["nausea", "vomiting", "dizziness", "headache"])
def test_no_significant_difference_negates_whole_list(nlp, term):
    text = "There were no significant differences in the incidence of nausea, vomiting, dizziness or headache between groups."
    assert status_of(nlp, text, term) == "not_occurred"


# --- the five statuses ------------------------------------------------------------------

@pytest.mark.parametrize("text, term, expected", [
    ("Dizziness occurred in 12 of 40 patients after ketamine.", "dizziness", "occurred"),
    ("Three patients developed transient hypertension during the infusion.", "hypertension", "occurred"),
    ("No patient experienced hallucinations.", "hallucination", "not_occurred"),
    ("Rates of vomiting were similar between the two groups.", "vomiting", "not_occurred"),
    ("Dissociation was absent in all sessions.", "dissociation", "not_occurred"),
    ("Nausea (8% vs 6%, p = 0.62) did not reach significance.", "nausea", "not_occurred"),
    ("Dissociative symptoms were assessed with the CADSS at 40 minutes.", "dissociation", "planned"),
    ("Secondary outcomes were the rate of adverse events, including nausea and dizziness.", "nausea", "planned"),
    ("Ketamine may cause hallucinations and agitation at anaesthetic doses.", "hallucination", "background"),
    ("Opioid-induced nausea is common after surgery.", "nausea", "other_drug"),
])
def test_status(nlp, text, term, expected):
    assert status_of(nlp, text, term) == expected


def test_significant_difference_stays_occurred(nlp):
    text = "Nausea was significantly more frequent with ketamine than placebo (30% vs 5%, p = 0.01)."
    assert status_of(nlp, text, "nausea") == "occurred"


def test_contrast_splits_clauses(nlp):
    text = "Dissociation was more frequent with ketamine, whereas headache did not differ between groups."
    got = statuses(nlp, text)
    assert (got["dissociation"][0], got["headache"][0]) == ("occurred", "not_occurred")


def test_structured_background_section_is_background(nlp):
    text = "BACKGROUND: Ketamine produces dissociation in most patients. RESULTS: Nausea occurred in 4 patients."
    got = statuses(nlp, text)
    assert (got["dissociation"][0], got["nausea"][0]) == ("background", "occurred")


@pytest.mark.parametrize("heading", ["INTRODUCTION AND BACKGROUND", "OBJECTIVE", "AIM OF THE STUDY"])
def test_background_and_objective_sections_are_background(nlp, heading):
    text = f"{heading}: Dissociation occurred in 12 of 40 patients after ketamine. RESULTS: Nausea occurred in 4 patients."
    assert status_of(nlp, text, "dissociation") == "background"


def test_protocol_design_makes_every_event_planned(nlp):
    assert status_of(nlp, "Participants report nausea and dizziness on a daily diary.", "nausea", design="protocol") == "planned"


def test_negated_flag_means_not_occurred(nlp):
    for e in extract_adverse_events(nlp("No patient had vomiting, but two had nausea and one reported dizziness.")):
        assert e["negated"] == (e["status"] == "not_occurred")


# --- efficacy outcomes of the condition studied are not harms ---------------------------

def test_suicidal_ideation_as_efficacy_outcome_is_dropped(nlp):
    text = "Depressive symptoms and suicidal ideation significantly improved after ketamine compared with placebo."
    assert "suicidal ideation" not in statuses(nlp, text)


def test_treatment_emergent_suicidal_ideation_is_kept(nlp):
    text = "One treatment-emergent adverse event of suicidal ideation occurred in the esketamine group."
    assert status_of(nlp, text, "suicidal ideation") == "occurred"


def test_population_descriptor_is_not_an_event(nlp):
    assert "sleep disturbance" not in statuses(nlp, "Patients without sleep disturbances responded better to ketamine.")


# --- arm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, term, arm", [
    ("In the ketamine group, 6 patients reported dizziness.", "dizziness", "ketamine"),
    ("Nausea occurred in 3 patients receiving placebo.", "nausea", "comparator"),
    ("Headache was reported in both groups.", "headache", "both"),
    ("Dizziness occurred in 12 patients.", "dizziness", "unstated"),
    ("Dissociation was more common with esketamine than with placebo.", "dissociation", "ketamine"),
])
def test_arm(nlp, text, term, arm):
    assert statuses(nlp, text)[term][1] == arm


def test_no_evidence_of_negates_the_list(nlp):
    text = "No evidence was found of nausea, hallucinations or cystitis in this sample."
    assert {t: s for t, (s, _) in statuses(nlp, text).items()} == {
        "nausea": "not_occurred", "hallucination": "not_occurred", "cystitis": "not_occurred"}


def test_every_status_and_arm_is_known(nlp):
    text = ("BACKGROUND: Ketamine may cause dissociation. METHODS: Nausea was recorded. RESULTS: Dizziness occurred "
            "in 5 patients on ketamine; vomiting did not differ between groups.")
    for e in extract_adverse_events(nlp(text)):
        assert e["status"] in STATUSES and e["arm"] in ARMS


# --- mechanics ---------------------------------------------------------------------------

def test_list_mentions_form_one_group():
    text = "nausea, vomiting and/or dizziness; later headache"
    spans = [(0, 6), (8, 16), (24, 33), (41, 49)]
    assert mention_groups(text, spans) == [0, 0, 0, 1]


def test_status_rule_file_loads():
    assert rules().p_threshold == 0.05


def test_extract_article_carries_status_and_arm():
    got = extract_article(1, "Ketamine for depression", "RESULTS: Dizziness occurred in 4 of 20 patients given ketamine.")
    ae = [a for a in got["adverse_events"] if a["term"] == "dizziness"]
    assert (ae[0]["status"], ae[0]["arm"]) == ("occurred", "ketamine")


# --- a title that makes the event the drug's effect ---------------------------------------

@pytest.mark.parametrize("title", [
    "Managing dissociative symptoms following intranasal esketamine: a case report",
    "Psychotomimetic effects of subanaesthetic ketamine in volunteers",
])
def test_title_naming_the_drugs_effect_counts_as_event(title):
    got = extract_article(1, title, "A 40-year-old woman was treated and recovered.")
    assert [a["status"] for a in got["adverse_events"] if a["start"] < len(title)] == ["occurred"]


def test_title_naming_the_treated_condition_is_not_an_event():
    got = extract_article(1, "Ketamine for the treatment of suicidal ideation", "Patients were followed for a week.")
    assert got["adverse_events"] == []


def test_recorded_events_without_results_are_planned(nlp):
    assert status_of(nlp, "Adverse events including nausea were recorded at each visit.", "nausea") == "planned"


@pytest.mark.parametrize("text, expected", [
    ("No hepatic, cognitive or urinary changes were observed after the course.",
     {"hepatotoxicity": "not_occurred", "cognitive impairment": "not_occurred", "urinary toxicity": "not_occurred"}),
    ("There were no group differences in dissociative (P = .62) or psychotic (P = .41) side effects.",
     {"dissociation": "not_occurred", "psychotomimetic effects": "not_occurred"}),
    ("The infusion was well tolerated with minimal cognitive and psychotomimetic side effects.",
     {"cognitive impairment": "occurred", "psychotomimetic effects": "occurred"}),
])
def test_adjectives_before_a_harm_noun_are_mentions(nlp, text, expected):
    assert {t: s for t, (s, _) in statuses(nlp, text).items()} == expected


def test_adjective_without_harm_noun_is_not_a_mention(nlp):
    assert statuses(nlp, "Cognitive tests and hepatic clearance were measured.") == {}


def test_event_as_predictor_is_not_negated(nlp):
    text = "Neither dissociative effects nor hallucinations were associated with changes in depression scores."
    assert {t: s for t, (s, _) in statuses(nlp, text).items()} == {"dissociation": "occurred", "hallucination": "occurred"}


@pytest.mark.parametrize("text, term, expected", [
    ("Despite its short-term side effects that include mainly dizziness and nausea, ketamine is used.", "dizziness", "background"),
    ("The most common adverse effects are nausea and headache, which tend to be transient.", "nausea", "background"),
    ("Clinical studies have shown that dissociative symptoms are not linked to response.", "dissociation", "background"),
])
def test_generic_statements_are_background(nlp, text, term, expected):
    assert status_of(nlp, text, term) == expected


def test_relieved_symptom_is_not_a_harm(nlp):
    assert statuses(nlp, "Ketamine can alleviate accompanying psychotic symptoms in depressed patients.") == {}


def test_anxiety_disorder_is_not_an_event(nlp):
    assert "anxiety" not in statuses(nlp, "Patients with generalized anxiety disorder reported nausea after ketamine.")


def test_bprs_is_the_psychotomimetic_scale(nlp):
    # the Brief Psychiatric Rating Scale measures ketamine's psychotomimetic effects, as the CADSS does dissociation
    text = "Only mania ratings rose with ketamine, without significant BPRS or CADSS elevation."
    assert {t: s for t, (s, _) in statuses(nlp, text).items()} == {
        "psychotomimetic effects": "not_occurred", "dissociation": "not_occurred"}


def test_scale_used_to_assess_is_planned(nlp):
    assert status_of(nlp, "Clinicians used the BPRS to assess any change in mental state.", "psychotomimetic effects") == "planned"


def test_dissociation_of_processes_is_not_an_event(nlp):
    assert statuses(nlp, "Dissociation of the effects of ketamine on encoding and retrieval was achieved.") == {}
