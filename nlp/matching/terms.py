"""The ``kt_terms`` component: lexicon matching with abbreviation propagation.

All lexicons named in ``resources/lexicons.json`` are compiled into two
regular expressions (case-insensitive and case-sensitive; longest term first,
whole-word boundaries). A term matched inside the long form of an abbreviation
defined in the text (Schwartz & Hearst 2003, see :mod:`nlp.abbreviations`)
is propagated to every later use of the short form, so "treatment-resistant
depression (TRD)" makes a later "TRD" count as that condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ..resources import NLP_ROOT, load_json
from ..rules import RuleFile, convert, load_rules
from .regex import first_char_alternation, trie_regex


@dataclass(frozen=True)
class Term:
    """One lexicon hit: character offsets into ``doc.text`` and what it means."""

    start: int
    end: int
    kind: str  # ketamine | condition | route | comparator
    label: str
    subtype: str | None
    text: str
    via_abbreviation: bool = False
    always: bool = False


def _grouped_trie(words: list[str], flags: int) -> str:
    """:func:`trie_regex` of ``words`` with its first level as
    :func:`nlp.matching.regex.first_char_alternation` groups (same matches; a
    group whose first character does not match is skipped in C)."""
    by_first: dict[str, list[str]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w[1:])
    try:
        return first_char_alternation([(c, re.escape(c) + trie_regex(rests)) for c, rests in by_first.items()], flags)
    except ValueError:  # a non-ASCII first character under IGNORECASE: plain trie
        return trie_regex(words)


@dataclass(frozen=True, kw_only=True)
class LexiconEntry:
    """One lexicon entry: the terms that name ``label`` (and ``subtype``).

    ``case_sensitive``: the terms match only as written (abbreviations such as
    "IN"); ``always``: the label counts wherever a term occurs.
    """

    label: str
    subtype: str | None = None
    terms: list[str]
    case_sensitive: bool = False
    always: bool = False


@dataclass(frozen=True, kw_only=True)
class LexiconFile(RuleFile):
    """A lexicon file that holds nothing but entries (``resources/ketamine.json``,
    ``conditions/resources/conditions.json``)."""

    entries: list[LexiconEntry]


@dataclass(frozen=True, kw_only=True)
class LexiconRegistry(RuleFile):
    """``resources/lexicons.json``: kind -> lexicon file (relative to ``nlp/``)."""

    lexicons: dict[str, str]


def lexicon_entries(relpath: str) -> list[LexiconEntry]:
    """The ``entries`` of a lexicon file, each checked as a :class:`LexiconEntry`.

    The file's other keys belong to the module that reads them (routes and
    comparators keep their rules beside their lexicon) and are checked by its
    rule class.

    Parameters
    ----------
    relpath : str
        Path relative to the ``nlp`` package.

    Returns
    -------
    list of LexiconEntry
    """
    return convert(list[LexiconEntry], load_json(relpath)["entries"], f"{relpath}: entries")


@dataclass(frozen=True)
class _Entry:
    kind: str
    label: str
    subtype: str | None
    always: bool


class Lexicon:
    """Compiled lexicons: ``find(text)`` yields :class:`Term` hits."""

    def __init__(self) -> None:
        registry = load_rules(NLP_ROOT / "resources" / "lexicons.json", LexiconRegistry).lexicons
        # one (case-insensitive, case-sensitive) table pair per kind, so that a
        # term of one kind never hides an overlapping term of another
        # ("esketamine nasal spray" is a ketamine name and contains a route)
        self.tables: list[tuple[re.Pattern, dict[str, list[_Entry]], bool]] = []
        self.ci: dict[str, list[_Entry]] = {}
        self.cs: dict[str, list[_Entry]] = {}
        for kind, path in registry.items():
            ci: dict[str, list[_Entry]] = {}
            cs: dict[str, list[_Entry]] = {}
            for entry in lexicon_entries(path):
                e = _Entry(kind, entry.label, entry.subtype, entry.always)
                sensitive = entry.case_sensitive
                for term in entry.terms:
                    key = term if sensitive else term.lower()
                    for table in ((cs, self.cs) if sensitive else (ci, self.ci)):
                        bucket = table.setdefault(key, [])
                        if e not in bucket:
                            bucket.append(e)
            for table, flags, fold in ((ci, re.IGNORECASE, True), (cs, 0, False)):
                pattern = self._compile(table, flags)
                if pattern is not None:
                    self.tables.append((pattern, table, fold))
        # Every position where a term of any kind starts, found in one pass (a
        # zero-width lookahead, so overlapping hits of different kinds all count):
        # each kind's pattern is then tried only there (see find).
        alts = []
        for table, flag in ((self.ci, re.IGNORECASE), (self.cs, 0)):
            if table:
                alts.append("(?i:" if flag else "(?:")
                alts[-1] += _grouped_trie(list(table), flag) + r")(?![\w])"
        self.starts = re.compile(r"(?<![\w])(?=" + "|".join(alts) + ")") if alts else None

    @staticmethod
    def _compile(table: dict, flags: int) -> re.Pattern | None:
        if not table:
            return None
        alts = trie_regex(list(table))
        return re.compile(rf"(?<![\w])(?:{alts})(?![\w])", flags)

    def find(self, text: str) -> list[Term]:
        """All hits in ``text`` (non-overlapping within one kind), sorted by position.

        Each kind's pattern gives what its ``finditer`` over ``text`` gives: it
        can only match where :attr:`starts` found a term start, so it is tried
        at those positions in order, skipping the ones inside its previous hit.
        """
        hits: list[Term] = []
        if self.starts is None:
            return hits
        positions = [m.start() for m in self.starts.finditer(text)]
        if not positions:
            return hits
        for pattern, table, fold in self.tables:
            match = pattern.match
            after = 0
            for pos in positions:
                if pos < after:
                    continue
                m = match(text, pos)
                if m is None:
                    continue
                after = m.end()
                key = m.group(0).lower() if fold else m.group(0)
                for e in table.get(key, ()):
                    hits.append(Term(m.start(), m.end(), e.kind, e.label, e.subtype, m.group(0), False, e.always))
        hits.sort(key=lambda t: (t.start, -t.end))
        return hits

    def entries_for(self, text: str) -> list[_Entry]:
        """Lexicon entries of an exact term (used to classify abbreviation long forms)."""
        return self.ci.get(text.lower(), []) + self.cs.get(text, [])


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


def _drop_contained(hits: list[Term]) -> list[Term]:
    """Within one kind, drop a hit lying inside a longer hit of the same kind
    (e.g. "depression" inside "treatment-resistant depression")."""
    kept: list[Term] = []
    by_kind: dict[str, list[Term]] = {}
    for h in hits:
        by_kind.setdefault(h.kind, []).append(h)
    for kind_hits in by_kind.values():
        kind_hits.sort(key=lambda t: (t.start, -(t.end - t.start)))
        last_end = -1
        last: Term | None = None
        for h in kind_hits:
            if last is not None and h.start >= last.start and h.end <= last.end and (h.start, h.end) != (last.start, last.end):
                continue
            kept.append(h)
            if h.end > last_end:
                last_end, last = h.end, h
    kept.sort(key=lambda t: (t.start, -t.end))
    return kept


def _word_char(ch: str) -> bool:
    """``re``'s ``[\\w-]`` for one character of a str (``\\w``: alphanumeric or "_")."""
    return ch.isalnum() or ch == "_" or ch == "-"


