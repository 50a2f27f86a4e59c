"""No input text crashes `extract_article`; results are JSON-serialisable."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.extract import extract_article

_words = st.sampled_from([
    "ketamine", "(TRD)", "treatment-resistant depression", "0.5", "mg/kg", "n =", "20", "vs.", "p < 0.05", "METHODS:",
    "randomized", "(", ")", ".", "forty-two", "patients", "placebo", "intranasal", "esketamine", "–", "e.g.", "\n\n", "µg/kg/min",
])
_text = st.one_of(st.text(max_size=400), st.lists(_words, max_size=60).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text, abstract=_text)
def test_any_text_extracts(title, abstract):
    r = extract_article(1, title, abstract)
    json.dumps(r)


@settings(max_examples=60, deadline=None)
@given(abstract=st.lists(_words, max_size=60).map(" ".join))
def test_span_offsets_inside_text(abstract):
    from db.text import document_text

    text = document_text("Ketamine trial", abstract)
    r = extract_article(1, "Ketamine trial", abstract)
    assert all(0 <= s["sentence_start"] <= s["start"] <= s["end"] <= len(text) for s in r["spans"])
