"""The fast extraction path gives what the spaCy-pipeline path gives.

``extract_article`` reads a :class:`nlp.document.Document` (sentences computed
from white space, tokens only for a window around AE mentions); ``extract_doc``
on a document processed by the full pipeline reads ``doc.sents`` and the whole
tokenisation. Both must produce the same dict.
"""

from __future__ import annotations

import csv
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.text import document_text
from nlp.document import Document, aligned_sentences
from nlp.extract import extract_article, extract_doc
from nlp.pipeline import build_pipeline
from nlp.sentences import sentence_spans
from support import shared_data

NLP = build_pipeline()

WORDS = [
    "Ketamine", "ketamine", "patients", "nausea", "vomiting", "headache", "no", "not", "without", "serious",
    "adverse", "events", "(SAE)", "MADRS", "scores", "decreased", "(p", "<", "0.05)", "0.5", "mg/kg", "i.v.",
    "vs.", "randomized", "placebo", "20", "of", "40", "(n", "=", "12)", "depression", "RESULTS:", "CONCLUSIONS:",
    "dizziness", "were", "reported", "denied", "any", "e.g.", "dissociation", "hallucinations", "and", "or", "but",
]
SEPARATORS = [" ", " ", " ", " ", "  ", "\n", " \n", "\n\n", "\t", "\u00a0", ". ", ".", ", ", "; "]


def _pipeline_result(title: str, abstract: str) -> dict:
    text = document_text(title, abstract)
    out = {"pmid": 1, "extractor_version": extract_article(1, "", "")["extractor_version"]}
    out.update(extract_doc(NLP(text), len(title.strip())))
    return out


@st.composite
def texts(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps)).strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts())
def test_aligned_sentences_are_the_pipeline_sentences(text):
    spans = sentence_spans(text)
    fast = aligned_sentences(text, spans)
    if fast is None:  # a sentence starts inside a white-space chunk: the tokenizer decides
        fast = Document.from_text(text, NLP.make_doc).sents
    assert fast == [(s.start_char, s.end_char) for s in NLP(text).sents]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(), texts())
def test_fast_path_equals_pipeline_path(title, abstract):
    assert extract_article(1, title, abstract) == _pipeline_result(title, abstract)


def test_run_together_section_label_is_read_like_the_pipeline():
    title, abstract = "Ketamine for pain", "Nausea was common in the results.CONCLUSIONS: No serious adverse events occurred."
    assert aligned_sentences(document_text(title, abstract), sentence_spans(document_text(title, abstract))) is None
    assert extract_article(1, title, abstract) == _pipeline_result(title, abstract)


def test_negation_window_sees_a_trigger_before_the_sentence():
    # the trigger list ends the previous sentence's last chunk; the window must include it
    title = "Esketamine"
    abstract = "Patients denied any. Nausea, vomiting and dizziness were not reported after ketamine."
    assert extract_article(1, title, abstract) == _pipeline_result(title, abstract)


def _real_abstracts(limit: int) -> list[tuple[str, str]]:
    from nlp.evaluation.psynamic import split_text

    csv.field_size_limit(sys.maxsize)
    path = shared_data("psynamic", "training_round2", "onehot_study_type.csv")
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append(split_text(row["text"]))
            if len(out) >= limit:
                break
    return out


@pytest.mark.parametrize("start", [0, 60, 120])
def test_fast_path_equals_pipeline_path_on_real_abstracts(start):
    for title, abstract in _real_abstracts(start + 60)[start:]:
        assert extract_article(1, title, abstract) == _pipeline_result(title, abstract)
