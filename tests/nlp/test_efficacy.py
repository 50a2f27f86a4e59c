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


def _psynamic_conclusions():
    """(title, abstract, gold labels) of PsyNamic's ketamine abstracts; text is 'Title.^\\nAbstract'."""
    import csv
    import sys

    from support import shared_data

    root = shared_data("psynamic")
    csv.field_size_limit(sys.maxsize)
    with open(root / "derived_ketamine_studies.csv", newline="", encoding="utf-8") as fh:
        ids = {r["id"] for r in csv.DictReader(fh)}
    rows = []
    with open(root / "training_round2" / "onehot_study_conclusion.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["id"] not in ids:
                continue
            labels = {k for k in ("Positive", "Negative", "Neutral", "Mixed", "Unknown", "Not Applicable") if r[k] == "1"}
            text = r["text"].replace("^\\n", "^\n")
            title, _, abstract = text.partition("^\n")
            rows.append((title.strip(), abstract.strip(), labels))
    return rows


def test_psynamic_conclusion_weighted_f1_floor(nlp):
    """Measured 0.813 weighted F1 (accuracy 0.820, n=311); PsyNamic's BERT reports 0.81 on its test split.

    Was 0.819 before case reports of a treatment got a verdict (the ketamine gold
    guideline gives them one; PsyNamic labels 5 of 9 Unknown)."""
    from db.text import document_text

    mapping = {"positive": "Positive", "negative": "Negative", "null": "Neutral", "mixed": "Mixed"}
    gold, pred = [], []
    for title, abstract, labels in _psynamic_conclusions():
        g = {x if x in mapping.values() else "Unknown" for x in labels}
        ours = mapping.get(verdict(nlp, document_text(title, abstract)), "Unknown")
        gold.append(ours if ours in g else sorted(g)[0])
        pred.append(ours)
    assert weighted_f1(gold, pred) >= 0.81


def weighted_f1(gold, pred):
    """Support-weighted F1 over the gold labels (Sokolova & Lapalme 2009)."""
    total = 0.0
    for lab in set(gold):
        tp = sum(g == p == lab for g, p in zip(gold, pred))
        fp = sum(p == lab != g for g, p in zip(gold, pred))
        fn = sum(g == lab != p for g, p in zip(gold, pred))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        total += f1 * gold.count(lab)
    return total / len(gold)
