"""Efficacy verdict on abstracts written for these tests."""

from support import verdict


def test_positive_conclusion(nlp):
    text = ("Ketamine for treatment-resistant depression: a randomized trial\n\nMETHODS: 40 patients received ketamine "
            "or midazolam. RESULTS: MADRS scores fell more with ketamine (p < 0.001). CONCLUSIONS: A single ketamine "
            "infusion rapidly reduced depressive symptoms.")
    assert verdict(nlp, text) == "positive"


def test_null_conclusion(nlp):
    text = ("Intraoperative ketamine and postoperative delirium\n\nRESULTS: Delirium occurred in 19% and 17% of "
            "patients (p = 0.6). CONCLUSION: A single subanaesthetic dose of ketamine did not decrease delirium in "
            "older adults after major surgery.")
    assert verdict(nlp, text) == "null"


def test_negative_conclusion(nlp):
    text = ("Ketamine after surgery\n\nRESULTS: Pain scores were higher with ketamine. CONCLUSION: Ketamine "
            "worsened postoperative pain and should not be used for this indication.")
    assert verdict(nlp, text) == "negative"


def test_mixed_conclusion(nlp):
    text = ("Ketamine for chronic pain\n\nCONCLUSIONS: Ketamine improved pain at 1 week but not at 4 weeks; "
            "effects were not sustained.")
    assert verdict(nlp, text) == "mixed"


def test_protocol_is_not_applicable(nlp):
    text = ("Esketamine for postpartum depression: study protocol\n\nMETHODS: 300 women will be randomized to "
            "esketamine or saline. The primary outcome is the EPDS score at 42 days.")
    assert verdict(nlp, text) == "not_applicable"


def test_healthy_volunteer_mechanism_is_not_applicable(nlp):
    text = ("Ketamine and cortical connectivity in healthy volunteers\n\nRESULTS: Ketamine increased gamma power. "
            "CONCLUSION: Ketamine alters cortical connectivity in healthy volunteers.")
    assert verdict(nlp, text) == "not_applicable"


def test_results_decide_without_conclusion_claim(nlp):
    text = "Ketamine in migraine\n\nMonthly migraine days decreased significantly (p = 0.01). The study ended in 2019."
    assert verdict(nlp, text) == "positive"


def test_empty_text(nlp):
    assert verdict(nlp, "") == "not_applicable"


# The PsyNamic conclusion floor lives in tests/nlp/test_eval_psynamic.py, on the evaluation module's mapping.
