"""NegEx over arbitrary spans, with a scope window, on top of negspacy.

negspacy's :class:`negspacy.negation.Negex` negates every entity that follows
a preceding trigger anywhere up to a termination phrase or the sentence end.
In trial abstracts that over-negates ("patients who did not respond had more
nausea"), so this subclass keeps negspacy's trigger matching, pseudo-negation
filtering and termination boundaries and adds the original NegEx window
(Chapman et al. 2001, J Biomed Inform 34:301-310: five words), counted in
content tokens: punctuation, coordinators, determiners and the other target
spans do not count, so a negated list ("no nausea, vomiting or headache")
stays negated to its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import spacy
from negspacy.negation import Negex
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.negation.termsets import load_termset, max_scope

FILLER = frozenset({"and", "or", "nor", "the", "a", "an", "of", "any", "in", "either", "both", "to", "as", "such"})


class TrialNegex(Negex):
    """negspacy's Negex with a content-token scope window (see module docstring).

    Parameters
    ----------
    nlp : Language
        Any pipeline; only its vocab and tokenizer are used (for the triggers).
    name : str
        Component name.
    neg_termset : dict[str, list[str]]
        negspacy termset (see :func:`nlp.negation.termsets.load_termset`).
    span_keys : list[str] | None
        Span groups to negate when used as a pipeline component.
    scope : int
        Largest number of content tokens between trigger and span.
    extension_name : str
        Span extension set when used as a pipeline component.
    """

    def __init__(self, nlp: Language, name: str, neg_termset: dict, span_keys=None, scope: int = 5,
                 extension_name: str = "negex"):
        super().__init__(nlp, name, neg_termset, extension_name=extension_name, span_keys=span_keys or ["kt_ae"])
        self.scope = scope
        self._filler = frozenset(nlp.vocab.strings.add(w) for w in FILLER)  # LOWER hashes
        patterns = self.pseudo_patterns + self.preceding_patterns + self.following_patterns + self.termination_patterns
        # longest trigger phrase in tokens: how far a match reaches beyond a sentence
        self.max_phrase_tokens = max((len(p) for p in patterns), default=1)

    def _gap(self, tokens, start: int, end: int, targets: Sequence[tuple[int, int]]) -> int:
        """Content tokens in ``start:end`` outside the target spans."""
        if end <= start:
            return 0
        inside = set()
        for t0, t1 in targets:
            if t1 > start and t0 < end:
                inside.update(range(t0, t1))
        lower, punct, filler = tokens.lower, tokens.punct, self._filler
        count = 0
        for i in range(start, end):
            if i in inside or punct[i] or lower[i] in filler:
                continue
            count += 1
        return count

    def _is_negated(self, tokens, span: tuple[int, int], preceding, following, targets) -> bool:
        for _, t_start, t_end in preceding:
            if t_start < span[0] and self._gap(tokens, t_end, span[0], targets) <= self.scope:
                return True
        for _, t_start, t_end in following:
            if t_end > span[1] and t_start >= span[1] and self._gap(tokens, span[1], t_start, targets) <= self.scope:
                return True
        return False

    def negated(self, doc: Doc, spans: Sequence[Span]) -> list[bool]:
        """Whether each span is negated, in the order given.

        Parameters
        ----------
        doc : Doc
            A document with sentence boundaries (``doc.sents``).
        spans : Sequence[Span]
            Spans of ``doc`` (any label, any source).

        Returns
        -------
        list[bool]
            True for a span inside the scope of a preceding or following
            trigger within its termination-bounded chunk of the sentence.
        """
        if not spans:
            return []
        from nlp.document import Tokens

        tokens = Tokens(doc, [s.start_char for s in doc.sents])
        return self.negated_tokens(tokens, [(s.start, s.end) for s in spans])

    def negated_tokens(self, tokens, spans: Sequence[tuple[int, int]]) -> list[bool]:
        """:meth:`negated` on token ranges of a :class:`nlp.document.Tokens`.

        The trigger matches of a document are computed once and kept on
        ``tokens``; chunks are bounded by ``tokens.sent_starts`` and
        termination phrases as in negspacy's ``termination_boundaries``.

        Parameters
        ----------
        tokens : nlp.document.Tokens
            The tokenised document with its sentence start tokens.
        spans : Sequence[tuple[int, int]]
            ``(start, end)`` token ranges.

        Returns
        -------
        list[bool]
        """
        if not spans:
            return []
        if tokens.negex_matches is None:
            tokens.negex_matches = self.process_negations(tokens.doc)
        preceding, following, terminating = tokens.negex_matches
        starts = sorted(tokens.sent_starts + [t[1] for t in terminating] + [len(tokens)])
        boundaries = list(zip(starts, starts[1:]))
        out = []
        for span in spans:
            chunk = next(((b0, b1) for b0, b1 in boundaries if b0 <= span[0] < b1), (0, len(tokens)))
            pre = [m for m in preceding if chunk[0] <= m[1] < chunk[1]]
            fol = [m for m in following if chunk[0] <= m[1] < chunk[1]]
            out.append(self._is_negated(tokens, span, pre, fol, spans))
        return out

    def negex(self, doc: Doc) -> Doc:
        """Set ``span._.<extension_name>`` on the spans of ``self.span_keys``."""
        for key in self.span_keys:
            group = list(doc.spans.get(key, []))
            for span, neg in zip(group, self.negated(doc, group)):
                span._.set(self.extension_name, neg)
        return doc


@Language.factory(
    "kt_negex",
    default_config={"termset_name": "trial_termset", "span_keys": ["kt_ae"], "extension_name": "negex"},
)
def make_trial_negex(nlp: Language, name: str, termset_name: str, span_keys: list[str], extension_name: str):
    """spaCy factory for :class:`TrialNegex` with the JSON termset ``termset_name``."""
    return TrialNegex(nlp, name, load_termset(termset_name), span_keys=span_keys,
                      scope=max_scope(termset_name), extension_name=extension_name)


@lru_cache(maxsize=4)
def default_negex(termset_name: str = "trial_termset") -> TrialNegex:
    """A shared :class:`TrialNegex` on a blank English tokenizer.

    Trigger phrases are matched on the ``LOWER`` attribute, whose hashes do
    not depend on the vocab, so one instance serves docs of any pipeline.

    Parameters
    ----------
    termset_name : str
        File stem of the termset JSON.

    Returns
    -------
    TrialNegex
    """
    nlp = spacy.blank("en")
    return TrialNegex(nlp, "kt_negex", load_termset(termset_name), scope=max_scope(termset_name))


def negated_spans(doc: Doc, spans: Iterable[Span]) -> list[bool]:
    """Negation flags for ``spans`` of ``doc`` with the trial termset.

    Parameters
    ----------
    doc : Doc
        Document with sentence boundaries.
    spans : Iterable[Span]
        Spans to judge (e.g. adverse-event mentions).

    Returns
    -------
    list[bool]
        One flag per span.
    """
    return default_negex().negated(doc, list(spans))


def negated_tokens(tokens, spans) -> list[bool]:
    """Negation flags for token ranges of a :class:`nlp.document.Tokens` with the trial termset.

    Parameters
    ----------
    tokens : nlp.document.Tokens
        Tokenised document with its sentence start tokens.
    spans : Sequence[tuple[int, int]]
        ``(start, end)`` token ranges to judge.

    Returns
    -------
    list[bool]
        One flag per range; the same as :func:`negated_spans` on the
        corresponding spans.
    """
    return default_negex().negated_tokens(tokens, spans)


def context_tokens() -> int:
    """Tokens of context a window needs around a sentence for :func:`negated_tokens`
    to see every trigger match that touches it (the longest trigger phrase)."""
    return default_negex().max_phrase_tokens
