"""Abbreviations defined in the text, resolved to their long forms.

Implements the algorithm of Schwartz & Hearst (2003), "A simple algorithm for
identifying abbreviation definitions in biomedical text", PSB 8:451-462:
candidate pairs are ``long form (SF)`` (or ``SF (long form)`` when the
parenthesis holds more than two words); the long form is the shortest suffix of
the preceding ``min(|SF| + 5, 2 |SF|)`` words in which every alphanumeric
character of the short form appears, in order, right to left, with the first
character of the short form starting a word.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass

from spacy.language import Language
from spacy.tokens import Doc

_PAREN = re.compile(r"\(([^()]{1,120})\)")
_WORD = re.compile(r"\S+")
_CUT = re.compile(r"[;,]\s")


@dataclass(frozen=True)
class Abbreviation:
    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int

    def as_dict(self) -> dict:
        return asdict(self)


def _valid_short(sf: str) -> bool:
    words = sf.split()
    if not 2 <= len(sf) <= 10 or len(words) > 2:
        return False
    if not any(c.isalpha() for c in sf):
        return False
    return sf[0].isalnum()


def best_long_form(short: str, long: str) -> str | None:
    """Schwartz & Hearst's ``findBestLongForm``.

    Parameters
    ----------
    short : str
        The candidate short form, e.g. ``"TRD"``.
    long : str
        The text preceding it, already cut to the allowed number of words.

    Returns
    -------
    str or None
        The shortest matching suffix of ``long``, or None when the characters of
        ``short`` cannot be found in order.
    """
    s_index = len(short) - 1
    l_index = len(long) - 1
    s_low = short.lower()
    l_low = long.lower()
    while s_index >= 0:
        c = s_low[s_index]
        if not c.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            l_low[l_index] != c or (s_index == 0 and l_index > 0 and l_low[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    l_index = long.rfind(" ", 0, l_index + 1) + 1
    result = long[l_index:].strip()
    return result or None


def find_abbreviations(text: str, sentences: list[tuple[int, int]] | None = None) -> list[Abbreviation]:
    """All abbreviation definitions in ``text``.

    Parameters
    ----------
    text : str
        The document text.
    sentences : list of (start, end), optional
        Sentence character spans (non-overlapping); a long form never crosses a
        sentence start.

    Returns
    -------
    list of Abbreviation
        One entry per definition, in text order (first definition of a short form wins
        when resolving).
    """
    found: list[Abbreviation] = []
    bounds = sorted(sentences or [(0, len(text))])
    starts = [s for s, _ in bounds]
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        # a definition may be followed by other material: "(TRD; n = 20)"
        inner_cut = _CUT.split(inner, maxsplit=1)[0].strip()
        open_at = m.start()
        # the sentence holding the parenthesis (0 when it lies between sentences)
        k = bisect_right(starts, open_at) - 1
        sent_start = bounds[k][0] if k >= 0 and open_at < bounds[k][1] else 0
        before = text[sent_start:open_at].rstrip()
        if _valid_short(inner_cut):
            sf = inner_cut
            spans = [w.start() for w in _WORD.finditer(before)]
            max_words = min(len(sf) + 5, 2 * len(sf))
            if not spans:
                continue
            window = before[spans[-max_words:][0]:]
            lf = best_long_form(sf, window)
            if not lf or len(lf) <= len(sf) or sf.lower() in lf.lower().split():
                continue
            if len(lf.split()) > max_words:
                continue
            lstart = sent_start + before.rfind(lf)
            sstart = m.start(1) + inner.find(sf)
            found.append(Abbreviation(sf, lf, sstart, sstart + len(sf), lstart, lstart + len(lf)))
        elif len(inner_cut.split()) > 2:
            # "SF (long form)": the word before the parenthesis is the short form
            words = _WORD.findall(before)
            if not words:
                continue
            sf = words[-1].strip(",;:")
            if not _valid_short(sf) or not any(c.isupper() for c in sf):
                continue
            lf = best_long_form(sf, inner_cut)
            if not lf or len(lf) <= len(sf):
                continue
            sstart = sent_start + before.rfind(sf)
            lstart = m.start(1) + inner.find(lf)
            found.append(Abbreviation(sf, lf, sstart, sstart + len(sf), lstart, lstart + len(lf)))
    return found


if not Doc.has_extension("kt_abbreviations"):
    Doc.set_extension("kt_abbreviations", default=None)


@Language.component("kt_abbreviations")
def kt_abbreviations(doc: Doc) -> Doc:
    """Store :func:`find_abbreviations` results in ``doc._.kt_abbreviations``."""
    sents = doc._.kt_sentence_spans if Doc.has_extension("kt_sentence_spans") else None
    doc._.kt_abbreviations = find_abbreviations(doc.text, sents)
    return doc
