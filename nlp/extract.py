"""Per-article extraction: one plain, JSON-serialisable dict per article.

Offsets in every ``start``/``end`` refer to :func:`db.text.document_text`
(title, blank line, abstract), the string the dashboard highlights in.
"""

from __future__ import annotations

import logging

from db.text import document_text

from . import adverse_events as _ae
from . import conditions as _conditions
from . import design as _design
from . import outcomes as _outcomes
from . import routes_doses as _rd
from . import sample_size as _sample_size
from .abbreviations import find_abbreviations
from .document import Document
from .pipeline import get_pipeline
from .matching.terms import find_terms
from .sentences.index import SentenceIndex

log = logging.getLogger("ketamine_tracker")

EXTRACTOR_VERSION = "1.3.1"


def _span(index: SentenceIndex, kind: str, label: str, start: int, end: int, negated: bool = False) -> dict:
    s, e = index.bounds(start)
    return {
        "kind": kind,
        "label": label,
        "start": int(start),
        "end": int(end),
        "sentence_start": int(s),
        "sentence_end": int(max(e, end)),
        "negated": bool(negated),
    }


def _other_fields(d: Document, design: str) -> dict:
    """Adverse events, serious AE, outcomes and the efficacy verdict of one document.

    Parameters
    ----------
    d : Document
        The article's document.
    design : str
        Its study design (from :func:`nlp.design.classify`).

    Returns
    -------
    dict
        ``adverse_events``, ``serious_ae``, ``outcomes`` and ``efficacy_direction``.
    """
    adverse_events = [dict(x) for x in _ae.extract_adverse_events(d, design)]
    outcomes = [dict(x) for x in _outcomes.extract_outcomes(d)]
    return {
        "adverse_events": adverse_events,
        "outcomes": outcomes,
        "efficacy_direction": str(_outcomes.efficacy_direction(d, outcomes, design)),
        "serious_ae": str(_ae.serious_ae(d)),
    }


def extract_doc(doc, title_end: int, pub_types=(), mesh=()) -> dict:
    """Extract the tracker's fields from a processed ``doc``.

    Parameters
    ----------
    doc : Doc or Document
        Output of :func:`nlp.pipeline.build_pipeline` on the document text, or
        a :class:`nlp.document.Document` of it (abbreviations and lexicon
        terms are then found here).
    title_end : int
        Length of the title inside ``doc.text``.
    pub_types, mesh : sequence of str
        Publication types and MeSH descriptors (empty if not MEDLINE-indexed).

    Returns
    -------
    dict
        All fields except ``pmid`` and ``extractor_version``.
    """
    document = doc if isinstance(doc, Document) else Document.from_doc(doc)
    if document.abbreviations is None:
        document.abbreviations = find_abbreviations(document.text, document.spans)
    if document.terms is None:
        document.terms = find_terms(document.text, document.abbreviations)
    index = SentenceIndex(document, title_end)
    terms = document.terms or []
    design = _design.classify(index, pub_types, mesh)
    cond = _conditions.classify(terms, index, mesh)
    size = _sample_size.estimate(index, design.design, [(a.short, a.long) for a in document.abbreviations or ()])
    # a review's participants pooled over its studies are kept apart: a review
    # enrols nobody, and its sample_size stays None (see db migration 0002)
    pooled = size.value if size.basis == "pooled" else None
    route_terms = _rd.routes(terms, index)
    doses = _rd.doses(terms, index, route_terms)
    comp_terms = _rd.comparators(terms, index)
    forms = _rd.ketamine_forms(terms)

    spans: list[dict] = []
    if design.start is not None:
        spans.append(_span(index, "design", design.design, design.start, design.end))
    for t in cond.evidence:
        spans.append(_span(index, "condition", t.subtype or t.label, t.start, t.end))
    if size.start is not None:
        spans.append(_span(index, "pooled_participants" if pooled is not None else "sample_size", str(size.value), size.start, size.end))
    for t in route_terms:
        spans.append(_span(index, "route", t.label, t.start, t.end))
    for d in doses:
        spans.append(_span(index, "dose", f"{d.amount:g}{'-' + format(d.amount_high, 'g') if d.amount_high else ''} {d.unit}", d.start, d.end))
    for t in comp_terms:
        spans.append(_span(index, "comparator", t.label, t.start, t.end))

    other = _other_fields(document, design.design)
    for a in other["adverse_events"]:
        if "start" in a and "end" in a:
            spans.append(_span(index, "adverse_event", str(a.get("term", "")), a["start"], a["end"], bool(a.get("negated", False))))
    for o in other["outcomes"]:
        if "start" in o and "end" in o:
            spans.append(_span(index, "outcome", str(o.get("measure", "")), o["start"], o["end"]))
    spans.sort(key=lambda x: (x["start"], x["end"], x["kind"]))

    return {
        "design": design.design,
        "design_detail": design.detail,
        "design_source": design.source,
        "conditions": cond.conditions,
        "condition_subtypes": cond.subtypes,
        "condition_source": cond.source,
        "sample_size": None if pooled is not None else size.value,
        "sample_size_basis": None if pooled is not None else size.basis,
        "pooled_participants": pooled,
        "sample_size_sentence": index.sentence(size.sentence_index) if size.sentence_index is not None else None,
        "routes": _rd.route_labels(route_terms),
        "ketamine_forms": forms,
        "doses": [d.as_dict(index) for d in doses],
        "comparators": _rd.comparator_labels(comp_terms),
        "abbreviations": {a.short: a.long for a in (document.abbreviations or [])},
        "spans": spans,
        **other,
    }


def extract_article(pmid: int | None, title: str | None, abstract: str | None, pub_types=(), mesh=(), nlp=None) -> dict:
    """Extract every field of one article.

    Parameters
    ----------
    pmid : int or None
        PubMed id (copied to the result).
    title, abstract : str or None
        As stored; the text read is ``document_text(title, abstract)``.
    pub_types, mesh : sequence of str
        NLM publication types and MeSH descriptor names.
    nlp : Language, optional
        A pipeline from :func:`nlp.pipeline.build_pipeline` (default: the
        process-wide one).

    Returns
    -------
    dict
        Plain JSON-serialisable data: ``pmid``, ``extractor_version``, design,
        conditions, sample size, routes, doses, comparators, adverse events,
        outcomes, efficacy direction, serious AE and evidence ``spans``.
    """
    text = document_text(title, abstract)
    title_end = len((title or "").strip())
    nlp = nlp or get_pipeline()
    if len(text) > nlp.max_length:
        nlp.make_doc(text)  # raises spaCy's E088, as running the pipeline did
    # The pipeline's components are not run: every extractor reads the text and
    # its sentences directly, and the tokenizer runs only when negation needs tokens.
    d = Document.from_text(text, nlp.make_doc)
    result = {"pmid": pmid, "extractor_version": EXTRACTOR_VERSION}
    result.update(extract_doc(d, title_end, tuple(pub_types or ()), tuple(mesh or ())))
    return result
