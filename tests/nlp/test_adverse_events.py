"""Adverse-event extraction on hard sentences written for these tests."""

from nlp.adverse_events import add_to_pipeline, extract_adverse_events, serious_ae
from nlp.adverse_events.pipeline import blank_pipeline


def events(nlp, text):
    return extract_adverse_events(nlp(text))


def by_term(nlp, text):
    return {e["term"]: e for e in events(nlp, text)}


def test_negated_hallucination_present_nausea(nlp):
    got = by_term(nlp, "No patient experienced hallucinations, but 3 reported nausea.")
    assert (got["hallucination"]["negated"], got["nausea"]["negated"]) == (True, False)


def test_negated_mention_takes_no_frequency_across_but(nlp):
    got = by_term(nlp, "No patient experienced hallucinations, but 3 reported nausea.")
    assert got["hallucination"]["frequency"] is None


def test_frequency_percent_after_mention(nlp):
    got = by_term(nlp, "Nausea was more frequent with ketamine (12% vs 3%).")
    assert (got["nausea"]["frequency"], got["nausea"]["frequency_pct"]) == ("12%", 12.0)


def test_frequency_fraction(nlp):
    got = by_term(nlp, "Dizziness occurred in 12/40 patients after esketamine.")
    assert (got["dizziness"]["frequency"], got["dizziness"]["frequency_pct"]) == ("12/40", 30.0)


def test_spelled_number_of_total(nlp):
    got = by_term(nlp, "Headache was reported as an adverse event by three of 40 participants.")
    assert got["headache"]["frequency_pct"] == 7.5


def test_spelled_count_before_mention(nlp):
    got = by_term(nlp, "Two patients developed transient hypotension.")
    assert got["hypotension"]["frequency"] == "Two patients"


def test_comparable_rates_negated(nlp):
    assert by_term(nlp, "Rates of dizziness were comparable between groups.")["dizziness"]["negated"] is True


def test_ponv_expands_to_nausea_and_vomiting(nlp):
    got = events(nlp, "PONV occurred in 8 of 40 patients.")
    assert sorted(e["term"] for e in got) == ["nausea", "vomiting"]


def test_synonym_collapsed_to_canonical(nlp):
    assert set(by_term(nlp, "Sleepiness and drowsiness were the most common adverse events.")) == {"sedation"}


def test_somnolence_is_its_own_term(nlp):
    # MedDRA keeps Somnolence and Sedation apart, and so do the gold set's annotators
    assert set(by_term(nlp, "Somnolence and sedation were the most common adverse events.")) == {"sedation", "somnolence"}


def test_emergence_delirium_is_emergence_phenomena(nlp):
    got = by_term(nlp, "Emergence delirium occurred in 5% of children.")
    assert got["emergence phenomena"]["organ_class"] == "psychiatric"


def test_cadss_is_dissociation(nlp):
    assert "dissociation" in by_term(nlp, "Dissociative symptoms (CADSS) resolved within 2 hours.")


def test_offsets_point_at_mention(nlp):
    text = "Title of trial\n\nTransient diplopia was reported in 4 patients."
    got = events(nlp, text)[0]
    assert text[got["start"]:got["end"]] == "diplopia"


def test_sentence_is_evidence_sentence(nlp):
    text = "Ketamine was given. Tachycardia occurred in 2 patients."
    assert events(nlp, text)[0]["sentence"] == "Tachycardia occurred in 2 patients."


def test_headache_days_outcome_is_not_ae(nlp):
    assert events(nlp, "Ketamine reduced monthly headache days compared with placebo (p = 0.01).") == []


def test_headache_as_side_effect_is_ae(nlp):
    assert "headache" in by_term(nlp, "The most common side effects were headache and dizziness.")


def test_suicidal_ideation_as_outcome_is_not_ae(nlp):
    text = "Ketamine rapidly reduced suicidal ideation within 24 hours (p < 0.001)."
    assert events(nlp, text) == []


def test_condition_in_title_needs_strong_cue(nlp):
    text = "Ketamine for anxiety in palliative care\n\nAnxiety improved in 12 of 20 patients."
    assert events(nlp, text) == []


def test_condition_in_title_with_adverse_cue(nlp):
    text = "Ketamine for migraine headache\n\nHeadache worsened as an adverse event in 2 patients."
    assert "headache" in by_term(nlp, text)


def test_depression_condition_not_an_ae(nlp):
    assert events(nlp, "Patients with treatment-resistant depression received ketamine 0.5 mg/kg.") == []


def test_respiratory_depression_is_ae(nlp):
    assert by_term(nlp, "No respiratory depression was observed.")["respiratory depression"]["negated"] is True


def test_cystitis_organ_class(nlp):
    assert by_term(nlp, "Ketamine-induced ulcerative cystitis was diagnosed.")["cystitis"]["organ_class"] == "urinary"


def test_blood_pressure_increase_is_hypertension(nlp):
    got = by_term(nlp, "Transient increases in blood pressure were the most common adverse events.")
    assert got["hypertension"]["organ_class"] == "cardiovascular"


def test_dissociative_anaesthetic_description_is_not_ae(nlp):
    assert events(nlp, "Ketamine is a dissociative anaesthetic and NMDA receptor antagonist.") == []


def test_works_without_sentence_boundaries():
    import spacy

    doc = spacy.blank("en")("Nausea occurred in 3 patients.")
    assert [e["term"] for e in extract_adverse_events(doc)] == ["nausea"]


def test_does_not_read_doc_ents(nlp):
    doc = nlp("Nausea occurred in 3 patients.")
    from spacy.tokens import Span

    doc.ents = [Span(doc, 0, 1, label="CONDITION")]
    assert [e["term"] for e in extract_adverse_events(doc)] == ["nausea"]


def test_span_group_filled_by_component(nlp):
    doc = nlp("Nausea and vomiting occurred.")
    assert [s.label_ for s in doc.spans["kt_ae"]] == ["nausea+vomiting"]


def test_add_to_pipeline_is_idempotent():
    pipe = blank_pipeline()
    before = list(pipe.pipe_names)
    add_to_pipeline(pipe)
    assert pipe.pipe_names == before


def test_serious_none(nlp):
    assert serious_ae(nlp("The infusion was well tolerated, without serious adverse events.")) == "no"


def test_serious_no_serious(nlp):
    assert serious_ae(nlp("No serious adverse events occurred.")) == "no"


def test_serious_yes(nlp):
    assert serious_ae(nlp("One serious adverse event (hospitalisation for suicidal ideation) occurred.")) == "yes"


def test_serious_method_only_unstated(nlp):
    assert serious_ae(nlp("Serious adverse events were recorded for 30 days.")) == "unstated"


def test_serious_absent_unstated(nlp):
    assert serious_ae(nlp("Nausea was the most common adverse event.")) == "unstated"


def test_serious_percent_yes(nlp):
    assert serious_ae(nlp("SAEs were reported in 3% of esketamine-treated patients.")) == "yes"


def test_guideline_canonical_names(nlp):
    # GUIDELINES of the gold set name delirium, nightmare, hypoxemia and urinary retention as terms of their own
    got = by_term(nlp, "Adverse events were delirium, nightmares, hypoxaemia and urinary retention in one patient each.")
    assert set(got) == {"delirium", "nightmare", "hypoxemia", "urinary retention"}
