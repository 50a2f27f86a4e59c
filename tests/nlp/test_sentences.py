"""Sentence boundaries on abstract conventions."""

from nlp.pipeline import build_pipeline
from nlp.sentences import sentence_spans


def _sents(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_p_value_does_not_split():
    assert _sents("Scores fell (p < 0.05) after ketamine. Mood improved.") == [
        "Scores fell (p < 0.05) after ketamine.",
        "Mood improved.",
    ]


def test_vs_abbreviation_does_not_split():
    assert len(_sents("Ketamine vs. Placebo was compared in 20 patients.")) == 1


def test_eg_and_ie_do_not_split():
    assert len(_sents("Opioids, e.g. Morphine, i.e. Strong analgesics, were allowed.")) == 1


def test_et_al_does_not_split():
    assert len(_sents("As Berman et al. Showed, ketamine works.")) == 1


def test_mg_per_kg_and_decimals_do_not_split():
    assert len(_sents("Patients received 0.5 mg/kg over 40 min and 95% CI 1.2-3.4 was reported.")) == 1


def test_section_label_starts_sentence_without_period():
    sents = _sents("We studied ketamine in depression METHODS: Forty patients were randomized.")
    assert sents[-1] == "METHODS: Forty patients were randomized."


def test_multiword_section_label_starts_sentence():
    sents = _sents("Short intro. MATERIALS AND METHODS: Twenty adults.")
    assert sents[-1] == "MATERIALS AND METHODS: Twenty adults."


def test_title_separator_starts_sentence():
    assert _sents("Ketamine for pain\n\nBACKGROUND: Pain is common.") == ["Ketamine for pain", "BACKGROUND: Pain is common."]


def test_sentence_end_before_number():
    assert len(_sents("Response was 0.05. 42 patients completed.")) == 2


def test_lowercase_after_period_does_not_split():
    assert len(_sents("Ketamine was given i.v. over 40 minutes.")) == 1


def test_doc_sents_match_character_spans():
    nlp = build_pipeline()
    doc = nlp("First sentence (p < 0.01). Second one vs. third. RESULTS: Fine.")
    assert [s.text.strip() for s in doc.sents] == [doc.text[s:e] for s, e in doc._.kt_sentence_spans]


def test_title_case_heading_is_a_section():
    from nlp.sentences.index import section_labels

    text = "Background: Ketamine is used. Materials and methods: We gave it. Results: It worked."
    spans = [(0, 29), (30, 63), (64, 83)]
    assert section_labels(text, spans, 0) == ["BACKGROUND", "MATERIALS AND METHODS", "RESULTS"]


def test_title_case_word_with_colon_is_not_a_section():
    from nlp.sentences.index import section_labels

    text = "RESULTS: Scores fell. Ketamine: it produced dissociation."
    spans = [(0, 21), (22, 57)]
    assert section_labels(text, spans, 0) == ["RESULTS", "RESULTS"]
