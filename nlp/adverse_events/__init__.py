"""Adverse events of ketamine studies: mentions with negation and frequency, serious AEs.

Public API
----------
add_to_pipeline(nlp) -> None
    Adds ``kt_adverse_events`` (fills ``doc.spans["kt_ae"]``, label = canonical
    term(s) joined by "+") and ``kt_negex`` (sets ``span._.negex``).
extract_adverse_events(doc) -> list[dict]
serious_ae(doc) -> "yes" | "no" | "unstated"
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from nlp.adverse_events.extract import SPAN_KEY, candidate_spans, extract_adverse_events
from nlp.adverse_events.lexicon import canonical_terms, find_terms
from nlp.adverse_events.serious import serious_ae
from nlp.negation import add_negation

__all__ = ["add_to_pipeline", "extract_adverse_events", "serious_ae", "canonical_terms", "find_terms", "SPAN_KEY"]


@Language.component("kt_adverse_events")
def adverse_event_spans(doc: Doc) -> Doc:
    """Pipeline component: lexicon hits of the AE lexicon into ``doc.spans["kt_ae"]``.

    Parameters
    ----------
    doc : Doc

    Returns
    -------
    Doc
        The same doc; ``doc.ents`` is left alone.
    """
    if not doc.has_annotation("SENT_START"):
        return doc
    spans = []
    for span, match in candidate_spans(doc):
        spans.append(Span(doc, span.start, span.end, label="+".join(match.entry.terms)))
    doc.spans[SPAN_KEY] = SpanGroup(doc, name=SPAN_KEY, spans=spans)
    return doc


def add_to_pipeline(nlp: Language) -> None:
    """Add the adverse-event span component and trial NegEx to ``nlp`` (idempotent).

    Parameters
    ----------
    nlp : Language
        A pipeline that sets sentence boundaries before these components.

    Returns
    -------
    None
    """
    if "kt_adverse_events" not in nlp.pipe_names:
        nlp.add_pipe("kt_adverse_events")
    add_negation(nlp, span_keys=(SPAN_KEY,))
