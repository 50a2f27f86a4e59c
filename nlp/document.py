"""One abstract as plain character offsets, tokenised only when negation needs it.

Every extractor reads a :class:`Document`: the text, the rule-based sentence
spans of :mod:`nlp.sentences` and the sentences as a spaCy ``Doc`` built by
:func:`nlp.pipeline.build_pipeline` would give them in ``doc.sents``
(token-aligned: a sentence ends after its last token, so a title sentence
keeps the blank-line token after it). Tokens are needed only to decide
negation (NegEx counts tokens, Chapman et al. 2001); the tokenizer runs on the
first request, only over the sentences around the mentions that need it, and
never for an abstract without an adverse event or serious-AE mention.

Without tokenising, the token-aligned sentences follow from how spaCy's
tokenizer treats white space (a single space after a token is that token's
trailing space; any other run of white space is a token of its own), provided
every sentence starts after white space. When one does not (a section label
run into the previous word, "results.CONCLUSIONS:"), the document is tokenised
and the sentences are taken from the tokens exactly as
:func:`nlp.sentences.set_boundaries` would set them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.attrs import IDX, IS_PUNCT, LENGTH, LOWER, SPACY
from spacy.tokens import Doc

from .matching.regex import fold
from .sentences import sentence_spans


def aligned_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """``(start_char, end_char)`` of the spaCy sentences, computed without tokenising.

    Parameters
    ----------
    text : str
        Document text.
    spans : list of (int, int)
        :func:`nlp.sentences.sentence_spans` of ``text``.

    Returns
    -------
    list of (int, int) or None
        The sentences as ``doc.sents`` of a tokenised ``text`` with these
        boundaries would give them, or None when a sentence starts inside a
        white-space-delimited chunk (only the tokenizer knows where its
        tokens start there).
    """
    if not text:
        return []
    if text[0].isspace() or not spans or spans[0][0] != 0:
        return None
    for s, _ in spans[1:]:
        if not text[s - 1].isspace():
            return None
    out = []
    n = len(spans)
    for i, (s, e) in enumerate(spans):
        nxt = spans[i + 1][0] if i + 1 < n else len(text)
        # white space text[e:nxt]: one space is the last token's trailing space,
        # anything else is a white-space token that belongs to this sentence
        out.append((s, e if nxt - e <= 1 and text[e:nxt] in ("", " ") else nxt))
    return out


class Tokens:
    """Token offsets and attributes of a tokenised document or window (no Token objects).

    Parameters
    ----------
    doc : Doc
        The tokenised text (all of it, or the window starting at ``base``).
    sentence_chars : list of int
        Start characters of the sentences (each a token start); the ones
        inside the window become :attr:`sent_starts`.
    base : int
        Offset of ``doc.text`` in the document text; offsets here are document offsets.
    """

    def __init__(self, doc: Doc, sentence_chars: list[int], base: int = 0) -> None:
        self.doc = doc
        self.base = base
        n = len(doc)
        if n:
            idx, length, spacy, lower, punct = doc.to_array([IDX, LENGTH, SPACY, LOWER, IS_PUNCT]).T.tolist()
        else:
            idx, length, spacy, lower, punct = [], [], [], [], []
        if base:
            idx = [i + base for i in idx]
        self.idx: list[int] = idx
        self.end: list[int] = [i + k for i, k in zip(idx, length)]
        self.reach: list[int] = [e + s for e, s in zip(self.end, spacy)]  # end including the trailing space
        self.lower: list[int] = lower
        self.punct: list[int] = punct
        self.stop = self.reach[-1] if n else base  # base + len(doc.text), without building Token objects
        # sentence start tokens as nlp.sentences.set_boundaries flags them (the
        # first token always starts one; a window starts at a chunk before a sentence)
        ks = (bisect_left(idx, c) for c in sentence_chars if base <= c < self.stop)
        self.sent_starts: list[int] = sorted({*([0] if base == 0 else []), *(k for k in ks if k < n)}) if n else []
        self.negex_matches = None  # (preceding, following, terminating), cached by nlp.negation

    def __len__(self) -> int:
        return len(self.idx)

    def covers(self, start: int, stop: int) -> bool:
        """Whether the characters ``start:stop`` lie in this (window of the) document."""
        return self.base <= start and stop <= self.stop

    def token_by_char(self, char: int) -> int:
        """Index of the token whose text or trailing space holds ``char``, else -1
        (spaCy's ``token_by_char``)."""
        i = bisect_right(self.idx, char) - 1
        if i >= 0 and char < self.reach[i]:
            return i
        return -1

    def char_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Token range of ``Doc.char_span(start, end, alignment_mode="expand")``,
        or None where spaCy returns None or an empty span."""
        s = self.token_by_char(start)
        if s < 0:
            return None
        e = self.token_by_char(end - 1)
        if e < 0:
            return None
        if start == self.end[s]:
            s += 1
        e += 1
        return (s, e) if e > s else None

    def chars(self, start: int, end: int) -> tuple[int, int]:
        """``(start_char, end_char)`` of tokens ``start:end``."""
        return self.idx[start], self.end[end - 1]


def _chunks_before(text: str, pos: int, n: int) -> int:
    """Start of the ``n``-th white-space-delimited chunk before ``pos`` (a chunk start), or 0."""
    for _ in range(n):
        i = pos
        while i > 0 and text[i - 1].isspace():
            i -= 1
        while i > 0 and not text[i - 1].isspace():
            i -= 1
        if i == 0:
            return 0
        pos = i
    return pos


def _chunks_after(text: str, pos: int, n: int) -> int:
    """End of the ``n``-th white-space-delimited chunk from ``pos`` on (a chunk end), or ``len(text)``."""
    size = len(text)
    for _ in range(n):
        i = pos
        while i < size and text[i].isspace():
            i += 1
        while i < size and not text[i].isspace():
            i += 1
        if i >= size:
            return size
        pos = i
    return pos


class Document:
    """A document's text, sentences and (on demand) tokens.

    Build it with :meth:`from_text` (extraction) or :meth:`from_doc` (any
    processed spaCy ``Doc``, for the public ``doc`` functions).

    Attributes
    ----------
    text : str
    spans : list of (int, int)
        Rule-based sentence spans (white space trimmed), as in
        ``doc._.kt_sentence_spans``.
    sents : list of (int, int)
        ``(start_char, end_char)`` of the sentences as ``doc.sents`` gives them.
    """

    def __init__(self, text: str, spans: list[tuple[int, int]], sents: list[tuple[int, int]] | None,
                 make_doc=None, doc: Doc | None = None) -> None:
        self.text = text
        self.spans = spans
        self._make_doc = make_doc
        self._doc = doc
        self._tokens: Tokens | None = None
        self._folded: str | None | bool = False
        self.abbreviations = None  # filled by the extractors that need them
        self.terms = None
        self.aligned = sents is not None  # sentences start after white space (see aligned_sentences)
        if sents is None:
            sents = self._sents_from_tokens()
        self.sents = sents
        self.sent_starts = [s for s, _ in sents]

    @classmethod
    def from_text(cls, text: str, make_doc) -> "Document":
        """A document split into sentences by :func:`nlp.sentences.sentence_spans`.

        Parameters
        ----------
        text : str
        make_doc : callable
            ``str -> Doc`` tokenizer (``Language.make_doc``), called only when
            tokens are needed.

        Returns
        -------
        Document
        """
        spans = sentence_spans(text)
        return cls(text, spans, aligned_sentences(text, spans), make_doc)

    @classmethod
    def from_doc(cls, doc: Doc) -> "Document":
        """A document whose sentences are those of ``doc`` (one sentence when it has none).

        Parameters
        ----------
        doc : Doc
            A tokenised document, with or without sentence boundaries.

        Returns
        -------
        Document
        """
        text = doc.text
        if len(doc) == 0:
            sents: list[tuple[int, int]] = []
        elif doc.has_annotation("SENT_START"):
            sents = [(s.start_char, s.end_char) for s in doc.sents]
        else:
            sents = [(0, doc[-1].idx + len(doc[-1]))]
        spans = getattr(doc._, "kt_sentence_spans", None) if Doc.has_extension("kt_sentence_spans") else None
        d = cls(text, list(spans) if spans is not None else sentence_spans(text), sents, doc=doc)
        if Doc.has_extension("kt_abbreviations"):
            d.abbreviations = doc._.kt_abbreviations
        if Doc.has_extension("kt_terms"):
            d.terms = doc._.kt_terms
        return d

    def _sents_from_tokens(self) -> list[tuple[int, int]]:
        """Sentences as :func:`nlp.sentences.set_boundaries` sets them on the tokens."""
        tok = self.tokens(sentence_chars=[s for s, _ in self.spans])
        if not len(tok):
            return []
        bounds = tok.sent_starts + [len(tok)]
        return [tok.chars(a, b) for a, b in zip(bounds, bounds[1:])]

    def tokens(self, sentence_chars: list[int] | None = None, need: list[tuple[int, int]] | None = None,
               context: int = 0) -> Tokens:
        """The tokens, tokenising on first use.

        Parameters
        ----------
        sentence_chars : list of int, optional
            Sentence starts to mark (default: those of :attr:`sents`).
        need : list of (int, int), optional
            Character spans whose sentences must be tokenised; only a window
            from the first to the last of those sentences is, with ``context``
            white-space-delimited chunks (each at least one token) on both
            sides. Without it the whole text is tokenised.
        context : int
            Chunks of context around the window (token-level rules such as
            NegEx phrase matches reach this far beyond a sentence).

        Returns
        -------
        Tokens
            Offsets are document offsets whatever the window. spaCy splits
            text on white space first, so tokens inside a window that starts
            and ends at white space are the tokens of the whole text there.
        """
        if need and self.aligned and self.text and self._doc is None:
            lo = self.sents[self.sentence_at(min(s for s, _ in need))][0]
            last = self.sentence_at(max(e for _, e in need) - 1)
            hi = max(self.sents[last][1], max(e for _, e in need))
            start, stop = _chunks_before(self.text, lo, context), _chunks_after(self.text, hi, context + 1)
        else:
            start, stop = 0, len(self.text)
        if self._tokens is not None and self._tokens.covers(start, stop):
            return self._tokens
        if self._tokens is not None:
            start, stop = min(start, self._tokens.base), max(stop, self._tokens.stop)
        if start == 0 and stop == len(self.text):
            if self._doc is None:
                self._doc = self._make_doc(self.text)
            doc = self._doc
        else:
            doc = self._make_doc(self.text[start:stop])
        chars = sentence_chars if sentence_chars is not None else self.sent_starts
        self._tokens = Tokens(doc, chars, base=start)
        return self._tokens

    @property
    def tokenised(self) -> bool:
        """Whether the whole text is already tokenised (a processed spaCy Doc, or a fallback)."""
        return self._doc is not None

    @property
    def folded(self) -> str | None:
        """:func:`nlp.matching.regex.fold` of the text (cached), for literal screens."""
        if self._folded is False:
            self._folded = fold(self.text)
        return self._folded

    def sentence_at(self, char: int) -> int:
        """Index in :attr:`sents` of the sentence holding character ``char``."""
        return max(0, bisect_right(self.sent_starts, char) - 1)

    def sentence_text(self, i: int) -> str:
        s, e = self.sents[i]
        return self.text[s:e]

    def title_end(self) -> int:
        """End of the title in :func:`db.text.document_text` output (0 if none)."""
        i = self.text.find("\n\n")
        return i if i > 0 else 0
