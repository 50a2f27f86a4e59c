"""Sentence lookup by character offset, and structured-abstract sections."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from ..rules import RuleFile, load_rules
from . import kt_sentences as _registers  # noqa: F401 - defines doc._.kt_sentence_spans

_LABEL = re.compile(r"^\s*([A-Z][A-Z &/]{1,60}[A-Z])\s*:")
# a title-case heading ("Background:", "Materials and methods:"), kept when it is a known one
_TITLE_LABEL = re.compile(r"^\s*([A-Z][a-z]+(?:\s+(?:and|&|of|the|[A-Za-z][a-z]+)){0,3})\s*:")


@dataclass(frozen=True, kw_only=True)
class SectionRules(RuleFile):
    """``resources/sections.json``: known headings, and the groups of section labels."""

    headings: list[str]
    background: list[str]
    objective: list[str]


@lru_cache(maxsize=1)
def _sections() -> SectionRules:
    return load_rules(Path(__file__).with_name("resources") / "sections.json", SectionRules)


@lru_cache(maxsize=1)
def _headings() -> frozenset[str]:
    return frozenset(_sections().headings)


def background_sections() -> frozenset[str]:
    """Section labels about earlier work (``"BACKGROUND"``, ``"INTRODUCTION"``, ...).

    Returns
    -------
    frozenset of str
        The ``background`` group of ``resources/sections.json``, upper case.
    """
    return frozenset(_sections().background)


def objective_sections() -> frozenset[str]:
    """Section labels stating the study's aim (``"OBJECTIVE"``, ``"AIMS"``, ...).

    Returns
    -------
    frozenset of str
        The ``objective`` group of ``resources/sections.json``, upper case.
    """
    return frozenset(_sections().objective)


def _label(sentence: str) -> str | None:
    """The structured-abstract heading a sentence opens with, upper-cased, or None."""
    m = _LABEL.match(sentence)
    if m:
        return m.group(1).strip()
    m = _TITLE_LABEL.match(sentence)
    if m:
        name = " ".join(m.group(1).split()).upper()
        if name in _headings():
            return name
    return None


def section_labels(text: str, spans: list[tuple[int, int]], title_end: int | None = None) -> list[str]:
    """The structured-abstract section of each sentence.

    Parameters
    ----------
    text : str
        The document text.
    spans : list of (int, int)
        Sentence character spans, in order.
    title_end : int, optional
        Length of the title inside ``text``; without it the first sentence is the title.

    Returns
    -------
    list of str
        Per sentence: ``"TITLE"``, the last heading seen, upper-cased
        (``"RESULTS"``, ``"PRIMARY OUTCOME"``; a title-case heading counts when
        ``resources/sections.json`` lists it), or ``""`` before any heading
        (unstructured text).
    """
    sections: list[str] = []
    current = "TITLE"
    for i, (s, e) in enumerate(spans):
        label = _label(text[s:e])
        in_title = s < title_end if title_end is not None else i == 0
        if in_title:
            current = "TITLE"
        elif label:
            current = label
        elif current == "TITLE":
            current = ""
        sections.append(current)
    return sections


class SentenceIndex:
    """Sentences of a document as character spans, with the section each belongs to.

    Parameters
    ----------
    doc : Doc or nlp.document.Document
        A document whose sentence boundaries are set (``kt_sentences``).
    title_end : int, optional
        Length of the title inside ``doc.text`` (sentences starting before it
        are the title). Without it the first sentence is taken as the title.
    """

    def __init__(self, doc, title_end: int | None = None) -> None:
        self.text = doc.text
        # a spaCy Doc from the pipeline, or an nlp.document.Document (its ``spans``)
        spans = doc._.kt_sentence_spans if isinstance(doc, Doc) else doc.spans
        if spans is None:
            from . import sentence_spans

            spans = sentence_spans(self.text)
        self.spans: list[tuple[int, int]] = list(spans) or [(0, 0)]
        self.starts = [s for s, _ in self.spans]
        self.sections: list[str] = section_labels(self.text, self.spans, title_end)

    def __len__(self) -> int:
        return len(self.spans)

    def index_of(self, offset: int) -> int:
        """Index of the sentence containing character ``offset``."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def bounds(self, offset: int) -> tuple[int, int]:
        """(start, end) of the sentence containing ``offset``."""
        return self.spans[self.index_of(offset)]

    def sentence(self, i: int) -> str:
        s, e = self.spans[i]
        return self.text[s:e]

    def is_title(self, i: int) -> bool:
        return self.sections[i] == "TITLE"
