"""Efficacy verdict rules of issue 13: title kinds, mechanism studies, unstructured conclusions,
negated primary outcomes and the review switch. Every abstract here is written for these tests."""

import pytest

from nlp.outcomes import efficacy
from nlp.outcomes.efficacy import claim, primary_null, result_claims, tail_sentences, title_kind
from support import verdict


@pytest.mark.parametrize(("title", "expected"), [
    ("Ketamine infusion for chronic migraine: a randomised trial", None),
    ("Esketamine in healthy volunteers: effects on attention", "no_efficacy"),
    ("Adverse events during repeated esketamine dosing in depression", "safety"),
    ("Cardiovascular effects of ketamine infusions in depressed outpatients", "safety"),
    ("Safety and efficacy of oral ketamine for cancer pain", None),
    ("Serum BDNF as a predictor of response to ketamine", "mechanism"),
    ("Ketamine for postoperative pain: a systematic review and meta-analysis", "review"),
    ("Intranasal ketamine for cluster headache: a case report", None),
])
def test_title_kind(title, expected):
    assert title_kind(title) == expected


def test_mechanism_study_with_a_stated_treatment_effect_is_positive(nlp):
    text = ("Frontal theta power as a marker of ketamine response\n\nBACKGROUND: Markers of response are lacking. "
            "METHODS: Thirty patients had EEG before two infusions. RESULTS: Ketamine significantly reduced MADRS "
            "scores compared with saline (p < 0.001). Theta power did not relate to the change. CONCLUSIONS: Theta "
            "power is not a useful marker of response.")
    assert verdict(nlp, text) == "positive"


def test_mechanism_study_without_a_treatment_effect_is_not_applicable(nlp):
    text = ("Striatal PET imaging and ketamine response\n\nMETHODS: Twenty patients had PET scans after "
            "each infusion. RESULTS: Metabolism rose in the striatum; patients with the largest rise improved most. "
            "CONCLUSIONS: Striatal activity may predict antidepressant response to ketamine.")
    assert verdict(nlp, text) == "not_applicable"


def test_background_claim_is_not_a_result_of_a_mechanism_study(nlp):
    text = ("Plasma cytokines and ketamine response\n\nKetamine induces rapid antidepressant effects. Its "
            "mechanism is unclear. We measured six cytokines before and after one infusion in 40 patients. "
            "Interleukin-6 fell after the infusion. Cytokine change was unrelated to mood change.")
    assert result_claims(nlp(text)) == set()


def test_compound_adjective_is_not_a_treatment_effect(nlp):
    text = ("Imaging ketamine-induced dissociation\n\nWe scanned 20 patients twice. Hyperconnectivity fell. "
            "We saw ketamine-induced depersonalization and antidepressant response together.")
    assert result_claims(nlp(text)) == set()


def test_mechanism_study_with_negated_effect_is_null(nlp):
    text = ("Hippocampal volume and ketamine in bipolar depression\n\nMETHODS: 24 patients were scanned. "
            "RESULTS: Ketamine did not significantly reduce depressive symptoms compared with placebo. Volume "
            "did not change.")
    assert verdict(nlp, text) == "null"


@pytest.mark.parametrize("closing", [
    "It is concluded that ketamine is a useful adjunct for pain after hip surgery.",
    "Ketamine thus appears to be an effective addition to morphine in this setting.",
    "Low-dose ketamine reduced pain scores and opioid needs in these patients.",
])
def test_unstructured_verdict_before_a_closing_caveat(nlp, closing):
    text = ("Ketamine and morphine after hip surgery\n\nForty patients were given morphine alone or with "
            f"ketamine. Pain was scored for two days. {closing} The sample was small. Larger trials are needed "
            "to confirm these findings.")
    assert verdict(nlp, text) == "positive"


def test_tail_sentences_skip_back_matter(nlp):
    text = ("Ketamine in practice\n\nWe saw ten patients. Most improved. The drug seemed helpful. Side effects "
            "were mild. More work is needed. Copyright 2001 the authors, all rights reserved.")
    assert all("rights reserved" not in s for s in tail_sentences(nlp(text)))


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The primary endpoint was not met.", True),
    ("There was no significant difference in the primary outcome between groups.", True),
    ("The primary outcome, pain at 24 hours, did not differ between the two arms.", True),
    ("The primary outcome was the change in MADRS at day 2.", False),
    ("Esketamine was non-inferior on the primary outcome, with no significant difference from ECT.", False),
])
def test_primary_null(nlp, sentence, expected):
    assert primary_null(nlp("A trial of ketamine\n\nPatients were randomised. " + sentence)) is expected


