"""Arbitrary text never crashes the adverse-event, outcome and verdict functions."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.adverse_events import extract_adverse_events, serious_ae
from nlp.adverse_events.pipeline import blank_pipeline
from nlp.outcomes import VERDICTS, efficacy_direction, extract_outcomes

NLP = blank_pipeline()
WORDS = st.sampled_from(["no", "nausea", "PONV", "(12%)", "3/40", "p = 0.04", "MADRS", "but", "without",
                         "serious adverse events", "did not", "reduced", "placebo", "ketamine", ";", ".", "\n\n",
                         "CONCLUSIONS:", "headache days", "95% CI 1-2", "three of", "-", "%", "/"])
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=60).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_adverse_events_offsets_stay_in_text(text):
    doc = NLP(text)
    for e in extract_adverse_events(doc):
        assert 0 <= e["start"] < e["end"] <= len(doc.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_serious_ae_is_one_of_three(text):
    assert serious_ae(NLP(text)) in ("yes", "no", "unstated")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_outcome_directions_are_well_formed(text):
    outcomes = extract_outcomes(NLP(text))
    assert all(o["direction"] in (None, "improved", "no_difference", "worsened") for o in outcomes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_verdict_is_one_of_five(text):
    doc = NLP(text)
    assert efficacy_direction(doc, extract_outcomes(doc)) in VERDICTS
