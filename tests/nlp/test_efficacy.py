"""Efficacy verdict and the claim of one sentence, on abstracts and sentences written for these tests
(rules added after the PsyNamic error study included)."""

import pytest

from nlp.outcomes import efficacy_direction
from nlp.outcomes.efficacy import claim, conclusion_sentences
from support import verdict


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Ketamine for treatment-resistant depression: a randomized trial\n\nMETHODS: 40 patients "
                 "received ketamine or midazolam. RESULTS: MADRS scores fell more with ketamine (p < 0.001). "
                 "CONCLUSIONS: A single ketamine infusion rapidly reduced depressive symptoms.",
                 "positive", id="positive_conclusion"),
    pytest.param("Intraoperative ketamine and postoperative delirium\n\nRESULTS: Delirium occurred in 19% and "
                 "17% of patients (p = 0.6). CONCLUSION: A single subanaesthetic dose of ketamine did not "
                 "decrease delirium in older adults after major surgery.",
                 "null", id="null_conclusion"),
    pytest.param("Ketamine after surgery\n\nRESULTS: Pain scores were higher with ketamine. CONCLUSION: Ketamine "
                 "worsened postoperative pain and should not be used for this indication.",
                 "negative", id="negative_conclusion"),
    pytest.param("Ketamine for chronic pain\n\nCONCLUSIONS: Ketamine improved pain at 1 week but not at 4 weeks; "
                 "effects were not sustained.",
                 "mixed", id="mixed_conclusion"),
    pytest.param("Esketamine for postpartum depression: study protocol\n\nMETHODS: 300 women will be randomized "
                 "to esketamine or saline. The primary outcome is the EPDS score at 42 days.",
                 "not_applicable", id="protocol_is_not_applicable"),
    pytest.param("Ketamine and cortical connectivity in healthy volunteers\n\nRESULTS: Ketamine increased gamma "
                 "power. CONCLUSION: Ketamine alters cortical connectivity in healthy volunteers.",
                 "not_applicable", id="healthy_volunteer_mechanism_is_not_applicable"),
    pytest.param("Ketamine in migraine\n\nMonthly migraine days decreased significantly (p = 0.01). The study "
                 "ended in 2019.",
                 "positive", id="results_decide_without_conclusion_claim"),
    pytest.param("", "not_applicable", id="empty_text"),
    pytest.param("Ketamine lowers frontal alpha power in healthy subjects\n\nRESULTS: Alpha power decreased "
                 "after ketamine (p = 0.01). CONCLUSIONS: The change might predict a rapid antidepressant "
                 "response.",
                 "not_applicable", id="healthy_volunteer_title_is_not_applicable"),
    pytest.param("Memory in frequent ketamine users\n\nRESULTS: Users scored worse on recall and reported more "
                 "depressive symptoms than controls. CONCLUSIONS: Regular use is linked to worse memory.",
                 "not_applicable", id="recreational_users_title_is_not_applicable"),
    pytest.param("Oral ketamine for refractory depression in an older man: a case report\n\nA man with chronic "
                 "depression received oral ketamine. His mood improved within a week. Ketamine may be an "
                 "option in similar cases.",
                 "positive", id="case_report_of_treatment_is_read_for_a_verdict"),
    pytest.param("Treating dissociative symptoms after esketamine nasal spray: a case report\n\nA woman felt "
                 "detached for hours after each dose. Lorazepam shortened the episodes. Clinicians should ask "
                 "about such symptoms.",
                 "not_applicable", id="case_report_of_a_harm_is_not_applicable"),
    pytest.param("Intramuscular ketamine in the emergency room\n\nAdults who consent will undergo baseline "
                 "ratings. Blood pressure will be monitored for two hours. Samples will be drawn at one hour. "
                 "Each patient is then admitted. A good result would make ketamine an effective treatment "
                 "option for suicidal patients.",
                 "not_applicable", id="protocol_with_monitoring_and_undergo_statements"),
    pytest.param("Nasal esketamine for rapid reduction of depressive symptoms in suicidal patients: the XYZ-2 "
                 "study\n\nMETHODS: Patients were randomised to esketamine or placebo. RESULTS: 200 patients "
                 "were randomised. CONCLUSIONS: This group needs rapid treatment. Efficacy results from XYZ-2 "
                 "will be presented at the congress.",
                 "not_applicable", id="results_to_be_presented_is_not_applicable"),
    pytest.param("Past-year ketamine use and low mood among college students\n\nRESULTS: Use was linked to more "
                 "depressive symptoms (p = 0.02). CONCLUSIONS: Ketamine use worsened depressive symptoms in "
                 "this group.",
                 "not_applicable", id="prevalence_title_is_not_applicable"),
    pytest.param("Long-term potentiation-like plasticity after repeated ketamine in depression\n\nRESULTS: "
                 "Plasticity rose after treatment. CONCLUSIONS: Ketamine may enhance plasticity, but this was "
                 "unrelated to mood change.",
                 "not_applicable", id="plasticity_title_is_not_applicable"),
    pytest.param("Ketamine after spine surgery\n\nRESULTS: Pain scores rose with ketamine. CONCLUSIONS: Ketamine "
                 "worsened postoperative pain.",
                 "negative", id="negative_claim_in_conclusion_is_still_negative"),
])
def test_verdict(nlp, text, expected):
    assert verdict(nlp, text) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    pytest.param("These data provide support for ketamine in acute suicidal crises.",
                 {"positive"}, id="provides_support_for_is_positive"),
    pytest.param("In this cohort, nasal ketamine was not a useful treatment strategy.",
                 {"null"}, id="not_a_useful_treatment_is_null"),
    pytest.param("The infusion did not provide analgesic benefit after surgery.",
                 {"null"}, id="negated_benefit_noun_is_null"),
    pytest.param("Esketamine failed to show a significant antidepressant effect.",
                 {"null"}, id="failed_to_show_an_effect_is_null"),
    pytest.param("No antidepressant response was seen in the ketamine arm.",
                 {"null"}, id="no_antidepressant_response_is_null"),
    pytest.param("Higher plasma levels were not associated with antidepressant effects.",
                 {"null"}, id="not_associated_with_effect_is_null"),
    # no contrast word between the clauses: the later one carries the sentence
    pytest.param("Ketamine did not lower delirium rates, and it reduced pain at rest.",
                 {"positive"}, id="later_clause_carries_the_point"),
    pytest.param("Larger trials are needed to confirm whether ketamine is an effective treatment option.",
                 set(), id="future_research_clause_makes_no_claim"),
    pytest.param("Ketamine appears promising, although further studies are needed to establish safety.",
                 {"positive"}, id="claim_before_future_research_clause_is_kept"),
    pytest.param("Esketamine seems to reduce suicidal thoughts within hours.",
                 {"positive"}, id="seems_to_reduce_is_positive"),
    pytest.param("Our findings suggest that ketamine could help patients with refractory pain.",
                 {"positive"}, id="could_help_is_positive"),
    pytest.param("Response rates were higher with ketamine than with saline.",
                 {"positive"}, id="higher_response_rates_is_positive"),
    pytest.param("The drug demonstrated superiority over placebo in lowering MADRS scores.",
                 {"positive"}, id="superiority_over_placebo_is_positive"),
    pytest.param("Ketamine reduced the need for rescue analgesia.",
                 {"positive"}, id="reduced_need_for_rescue_is_positive"),
    pytest.param("The infusion is safe but its efficacy remains uncertain.",
                 {"null"}, id="efficacy_remains_uncertain_is_null"),
    pytest.param("Oral ketamine was as effective as intravenous ketamine for pain relief.",
                 {"positive"}, id="as_effective_as_comparator_is_positive"),
    pytest.param("Esketamine was non-inferior to the standard regimen.", {"positive"}, id="noninferiority_is_positive"),
    pytest.param("Noninferiority to the standard regimen was not demonstrated.",
                 {"null"}, id="noninferiority_not_shown_is_null"),
    pytest.param("The differences in depression scores may be due to chance.",
                 set(), id="may_be_without_benefit_word_is_no_claim"),
    pytest.param("Ketamine may be a reasonable treatment option for refractory headache.",
                 {"positive"}, id="may_be_a_treatment_option_is_positive"),
    pytest.param("Our results suggest a possible therapeutic effect of ketamine on anhedonia.",
                 {"positive"}, id="suggests_potential_therapeutic_effect_is_positive"),
    pytest.param("Ketamine could be of value for patients with cancer pain.",
                 {"positive"}, id="could_be_of_value_is_positive"),
    pytest.param("Weekly infusions produced a sustained amelioration of depressive symptoms.",
                 {"positive"}, id="amelioration_of_symptoms_is_positive"),
    pytest.param("Ketamine may be a safe, feasible method to reduce suicidality on medical wards.",
                 {"positive"}, id="may_be_a_method_to_reduce_is_positive"),
])
def test_claim(sentence, expected):
    assert claim(sentence) == expected