def test_missed_primary_outcome_without_claim_is_null(nlp):
    text = ("Ketamine for acute migraine in the emergency room\n\nMETHODS: 90 adults got ketamine or "
            "metoclopramide. RESULTS: The primary endpoint was not met. Nausea was rarer with ketamine. "
            "CONCLUSIONS: Both drugs were given safely in the emergency room.")
    assert verdict(nlp, text) == "null"


def test_missed_primary_outcome_beside_a_positive_conclusion_is_mixed(nlp):
    text = ("Nasal ketamine for cluster headache attacks\n\nMETHODS: 18 patients treated one attack. RESULTS: "
            "The primary endpoint was not met; pain fell by half at 30 minutes (p = 0.001). CONCLUSIONS: Nasal "
            "ketamine may be an effective acute treatment.")
    assert verdict(nlp, text) == "mixed"


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Ketamine did not significantly reduce pain at 24 hours.", {"null"}),
    ("The trial did not meet its primary endpoint.", {"null"}),
    ("The literature does not yet provide convincing evidence of benefit.", {"null"}),
    ("Pain scores were similar between groups at every time point.", {"null"}),
])
def test_negated_outcome_is_null(sentence, expected):
    assert claim(sentence) == expected


REVIEW = ("Ketamine for treatment-resistant depression: a systematic review\n\nMETHODS: We pooled 12 trials. "
          "RESULTS: Response rates were higher with ketamine. CONCLUSIONS: Ketamine is an effective short-term "
          "treatment for resistant depression.")


def test_review_conclusion_gives_a_verdict(nlp):
    assert verdict(nlp, REVIEW) == "positive"


def test_review_is_not_applicable_with_the_switch_off(nlp, monkeypatch):
    monkeypatch.setattr(efficacy, "REVIEW_VERDICT", False)
    assert verdict(nlp, REVIEW) == "not_applicable"


def test_safety_review_stays_not_applicable(nlp):
    text = ("Blood pressure after subanaesthetic ketamine: a meta-analysis\n\nMETHODS: We pooled 10 studies. "
            "CONCLUSIONS: Ketamine raises blood pressure briefly.")
    assert verdict(nlp, text) == "not_applicable"


def test_protocol_design_has_no_verdict(nlp):
    text = ("Ketamine for depression in older adults\n\nWe randomise 60 patients to ketamine or midazolam. "
            "CONCLUSIONS: Ketamine reduced depressive symptoms.")
    assert efficacy.efficacy_direction(nlp(text), design="protocol") == "not_applicable"
    assert efficacy.efficacy_direction(nlp(text)) == "positive"


# --- generalisation rules found on abstracts outside the gold set (sentences written for these tests)

@pytest.mark.parametrize("sentence", [
    "Intranasal ketamine produced rapid reductions in suicidal thinking over and above midazolam.",
    "The trial showed the drug's advantage in reducing the incidence of postnatal depression.",
    "We provide further preliminary evidence for the efficacy of intramuscular ketamine in this cohort.",
    "Our findings advocate for the routine use of low-dose esketamine after caesarean delivery.",
    "A single infusion may have a significant and lasting (up to two weeks) beneficial effect on suicidal ideation.",
    "Ketamine holds potential as a rapid-acting option for fatigue in bipolar depression.",
    "Repeated infusions induced rapid and robust antianhedonic effects in older adults.",
    "Adding ketamine was associated with the lowest incidence of emergence agitation among the regimens.",
])
def test_more_positive_wordings(sentence):
    assert claim(sentence) == {"positive"}


@pytest.mark.parametrize("sentence", [
    "Further investigations regarding the safety and effectiveness of oral ketamine maintenance are warranted.",
    "Future large-scale trials to clarify the comparative benefits of these regimens are warranted.",
    "This review underscores the need for larger, well-designed trials to assess the effectiveness of these drugs.",
])
def test_future_research_subject_makes_no_claim(sentence):
    assert claim(sentence) == set()


