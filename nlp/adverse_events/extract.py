"""Adverse-event mentions of a spaCy ``Doc`` as plain dictionaries.

Rules (data in ``resources/``):

1. Candidates are lexicon hits (:mod:`nlp.adverse_events.lexicon`).
2. A hit directly followed by an outcome noun ("headache days", "anxiety
   scores", "sedation scale") is an outcome measure, not an event.
3. A ``needs_cue`` term (headache, anxiety, suicidal ideation, ...) counts
   only when its sentence carries an adverse-event cue ("adverse",
   "side effect", "-induced", "incidence", "reported", a frequency) and it is
   not introduced as the treated condition or an outcome ("reduced
   suicidal ideation", "patients with anxiety"). Cue lists follow the CONSORT
   harms extension (Ioannidis et al. 2004) and ADE-Corpus wording
   (Gurulingappa et al. 2012).
4. A modifier that makes it another entity blocks it ("pulmonary
   hypertension", "viral hepatitis", "electromechanical dissociation").
5. Any term that appears in the title (text before the first blank line, see
   :func:`db.text.document_text`) is the study's topic ("Ketamine sedation
   for ...", "... for migraine headache"); its mentions need a strong cue
   ("adverse", "side effect", "-induced", "incidence of", ...).
6. ``negated`` comes from NegEx with trial termsets
   (:mod:`nlp.negation`): stated absent or not different between groups.
7. The frequency is the nearest frequency expression after the mention up to
   the next mention or clause end, else the nearest one before it
   (:mod:`nlp.adverse_events.frequency`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span

from nlp.adverse_events.frequency import find_frequencies
from nlp.adverse_events.lexicon import Match, find_terms
from nlp.document import Document
from nlp.matching.regex import AnyOf
from nlp.negation import context_tokens, negated_tokens
from nlp.rules import RuleFile, load_rules
from nlp.sentences.index import section_labels
from nlp.adverse_events.status import NEGATED, classify, not_a_harm, mention_groups

RESOURCES = Path(__file__).with_name("resources")
SPAN_KEY = "kt_ae"
WINDOW = 80
# Clause breaks: NegEx termination words (Chapman et al. 2001) and ";".
CLAUSE_BREAK = re.compile(r";|\b(?:but|whereas|while|however|although|though|except)\b", re.I)


@dataclass(frozen=True, kw_only=True)
class BlockedRule:
    """Lexicon terms that are no event with a pattern just before or after them."""

    terms: list[str]
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContextRules(RuleFile):
    """``resources/context_rules.json``: when a lexicon hit is an adverse event."""

    cue_patterns: list[str]
    strong_cue_patterns: list[str]
    outcome_after: list[str]
    outcome_before: list[str]
    condition_title_rule: str = ""  # the rule in words (documentation)
    title_effect_after: str
    title_effect_before: str
    blocked: list[BlockedRule] = field(default_factory=list)


@lru_cache(maxsize=1)
def _rules() -> dict:
    raw = load_rules(RESOURCES / "context_rules.json", ContextRules)
    return {
        # found in a sentence when one cue is (each tried only where its words occur)
        "cue": AnyOf(raw.cue_patterns, re.I),
        "strong": AnyOf(raw.strong_cue_patterns, re.I),
        "title_effect_after": re.compile(raw.title_effect_after, re.I),
        "title_effect_before": re.compile(raw.title_effect_before, re.I),
        "after": re.compile(r"^[\s\-]{0,2}(?:" + "|".join(raw.outcome_after) + r")\b", re.I),
        "before": re.compile(r"\b(?:" + "|".join(raw.outcome_before) + r")[\s\-]*$", re.I),
        "blocked": [(frozenset(b.terms), re.compile(b.before, re.I) if b.before is not None else None,
                     re.compile(b.after, re.I) if b.after is not None else None) for b in raw.blocked],
    }


def with_sentences(doc: Doc) -> Doc:
    """``doc`` itself if it has sentence boundaries, else a copy that is one sentence.

    Parameters
    ----------
    doc : Doc

    Returns
    -------
    Doc
        Same text and tokens (so character offsets agree).
    """
    if doc.has_annotation("SENT_START") or len(doc) == 0:
        return doc
    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    starts = [True] + [False] * (len(words) - 1)
    return Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts)


def title_end(text: str) -> int:
    """End offset of the title in :func:`db.text.document_text` output (0 if none).

    Parameters
    ----------
    text : str

    Returns
    -------
    int
    """
    i = text.find("\n\n")
    return i if i > 0 else 0


def candidate_spans(doc: Doc) -> list[tuple[Span, Match]]:
    """Lexicon hits of ``doc`` as token spans (expanded to token boundaries).

    Parameters
    ----------
    doc : Doc

    Returns
    -------
    list[tuple[Span, Match]]
    """
    out = []
    for m in find_terms(doc.text):
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span):
            out.append((span, m))
    return out


def as_document(doc) -> Document:
    """``doc`` itself if it is a :class:`nlp.document.Document`, else its Document view
    (sentences of ``doc``, or one sentence when it has none: :func:`with_sentences`)."""
    return doc if isinstance(doc, Document) else Document.from_doc(doc)


def _sentence_has(rules: dict, name: str, text: str, sent: tuple[int, int], memo: dict | None) -> bool:
    """Whether ``rules[name]`` occurs in the sentence ``sent`` of ``text``, searched once
    per sentence and cue list (``memo``: one document's answers)."""
    key = (name, sent)
    if memo is not None and key in memo:
        return memo[key]
    found = rules[name].search(text[sent[0]:sent[1]])  # a slice: \b at its start sees no character before
    if memo is not None:
        memo[key] = found
    return found


def _is_event(text: str, match: Match, sent: tuple[int, int], title_terms: set[str], has_freq: bool,
              memo: dict | None = None) -> bool:
    rules = _rules()
    after = text[match.end: match.end + 30]
    if rules["after"].search(after):
        return False
    near_before = text[max(0, match.start - 30): match.start]
    for terms, before_re, after_re in rules["blocked"]:
        if terms.intersection(match.entry.terms) and (
            (before_re is not None and before_re.search(near_before)) or (after_re is not None and after_re.search(after))
        ):
            return False
    in_title = match.end <= title_end(text)
    topical = bool(title_terms.intersection(match.entry.terms))
    if in_title:
        return not topical or _sentence_has(rules, "strong", text, sent, memo) and not topical_only(text[sent[0]:sent[1]])
    if not match.entry.needs_cue and not topical:
        return True
    before = text[max(sent[0], match.start - 40): match.start]
    if match.entry.needs_cue and rules["before"].search(before):
        return False
    if topical:
        return _sentence_has(rules, "strong", text, sent, memo)
    return _sentence_has(rules, "cue", text, sent, memo) or has_freq


def title_effect(text: str, match: Match) -> bool:
    """True for a title mention written as the drug's effect ("dissociative symptoms
    following esketamine", "ketamine-induced cystitis", "psychotomimetic effects of ketamine").

    Parameters
    ----------
    text : str
    match : Match
        A lexicon hit in the title.

    Returns
    -------
    bool
    """
    rules = _rules()
    return bool(rules["title_effect_after"].match(text, match.end)
                or rules["title_effect_before"].search(text[max(0, match.start - 40):match.start]))


_TOPICAL = re.compile(r"\b(?:for|in|of)\s+(?:the\s+)?(?:treatment|management|prevention)\b", re.I)


def topical_only(sentence: str) -> bool:
    """True for a title that names the event as the thing treated ("... for X")."""
    return bool(_TOPICAL.search(sentence))


def _frequency(text: str, match: Match, lo: int, hi: int):
    after = [f for f in find_frequencies(text[match.end:hi]) if f.start <= WINDOW]
    if after:
        return after[0]
    seg_start = max(lo, match.start - WINDOW)
    before = find_frequencies(text[seg_start:match.start])
    return before[-1] if before else None


def _clause_limits(text: str, sent: tuple[int, int], sent_ids: list[int], matches: list[Match], i: int) -> tuple[int, int]:
    """Where to look for this mention's frequency: up to the neighbouring mentions and ';'."""
    match = matches[i]
    lo, hi = sent
    if i > 0 and sent_ids[i - 1] == sent_ids[i]:
        lo = max(lo, matches[i - 1].end)
    if i + 1 < len(matches) and sent_ids[i + 1] == sent_ids[i]:
        nxt = matches[i + 1]
        if nxt.start > match.end:
            hi = min(hi, nxt.start)
    stop = CLAUSE_BREAK.search(text, match.end, hi)
    if stop:
        hi = stop.start()
    for stop in CLAUSE_BREAK.finditer(text, lo, match.start):
        lo = stop.end()
    return lo, hi


def extract_adverse_events(doc, design: str | None = None) -> list[dict]:
    """Adverse-event mentions of ``doc`` (present and negated), in text order.

    Parameters
    ----------
    doc : Doc or nlp.document.Document
        Any spaCy document; sentence boundaries are used when present (a doc
        without them is read as one sentence). ``doc.ents`` is not used.
    design : str, optional
        The study design from :mod:`nlp.design` (a protocol's events are planned).

    Returns
    -------
    list[dict]
        One dict per canonical term per mention (PONV gives nausea and
        vomiting at the same offsets) with keys ``term``, ``organ_class``,
        ``negated`` (status is ``not_occurred``), ``frequency`` (as written or
        None), ``frequency_pct``, ``sentence``, ``start``, ``end`` (character
        offsets in ``doc.text``), ``status`` and ``arm``
        (:mod:`nlp.adverse_events.status`). Condition terms written as efficacy
        outcomes ("suicidal ideation improved") are left out.
    """
    d = as_document(doc)
    text = d.text
    found = find_terms(text)
    if not found:
        return []
    tokens = None
    if d.aligned and not d.tokenised and all(not text[m.start].isspace() and not text[m.end - 1].isspace() for m in found):
        # A mention that starts and ends on a non-space character lies in tokens
        # (char_span is never None), and no sentence starts inside a token of an
        # aligned document: the sentence of its first character is Span.sent.
        matches = found
        sent_ids = [d.sentence_at(m.start) for m in matches]
    else:
        tokens = d.tokens(need=[(m.start, m.end) for m in found], context=context_tokens())
        matches, token_spans = [], []
        for m in found:
            span = tokens.char_span(m.start, m.end)
            if span is not None:
                matches.append(m)
                token_spans.append(span)
        if not matches:
            return []
        # Span.sent: the sentence of the span's first token
        sent_ids = [d.sentence_at(tokens.idx[t0]) for t0, _ in token_spans]
    tend = title_end(text)
    # a title term is the study's topic, unless the title makes it the drug's effect
    title_terms = {t for m in matches if m.end <= tend and not title_effect(text, m) for t in m.entry.terms}
    events = []
    memo: dict = {}
    for i, match in enumerate(matches):
        sent = d.sents[sent_ids[i]]
        lo, hi = _clause_limits(text, sent, sent_ids, matches, i)
        freq = _frequency(text, match, lo, hi)
        if _is_event(text, match, sent, title_terms, freq is not None, memo):
            events.append((i, sent, freq))
    if not events:
        return []  # negation is read only for events: nothing to tokenise
    if tokens is None:
        # only the sentences with mentions (and NegEx's reach around them) are tokenised
        tokens = d.tokens(need=[(m.start, m.end) for m in matches], context=context_tokens())
        token_spans = [tokens.char_span(m.start, m.end) for m in matches]
    flags = negated_tokens(tokens, token_spans)  # every mention is a NegEx target
    sections = section_labels(text, d.sents, tend)
    groups = mention_groups(text, [(m.start, m.end) for m in matches])
    out: list[dict] = []
    for i, sent, freq in events:
        match = matches[i]
        group, clause = _group_and_clause(matches, sent_ids, groups, i, sent)
        sentence = text[sent[0]:sent[1]]
        if any(not_a_harm(t, text[clause[0]:group[0]], text[group[1]:clause[1]], sentence) for t in match.entry.terms):
            continue
        status, arm = classify(text, sent, sections[sent_ids[i]], group, clause, bool(flags[i]), design)
        for term in match.entry.terms:
            out.append({
                "term": term,
                "organ_class": match.entry.organ_class,
                "negated": status == NEGATED,
                "frequency": freq.text if freq else None,
                "frequency_pct": freq.pct if freq else None,
                "sentence": sentence,
                "start": match.start,
                "end": match.end,
                "status": status,
                "arm": arm,
            })
    return out


def _group_and_clause(matches: list[Match], sent_ids: list[int], groups: list[int], i: int,
                      sent: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The span of mention ``i``'s coordinated list, and the words around it up to the
    neighbouring mentions outside the list (or the sentence ends)."""
    members = [j for j in range(len(matches)) if groups[j] == groups[i] and sent_ids[j] == sent_ids[i]]
    first, last = members[0], members[-1]
    lo, hi = sent
    if first > 0 and sent_ids[first - 1] == sent_ids[i]:
        lo = max(lo, matches[first - 1].end)
    if last + 1 < len(matches) and sent_ids[last + 1] == sent_ids[i]:
        hi = min(hi, matches[last + 1].start)
    return (matches[first].start, matches[last].end), (lo, hi)