@pytest.mark.parametrize(("sentence", "kind"), [
    pytest.param("Ketamine improved mood at one week but not at one month.",
                 "mixed", id="but_not_still_marks_a_contrast"),
    pytest.param("For such patients the infusions proved a feasible and well-tolerated treatment option.",
                 "positive", id="feasible_treatment_option_is_positive"),
    pytest.param("The results do not support a role for the drug in relapse prevention.",
                 "null", id="do_not_support_is_null"),
    pytest.param("Ketamine relieved depressive symptoms but did not change suicidal ideation scores.",
                 "mixed", id="positive_then_but_did_not_is_mixed"),
    pytest.param("Ketamine improved pain at rest; however, pain on movement was unchanged.",
                 "mixed", id="however_unchanged_is_mixed"),
    # a benefit on one outcome set against none on another (gold guideline annotators: mixed)
    pytest.param("Ketamine did not lower delirium rates, yet it reduced pain at rest.", "mixed",
                 id="null_then_contrasted_benefit_is_mixed"),
    pytest.param("Although the infusion did not reduce anxiety scores, it significantly reduced pain intensity.", "mixed",
                 id="null_then_contrasted_benefit_is_mixed_although"),
])
def test_claim_includes(sentence, kind):
    assert kind in claim(sentence)


