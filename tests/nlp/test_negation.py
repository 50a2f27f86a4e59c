"""Trial NegEx: negspacy triggers plus trial phrases, with a scope window."""

import re

import pytest
import spacy

from nlp.negation import add_negation, load_termset, negated_spans


@pytest.fixture(scope="module")
def nlp():
    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    return pipe


def flags(nlp, text, words):
    doc = nlp(text)
    spans = [doc.char_span(m.start(), m.end()) for m in re.finditer("|".join(words), doc.text)]
    return {s.text: neg for s, neg in zip(spans, negated_spans(doc, spans))}


def test_termset_adds_trial_phrases():
    ts = load_termset()
    assert "comparable rates of" in ts["preceding_negations"]


def test_termset_removes_versus():
    assert "versus" not in load_termset()["preceding_negations"]


def test_termination_by_but(nlp):
    got = flags(nlp, "No patient experienced hallucinations, but 3 reported nausea.", ["hallucinations", "nausea"])
    assert got == {"hallucinations": True, "nausea": False}


def test_following_trigger_comparable(nlp):
    assert flags(nlp, "Rates of dizziness were comparable between groups.", ["dizziness"]) == {"dizziness": True}


def test_negated_list_to_its_end(nlp):
    got = flags(nlp, "There were no hallucinations, dizziness, nausea, vomiting, or headache.",
                ["hallucinations", "dizziness", "nausea", "vomiting", "headache"])
    assert all(got.values())


def test_scope_window_stops_far_negation(nlp):
    text = "Patients who did not respond to the first two infusions later reported nausea."
    assert flags(nlp, text, ["nausea"]) == {"nausea": False}


def test_versus_does_not_negate(nlp):
    assert flags(nlp, "Ketamine versus placebo: nausea was more frequent.", ["nausea"]) == {"nausea": False}


def test_no_significant_difference_in_incidence(nlp):
    text = "There was no significant difference in the incidence of postoperative vomiting."
    assert flags(nlp, text, ["vomiting"]) == {"vomiting": True}


def test_pipeline_component_sets_extension(nlp):
    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    add_negation(pipe, span_keys=("test_key",))
    doc = pipe.make_doc("Ketamine did not increase nausea.")
    doc.spans["test_key"] = [doc.char_span(26, 32)]
    doc = pipe.get_pipe("sentencizer")(doc)
    doc = pipe.get_pipe("kt_negex")(doc)
    assert doc.spans["test_key"][0]._.negex is True