def test_not_harmful_is_not_a_negative_claim():
    assert "negative" not in claim("A single infusion was not harmful for cognitive function in depression.")


def test_evidence_still_lacking_is_null():
    assert claim("Convincing evidence for benefit on suicidal behaviour remains lacking.") == {"null"}


def test_inconsistent_evidence_beside_a_benefit_is_mixed():
    assert "mixed" in claim("Evidence of its analgesic efficacy is inconsistent, although one trial reported improved pain relief.")


def test_prevention_conclusion_counts_as_an_efficacy_sentence(nlp):
    text = ("Preoperative ketamine and cognitive disorders after hip surgery: a randomised trial\n\nMETHODS: Two "
            "hundred older adults received ketamine or saline. RESULTS: Delirium occurred in 20% and 21%; mood scores "
            "improved in both groups. CONCLUSIONS: A single preoperative ketamine bolus does not prevent postoperative "
            "neurocognitive disorder in older adults.")
    assert verdict(nlp, text) == "null"


@pytest.mark.parametrize(("title", "expected"), [
    ("Oral ketamine for chronic pain: a narrative review", "review"),
    ("Patients' narratives of ketamine clinic treatment", "no_efficacy"),
    ("Proteomic signatures of ketamine response in depression", "mechanism"),
])
def test_title_kind_more(title, expected):
    assert title_kind(title) == expected


def test_mechanism_study_stating_ketamine_was_effective_is_positive(nlp):
    text = ("Does baseline weight predict response to ketamine?\n\nBACKGROUND: Obesity may blunt response. METHODS: "
            "Two hundred outpatients received four infusions. RESULTS: Weight did not predict response to ketamine, "
            "which was effective in every weight band. CONCLUSIONS: Weight should not guide ketamine treatment.")
    assert verdict(nlp, text) == "positive"


# --- older, unstructured anaesthesia/pain wording (sentences written for these tests)

@pytest.mark.parametrize("sentence", [
    "Adding ketamine to morphine PCA did not confer any benefit.",
    "Intraoperative ketamine was without effect on pain after hernia repair.",
    "Ketamine was no more effective than saline.",
    "Neither pain scores nor analgesic consumption differed between the groups.",
    "Ketamine did not alter pain scores.",
    "Ketamine did not prolong the time to first analgesic request.",
    "Ketamine resulted in no improvement in mood.",
])
def test_older_null_wordings(sentence):
    assert claim(sentence) == {"null"}


@pytest.mark.parametrize("sentence", [
    "Patients receiving ketamine required less morphine.",
    "Morphine requirements were lower in the ketamine group.",
    "The ketamine group had lower pain scores at all time points.",
    "Ketamine was well tolerated and led to sustained remission.",
    "Ketamine significantly prolonged the duration of analgesia.",
    "Ketamine potentiated morphine analgesia.",
    "Ketamine reduced pain without affecting blood pressure.",
])
def test_older_positive_wordings(sentence):
    assert claim(sentence) == {"positive"}


def test_it_is_concluded_flags_the_conclusion(nlp):
    text = ("Small-dose ketamine after knee surgery\n\nForty patients received ketamine or saline before incision. "
            "Morphine use over 24 h was recorded. It is concluded that small-dose ketamine has an opioid-sparing "
            "effect after knee surgery. Hallucinations were not observed. Blood pressure was stable throughout.")
    assert verdict(nlp, text) == "positive"


def test_ongoing_trial_with_interim_results_is_not_a_protocol():
    title = "Group therapy after ketamine to prevent relapse in depression"
    body = ("Thirty adults will be recruited and will be assessed weekly after four infusions. Ten have completed; "
            "seven remained well at eight weeks.")
    interim = body + " Preliminary data suggest that group therapy may sustain the antidepressant effects of ketamine."
    plain = body + " This trial may show that group therapy can sustain the antidepressant effects of ketamine."
    assert not efficacy.is_protocol(title + "\n\n" + interim, title, [interim.split(". ")[-1]])
    assert efficacy.is_protocol(title + "\n\n" + plain, title, [plain.split(". ")[-1]])