@pytest.mark.parametrize(("sentence", "kind"), [
    pytest.param("Ketamine reduced pain most in, but not limited to, those with a short history of pain.",
                 "mixed", id="but_not_limited_to_is_no_contrast"),
    pytest.param("Early symptom relief is necessary but not sufficient for lasting remission.",
                 "mixed", id="necessary_but_not_sufficient_is_no_contrast"),
])
def test_claim_excludes(sentence, kind):
    assert kind not in claim(sentence)


def test_trial_registration_after_conclusion_is_not_conclusion(nlp):
    text = ("Ketamine and depression\n\nMETHODS: Patients received ketamine. RESULTS: Scores fell. CONCLUSIONS: "
            "Ketamine reduced depressive symptoms. TRIAL REGISTRATION: Registry ID 12345. Ketamine for mood "
            "disorders in adults.")
    sents = conclusion_sentences(nlp(text))
    assert [s.strip() for s in sents] == ["CONCLUSIONS: Ketamine reduced depressive symptoms."]


COPYRIGHT_TEXT = ("Ketamine in practice\n\nWe treated twelve outpatients with oral ketamine. Most reported less pain "
                  "after a month. The drug was tolerated by all of them. (Journal Record (c) 2020 Publisher, all "
                  "rights reserved)")


def test_copyright_line_is_not_a_last_sentence(nlp):
    assert all("rights reserved" not in s for s in conclusion_sentences(nlp(COPYRIGHT_TEXT)))


def test_sentence_before_a_copyright_line_is_a_last_sentence(nlp):
    assert any("tolerated" in s for s in conclusion_sentences(nlp(COPYRIGHT_TEXT)))


def test_only_worsened_outcomes_without_claim_is_not_applicable(nlp):
    outcomes = [{"measure": "depressive symptoms", "direction": "worsened", "efficacy": True}]
    doc = nlp("Mood in weekend party-goers\n\nDepressive symptoms were higher on day three "
              "than at baseline. The sample was recruited online.")
    assert efficacy_direction(doc, outcomes) == "not_applicable"


# The PsyNamic conclusion floor lives in tests/nlp/test_eval_psynamic.py, on the evaluation module's mapping.
