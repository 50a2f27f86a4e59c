"""Efficacy verdict rules added after the PsyNamic error study; sentences written for these tests."""

from nlp.outcomes import efficacy_direction
from nlp.outcomes.efficacy import claim, conclusion_sentences
from support import verdict


def test_trial_registration_after_conclusion_is_not_conclusion(nlp):
    text = ("Ketamine and depression\n\nMETHODS: Patients received ketamine. RESULTS: Scores fell. CONCLUSIONS: "
            "Ketamine reduced depressive symptoms. TRIAL REGISTRATION: Registry ID 12345. Ketamine for mood "
            "disorders in adults.")
    sents = conclusion_sentences(nlp(text))
    assert [s.strip() for s in sents] == ["CONCLUSIONS: Ketamine reduced depressive symptoms."]


def test_copyright_line_is_not_a_last_sentence(nlp):
    text = ("Ketamine in practice\n\nWe treated twelve outpatients with oral ketamine. Most reported less pain "
            "after a month. The drug was tolerated by all of them. (Journal Record (c) 2020 Publisher, all "
            "rights reserved)")
    sents = conclusion_sentences(nlp(text))
    assert all("rights reserved" not in s for s in sents)
    assert any("tolerated" in s for s in sents)


def test_but_not_limited_to_is_no_contrast():
    assert "mixed" not in claim("Ketamine reduced pain most in, but not limited to, those with a short history of pain.")


def test_necessary_but_not_sufficient_is_no_contrast():
    assert "mixed" not in claim("Early symptom relief is necessary but not sufficient for lasting remission.")


def test_but_not_still_marks_a_contrast():
    assert "mixed" in claim("Ketamine improved mood at one week but not at one month.")


def test_provides_support_for_is_positive():
    assert claim("These data provide support for ketamine in acute suicidal crises.") == {"positive"}


def test_feasible_treatment_option_is_positive():
    assert "positive" in claim("For such patients the infusions proved a feasible and well-tolerated treatment option.")


def test_not_a_useful_treatment_is_null():
    assert claim("In this cohort, nasal ketamine was not a useful treatment strategy.") == {"null"}


def test_do_not_support_is_null():
    assert "null" in claim("The results do not support a role for the drug in relapse prevention.")


def test_healthy_volunteer_title_is_not_applicable(nlp):
    text = ("Ketamine lowers frontal alpha power in healthy subjects\n\nRESULTS: Alpha power decreased after "
            "ketamine (p = 0.01). CONCLUSIONS: The change might predict a rapid antidepressant response.")
    assert verdict(nlp, text) == "not_applicable"


def test_recreational_users_title_is_not_applicable(nlp):
    text = ("Memory in frequent ketamine users\n\nRESULTS: Users scored worse on recall and reported more "
            "depressive symptoms than controls. CONCLUSIONS: Regular use is linked to worse memory.")
    assert verdict(nlp, text) == "not_applicable"


def test_case_report_of_treatment_is_read_for_a_verdict(nlp):
    text = ("Oral ketamine for refractory depression in an older man: a case report\n\nA man with chronic "
            "depression received oral ketamine. His mood improved within a week. Ketamine may be an option in "
            "similar cases.")
    assert verdict(nlp, text) == "positive"


def test_case_report_of_a_harm_is_not_applicable(nlp):
    text = ("Treating dissociative symptoms after esketamine nasal spray: a case report\n\nA woman felt detached "
            "for hours after each dose. Lorazepam shortened the episodes. Clinicians should ask about such symptoms.")
    assert verdict(nlp, text) == "not_applicable"


def test_protocol_with_monitoring_and_undergo_statements(nlp):
    text = ("Intramuscular ketamine in the emergency room\n\nAdults who consent will undergo baseline ratings. "
            "Blood pressure will be monitored for two hours. Samples will be drawn at one hour. "
            "Each patient is then admitted. A good result would make ketamine an effective treatment option for suicidal patients.")
    assert verdict(nlp, text) == "not_applicable"


def test_results_to_be_presented_is_not_applicable(nlp):
    text = ("Nasal esketamine for rapid reduction of depressive symptoms in suicidal patients: the XYZ-2 study\n\nMETHODS: Patients were randomised to "
            "esketamine or placebo. RESULTS: 200 patients were randomised. CONCLUSIONS: This group needs rapid "
            "treatment. Efficacy results from XYZ-2 will be presented at the congress.")
    assert verdict(nlp, text) == "not_applicable"


def test_negated_benefit_noun_is_null():
    assert claim("The infusion did not provide analgesic benefit after surgery.") == {"null"}


def test_failed_to_show_an_effect_is_null():
    assert claim("Esketamine failed to show a significant antidepressant effect.") == {"null"}


def test_no_antidepressant_response_is_null():
    assert claim("No antidepressant response was seen in the ketamine arm.") == {"null"}


