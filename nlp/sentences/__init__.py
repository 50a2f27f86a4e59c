"""Sentence boundaries that survive abstract conventions.

A rule-based splitter in the spirit of Punkt (Kiss & Strunk 2006) with a fixed
abbreviation list (``resources/nonfinal.json``). Boundaries are found on the
character string, then projected onto tokens:

* after ``.``, ``?`` or ``!`` followed by white space and a token that does
  not start in lower case, unless the period closes a known abbreviation
  (``vs.``, ``e.g.``, ``et al.``, ``i.v.``) - decimals (``0.05``), ``p < 0.05``,
  ``95% CI`` and units (``mg/kg``) have no period followed by a space, so they
  never end a sentence;
* at a line break (the title is separated from the abstract by a blank line);
* before a structured-abstract section label (``METHODS:``, ``MATERIALS AND
  METHODS:``) wherever it appears.

The character spans of the sentences are kept in ``doc._.kt_sentence_spans``
so that extractors need not iterate ``doc.sents`` (which walks every token).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from ..resources import NLP_ROOT
from ..rules import RuleFile, load_rules

_END = re.compile(r"[.?!]['\"”’)\]]*(?=\s+[^\s])")
_NEWLINE = re.compile(r"\n\s*(?=\S)")


@dataclass(frozen=True, kw_only=True)
class NonfinalRules(RuleFile):
    """``resources/nonfinal.json``: abbreviations a sentence does not end at, and inline section labels."""

    abbreviations: list[str]
    section_label_max_words: int
    section_connectors: list[str]


@lru_cache(maxsize=1)
def _config() -> tuple[frozenset[str], re.Pattern]:
    data = load_rules(NLP_ROOT / "sentences" / "resources" / "nonfinal.json", NonfinalRules)
    connectors = "|".join(re.escape(c) for c in data.section_connectors)
    n = data.section_label_max_words - 1
    # "(?<![\w,(/-])[A-Z]" written as "[A-Z](?<![\w,(/-].)" (the character before
    # the capital, checked after it): the same matches, and a pattern opening
    # with a character set lets ``re`` skip every other character in C
    label = re.compile(rf"[A-Z](?<![\w,(/-].)[A-Z]+(?:\s*(?:{connectors})?\s*[A-Z][A-Z]+){{0,{n}}}\s*:(?=\s)")
    return frozenset(a.lower() for a in data.abbreviations), label


def _last_word(text: str, end: int) -> str:
    """The word (letters, digits, inner periods) ending at ``end`` (exclusive)."""
    i = end
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "."):
        i -= 1
    return text[i:end]


def boundaries(text: str) -> list[int]:
    """Character offsets where sentences start (always includes 0).

    Parameters
    ----------
    text : str
        Document text.

    Returns
    -------
    list of int
        Sorted offsets of the first non-space character of each sentence.
    """
    nonfinal, label = _config()
    starts = {0}
    n = len(text)
    for m in _END.finditer(text):
        j = m.end()
        while j < n and text[j].isspace():
            j += 1
        if j >= n:
            continue
        nxt = text[j]
        if nxt.islower():
            continue
        if m.group(0)[0] == ".":
            word = _last_word(text, m.start()).lower()
            if word in nonfinal or word.rstrip(".") in nonfinal:
                continue
            if word == "al" and text[max(0, m.start() - 6) : m.start()].lower().endswith("et al"):
                continue
            if len(word) == 1 and word.isalpha() and nxt.isupper() and (m.start() < 2 or text[m.start() - 2] in " ."):
                continue  # initials: "J. Smith"
        if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'([“‘"):
            continue
        starts.add(j)
    for m in _NEWLINE.finditer(text):
        starts.add(m.end())
    for m in label.finditer(text):
        starts.add(m.start())
    return sorted(s for s in starts if s < n)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences, trailing space trimmed."""
    starts = boundaries(text)
    spans = []
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(text)
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


if not Doc.has_extension("kt_sentence_spans"):
    Doc.set_extension("kt_sentence_spans", default=None)


def set_boundaries(doc: Doc) -> Doc:
    """Set sentence starts on ``doc`` from :func:`boundaries` (no Token objects built).

    Parameters
    ----------
    doc : Doc
        A tokenised document.

    Returns
    -------
    Doc
        The same document with ``is_sent_start`` set on every token and
        ``doc._.kt_sentence_spans`` filled.
    """
    n = len(doc)
    spans = sentence_spans(doc.text)
    doc._.kt_sentence_spans = spans
    if n == 0:
        return doc
    idx = doc.to_array([IDX]).tolist()
    flags = np.full((n, 1), -1, dtype=np.int32)
    flags[0, 0] = 1
    for s, _ in spans:
        k = bisect_left(idx, s)
        if 0 < k < n:
            flags[k, 0] = 1
    doc.from_array([SENT_START], flags.astype(np.uint64))
    return doc


@Language.component("kt_sentences")
def kt_sentences(doc: Doc) -> Doc:
    """spaCy component wrapping :func:`set_boundaries`."""
    return set_boundaries(doc)
