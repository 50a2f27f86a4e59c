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
from bisect import bisect_left, bisect_right

from nlp.adverse_events.extract import as_document
from nlp.outcomes.direction import direction, numbers
from nlp.outcomes.measures import MeasureHit, find_measures

CLAUSE = re.compile(r";|,?\s\b(?:but|whereas|while|however|although|though)\b\s|\.\s", re.I)


def _scopes(text: str, hits: list[MeasureHit]) -> list[tuple[int, int]]:
    """Scope (start, end) in ``text`` for each hit (see module docstring)."""
    clauses = list(CLAUSE.finditer(text))
    breaks = [m.start() for m in clauses]  # ascending, as are the clause starts
    clause_starts = [0] + [m.end() for m in clauses]
    size = len(text)
    out = []
    for i, h in enumerate(hits):
        # max of the clause starts <= h.start (0 is one)
        start = clause_starts[bisect_right(clause_starts, h.start) - 1]
        end = size
        for b in breaks[bisect_right(breaks, h.end):]:
            k = bisect_right(clause_starts, b)
            nxt = clause_starts[k] if k < len(clause_starts) else size
            k = bisect_left(breaks, nxt)
            nxt_end = breaks[k] if k < len(breaks) else size
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
