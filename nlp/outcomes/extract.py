"""Outcome measures of a spaCy ``Doc`` with their result statement and direction.

Each sentence's measure mentions (:mod:`nlp.outcomes.measures`) are read
within a scope: from the start of the mention's clause up to the next clause
that names a different measure, so "MADRS fell in both arms, but the
difference was not significant" keeps its qualifier while "pain scores were
lower; opioid use was similar" gives each measure its own clause. The
direction rules are in :mod:`nlp.outcomes.direction`. Mentions by a generic
word ("pain", "depression") are kept only in a result statement (a direction
was found); a named scale is kept in any sentence (methods name outcomes).
"""

from __future__ import annotations

import re

from nlp.adverse_events.extract import as_document
from nlp.outcomes.direction import direction, numbers
from nlp.outcomes.measures import MeasureHit, find_measures

CLAUSE = re.compile(r";|,?\s\b(?:but|whereas|while|however|although|though)\b\s|\.\s", re.I)


def _scopes(text: str, hits: list[MeasureHit]) -> list[tuple[int, int]]:
    """Scope (start, end) in ``text`` for each hit (see module docstring)."""
    breaks = [m.start() for m in CLAUSE.finditer(text)]
    clause_starts = [0] + [m.end() for m in CLAUSE.finditer(text)]
    out = []
    for i, h in enumerate(hits):
        start = max([s for s in clause_starts if s <= h.start], default=0)
        end = len(text)
        for b in breaks:
            if b <= h.end:
                continue
            nxt = min([s for s in clause_starts if s > b], default=len(text))
            nxt_end = min([s for s in breaks if s >= nxt], default=len(text))
            if any(o.measure.name != h.measure.name and nxt <= o.start < nxt_end for o in hits[i + 1:]):
                end = b
                break
        out.append((start, end))
    return out


def extract_outcomes(doc) -> list[dict]:
    """Named outcome measures of ``doc`` with direction and numbers, in text order.

    Parameters
    ----------
    doc : Doc or nlp.document.Document
        Any spaCy document; sentence boundaries are used when present.

    Returns
    -------
    list[dict]
        Keys ``measure`` (canonical name), ``direction`` (improved |
        no_difference | worsened | None), ``numbers`` (list of "%", p and CI
        strings in the measure's scope), ``sentence``, ``start``, ``end``
        (character offsets of the mention in ``doc.text``), and ``efficacy``
        (bool: a therapeutic outcome measure).
    """
    d = as_document(doc)
    out: list[dict] = []
    for start, end in d.sents:
        text = d.text[start:end]
        hits = find_measures(text)
        if not hits:
            continue
        seen: set[str] = set()
        for hit, (s0, s1) in zip(hits, _scopes(text, hits)):
            if hit.measure.name in seen:
                continue
            scope = text[s0:s1]
            dr = direction(scope, hit.start - s0, hit.measure.lower_is_better)
            if hit.generic and dr is None:
                continue
            seen.add(hit.measure.name)
            out.append({
                "measure": hit.measure.name,
                "direction": dr,
                "numbers": numbers(scope),
                "sentence": text,
                "start": start + hit.start,
                "end": start + hit.end,
                "efficacy": hit.measure.efficacy,
            })
    return out
