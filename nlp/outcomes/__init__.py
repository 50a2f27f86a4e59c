"""Outcome measures with result direction, and the efficacy verdict of an abstract.

Public API
----------
add_to_pipeline(nlp) -> None
    Adds ``kt_outcomes`` (fills ``doc.spans["kt_outcome"]``, label = measure).
extract_outcomes(doc) -> list[dict]
efficacy_direction(doc, outcomes) -> "positive" | "null" | "negative" | "mixed" | "not_applicable"
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from nlp.outcomes.efficacy import VERDICTS, efficacy_direction
from nlp.outcomes.extract import extract_outcomes
from nlp.outcomes.measures import find_measures

SPAN_KEY = "kt_outcome"

__all__ = ["add_to_pipeline", "extract_outcomes", "efficacy_direction", "find_measures", "VERDICTS", "SPAN_KEY"]


@Language.component("kt_outcomes")
def outcome_spans(doc: Doc) -> Doc:
    """Pipeline component: outcome-measure mentions into ``doc.spans["kt_outcome"]``.

    Parameters
    ----------
    doc : Doc

    Returns
    -------
    Doc
        The same doc; ``doc.ents`` is left alone.
    """
    spans = []
    for hit in find_measures(doc.text):
        span = doc.char_span(hit.start, hit.end, label=hit.measure.name, alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    doc.spans[SPAN_KEY] = SpanGroup(doc, name=SPAN_KEY, spans=spans)
    return doc


def add_to_pipeline(nlp: Language) -> None:
    """Add the ``kt_outcomes`` component to ``nlp`` (idempotent).

    Parameters
    ----------
    nlp : Language

    Returns
    -------
    None
    """
    if "kt_outcomes" not in nlp.pipe_names:
        nlp.add_pipe("kt_outcomes")