def _whole_word_uses(text: str, short: str, pos: int) -> list[tuple[int, int]]:
    """The spans ``re.finditer(r"(?<![\\w-])" + re.escape(short) + r"(?![\\w-])", text, pos)`` gives.

    A literal search with the two boundary checks by hand: no pattern is
    compiled per abbreviation (each text defines its own, so compiled patterns
    would only fill ``re``'s cache).

    Parameters
    ----------
    text : str
    short : str
        The short form (non-empty).
    pos : int
        Where the search starts; as with ``Pattern.finditer(text, pos)`` the
        character before ``pos`` still counts for the left boundary.

    Returns
    -------
    list of (int, int)
    """
    if not short:  # (never from nlp.abbreviations) the pattern itself
        return [m.span() for m in re.compile(r"(?<![\w-])(?![\w-])").finditer(text, pos)]
    out = []
    n = len(short)
    i = text.find(short, pos)
    while i >= 0:
        end = i + n
        if (i == 0 or not _word_char(text[i - 1])) and (end == len(text) or not _word_char(text[end])):
            out.append((i, end))
            i = text.find(short, end)  # matches do not overlap
        else:
            i = text.find(short, i + 1)
    return out


def find_terms(text: str, abbreviations=()) -> list[Term]:
    """Lexicon hits in ``text`` plus short forms whose long form is a lexicon term.

    Parameters
    ----------
    text : str
        Document text.
    abbreviations : iterable of nlp.abbreviations.Abbreviation
        Definitions found in the same text.

    Returns
    -------
    list of Term
        Sorted by start offset.
    """
    lex = lexicon()
    hits = lex.find(text)
    extra: list[Term] = []
    seen_short: set[str] = set()
    for ab in abbreviations:
        if ab.short in seen_short:
            continue
        seen_short.add(ab.short)
        inside = [h for h in hits if h.start >= ab.long_start and h.end <= ab.long_end]
        # the short form may itself be a lexicon term with another meaning ("IN" =
        # intranasal, "KT" = ketamine): the definition in this text wins
        hits = [h for h in hits if not (h.text == ab.short and h.start >= ab.short_start)]
        if not inside:
            continue
        best = _drop_contained(inside)
        for start, end in _whole_word_uses(text, ab.short, ab.short_start):
            for h in best:
                extra.append(Term(start, end, h.kind, h.label, h.subtype, ab.short, True, h.always))
    return _drop_contained(hits + extra)


if not Doc.has_extension("kt_terms"):
    Doc.set_extension("kt_terms", default=None)


@Language.component("kt_terms")
def kt_terms(doc: Doc) -> Doc:
    """Store lexicon hits (:class:`Term`) in ``doc._.kt_terms``."""
    doc._.kt_terms = find_terms(doc.text, doc._.kt_abbreviations or ())
    return doc


def term_spans(doc: Doc) -> list:
    """``doc._.kt_terms`` as spaCy spans labelled ``kind:label`` (built on demand:
    extractors use the character offsets directly)."""
    out = []
    for t in doc._.kt_terms or ():
        span = doc.char_span(t.start, t.end, label=f"{t.kind}:{t.label}", alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out