def test_not_associated_with_effect_is_null():
    assert claim("Higher plasma levels were not associated with antidepressant effects.") == {"null"}


def test_later_clause_carries_the_point():
    # no contrast word between the clauses: the later one carries the sentence
    assert claim("Ketamine did not lower delirium rates, and it reduced pain at rest.") == {"positive"}


def test_null_then_contrasted_benefit_is_mixed():
    # a benefit on one outcome set against none on another (gold guideline annotators: mixed)
    assert "mixed" in claim("Ketamine did not lower delirium rates, yet it reduced pain at rest.")
    assert "mixed" in claim("Although the infusion did not reduce anxiety scores, it significantly reduced pain intensity.")


def test_positive_then_but_did_not_is_mixed():
    assert "mixed" in claim("Ketamine relieved depressive symptoms but did not change suicidal ideation scores.")


def test_future_research_clause_makes_no_claim():
    assert claim("Larger trials are needed to confirm whether ketamine is an effective treatment option.") == set()


def test_claim_before_future_research_clause_is_kept():
    assert claim("Ketamine appears promising, although further studies are needed to establish safety.") == {"positive"}


def test_prevalence_title_is_not_applicable(nlp):
    text = ("Past-year ketamine use and low mood among college students\n\nRESULTS: Use was linked to more "
            "depressive symptoms (p = 0.02). CONCLUSIONS: Ketamine use worsened depressive symptoms in this group.")
    assert verdict(nlp, text) == "not_applicable"


def test_plasticity_title_is_not_applicable(nlp):
    text = ("Long-term potentiation-like plasticity after repeated ketamine in depression\n\nRESULTS: Plasticity rose after "
            "treatment. CONCLUSIONS: Ketamine may enhance plasticity, but this was unrelated to mood change.")
    assert verdict(nlp, text) == "not_applicable"


def test_seems_to_reduce_is_positive():
    assert claim("Esketamine seems to reduce suicidal thoughts within hours.") == {"positive"}


def test_could_help_is_positive():
    assert claim("Our findings suggest that ketamine could help patients with refractory pain.") == {"positive"}


def test_higher_response_rates_is_positive():
    assert claim("Response rates were higher with ketamine than with saline.") == {"positive"}


def test_superiority_over_placebo_is_positive():
    assert claim("The drug demonstrated superiority over placebo in lowering MADRS scores.") == {"positive"}


def test_reduced_need_for_rescue_is_positive():
    assert claim("Ketamine reduced the need for rescue analgesia.") == {"positive"}


def test_efficacy_remains_uncertain_is_null():
    assert claim("The infusion is safe but its efficacy remains uncertain.") == {"null"}


def test_however_unchanged_is_mixed():
    assert "mixed" in claim("Ketamine improved pain at rest; however, pain on movement was unchanged.")


def test_as_effective_as_comparator_is_positive():
    assert claim("Oral ketamine was as effective as intravenous ketamine for pain relief.") == {"positive"}


def test_noninferiority_is_positive():
    assert claim("Esketamine was non-inferior to the standard regimen.") == {"positive"}


def test_noninferiority_not_shown_is_null():
    assert claim("Noninferiority to the standard regimen was not demonstrated.") == {"null"}


def test_may_be_without_benefit_word_is_no_claim():
    assert claim("The differences in depression scores may be due to chance.") == set()


def test_may_be_a_treatment_option_is_positive():
    assert claim("Ketamine may be a reasonable treatment option for refractory headache.") == {"positive"}


def test_suggests_potential_therapeutic_effect_is_positive():
    assert claim("Our results suggest a possible therapeutic effect of ketamine on anhedonia.") == {"positive"}


def test_could_be_of_value_is_positive():
    assert claim("Ketamine could be of value for patients with cancer pain.") == {"positive"}


def test_only_worsened_outcomes_without_claim_is_not_applicable(nlp):
    outcomes = [{"measure": "depressive symptoms", "direction": "worsened", "efficacy": True}]
    doc = nlp("Mood in weekend party-goers\n\nDepressive symptoms were higher on day three "
              "than at baseline. The sample was recruited online.")
    assert efficacy_direction(doc, outcomes) == "not_applicable"


def test_negative_claim_in_conclusion_is_still_negative(nlp):
    text = ("Ketamine after spine surgery\n\nRESULTS: Pain scores rose with ketamine. CONCLUSIONS: Ketamine "
            "worsened postoperative pain.")
    assert verdict(nlp, text) == "negative"


def test_amelioration_of_symptoms_is_positive():
    assert claim("Weekly infusions produced a sustained amelioration of depressive symptoms.") == {"positive"}


def test_may_be_a_method_to_reduce_is_positive():
    assert claim("Ketamine may be a safe, feasible method to reduce suicidality on medical wards.") == {"positive"}
