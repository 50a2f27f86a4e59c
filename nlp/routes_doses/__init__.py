"""Routes of administration, doses, ketamine forms and comparators.

Each fact is tied to ketamine by proximity in the same sentence: a route or a
dose belongs to the nearest drug mention (ketamine forms or a comparator drug;
placebo/saline are neutral because they share the ketamine route). This is the
"closest drug" heuristic used for dose-drug linking in the n2c2 2018
medication-extraction baselines (Henry et al. 2020, JAMIA 27:3-12). Drugs
outside the comparator lexicon (``other_drugs`` and development codes such as
"AB-123" in ``resources/routes.json``) take part in that vote only.

Routes of earlier work are not this study's: a route named only in background
sentences (a background/introduction section, or a sentence citing prior work:
"most studies to date used intravenous ketamine") is dropped when another route
is named in the title or in a sentence about this study - the same
section/cue split NegEx-style context tools and ConText use for "historical"
mentions (Harkema et al. 2009, J Biomed Inform 42:839-851).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..resources import NLP_ROOT
from ..matching.regex import trie_regex
from ..matching.terms import LexiconEntry, Term
from ..rules import RuleFile, load_rules
from ..sentences.index import SentenceIndex, background_sections

ROUTES = ("intravenous", "intranasal", "oral", "intramuscular", "subcutaneous", "neuraxial", "sublingual", "other")
_NEUTRAL = {"placebo", "saline", "sham", "usual_care"}


@dataclass
class Dose:
    amount: float
    amount_high: float | None
    unit: str
    form: str
    route: str | None
    text: str
    start: int
    end: int

    def as_dict(self, index: SentenceIndex) -> dict:
        s, e = index.bounds(self.start)
        return {
            "amount": self.amount,
            "amount_high": self.amount_high,
            "unit": self.unit,
            "form": self.form,
            "route": self.route,
            "text": self.text,
            "sentence": index.text[s:e],
            "start": self.start,
            "end": self.end,
        }


RESOURCES = NLP_ROOT / "routes_doses" / "resources"


@dataclass(frozen=True, kw_only=True)
class DoseRules(RuleFile):
    """``resources/doses.json``: a dose is a number (or range) and a unit."""

    number: str
    range_joiners: str
    units: list[tuple[str, str]]  # (pattern, unit as stored)


@dataclass(frozen=True, kw_only=True)
class RouteRules(RuleFile):
    """``resources/routes.json``: the route lexicon and the rules beside it (see its description)."""

    entries: list[LexiconEntry]
    other_drugs: list[str]
    drug_code: str
    same_sentence_labels: list[str] = field(default_factory=list)
    generic_iv_terms: list[str] = field(default_factory=list)
    generic_gap: str
    generic_window: int
    background_cue: str


@dataclass(frozen=True, kw_only=True)
class ComparatorRules(RuleFile):
    """``resources/comparators.json``: the comparator lexicon and the words that introduce a comparison."""

    comparison_cues: list[str]
    entries: list[LexiconEntry]


@lru_cache(maxsize=1)
def _dose_regex() -> tuple[re.Pattern, list[tuple[re.Pattern, str]]]:
    data = load_rules(RESOURCES / "doses.json", DoseRules)
    num = data.number
    units = [(re.compile(u, re.IGNORECASE), norm) for u, norm in data.units]
    unit_alt = "|".join(f"(?:{u})" for u, _ in data.units)
    pattern = re.compile(
        rf"(?<![\w.])(?P<lo>{num})(?:(?:{data.range_joiners})(?P<hi>{num}))?\s*(?P<unit>{unit_alt})",
        re.IGNORECASE,
    )
    return pattern, units


def _num(s: str) -> float:
    return float(s.replace(",", ".")) if s.count(",") == 1 and len(s.split(",")[1]) != 3 else float(s.replace(",", ""))


def _normalise_unit(raw: str, units) -> str:
    for pattern, norm in units:
        if pattern.fullmatch(raw.strip()):
            return norm
    for pattern, norm in units:
        if pattern.match(raw.strip()):
            return norm
    return raw.strip()


def ketamine_forms(terms: list[Term]) -> list[str]:
    """Ketamine forms mentioned, most frequent first (racemic, esketamine, arketamine)."""
    c = Counter(t.label for t in terms if t.kind == "ketamine")
    return [f for f, _ in c.most_common()]


def _drug_mentions(terms: list[Term]) -> list[Term]:
    return [t for t in terms if t.kind == "ketamine" or (t.kind == "comparator" and t.label not in _NEUTRAL)]


def _nearest_drug(pos: int, end: int, drugs: list[Term], sent: tuple[int, int]) -> Term | None:
    best, best_d = None, None
    for d in drugs:
        if d.start < sent[0] or d.end > sent[1]:
            continue
        if d.start <= pos and d.end >= end:
            return d  # the route is part of the drug name ("esketamine nasal spray")
        dist = pos - d.end if d.end <= pos else d.start - end
        dist = max(dist, 0)
        # a route word usually precedes its drug ("intravenous ketamine"): small bonus
        if d.start >= end:
            dist -= 3
        if best_d is None or dist < best_d:
            best, best_d = d, dist
    return best


@dataclass(frozen=True)
class _RouteRules:
    """``resources/routes.json`` rules beside the lexicon, compiled."""

    other_drugs: re.Pattern  # drug names outside the comparator lexicon (any case), and development codes (as written)
    same_sentence: frozenset  # route labels that need ketamine itself in their sentence
    generic_iv: frozenset  # IV words that name no site ("infusion", "bolus")
    generic_gap: re.Pattern  # what may stand between a route word and a generic IV word it qualifies
    generic_window: int
    background_sections: frozenset
    background_cue: re.Pattern


@lru_cache(maxsize=1)
def _route_rules() -> _RouteRules:
    data = load_rules(RESOURCES / "routes.json", RouteRules)
    names = trie_regex(sorted({n.lower() for n in data.other_drugs}))
    return _RouteRules(
        re.compile(rf"(?<![\w-])(?:{names})(?![\w-])|(?-i:{data.drug_code})", re.IGNORECASE),
        frozenset(data.same_sentence_labels),
        frozenset(w.lower() for w in data.generic_iv_terms),
        re.compile(data.generic_gap, re.IGNORECASE),
        data.generic_window,
        background_sections(),
        re.compile(data.background_cue, re.IGNORECASE),
    )


def _other_drug_mentions(text: str, rules: _RouteRules, known: list[Term], spans) -> list[Term]:
    """Mentions of drugs the lexicons do not list, as ``drug`` terms, searched
    only in the sentence ``spans`` given (those holding a route word); none
    overlaps a ``known`` drug mention (e.g. a ketamine development code)."""
    out = []
    search = rules.other_drugs.finditer
    for start, end in spans:
        for m in search(text, start, end):
            s, e = m.span()
            if not any(k.start < e and s < k.end for k in known):
                out.append(Term(s, e, "drug", "other", None, m.group(0)))
    return out


def _qualified_generic(t: Term, route_terms: list[Term], text: str, rules: _RouteRules) -> bool:
    """Whether generic IV word ``t`` ("infusion") is qualified by another route
    just before it ("subcutaneous ketamine infusion", "epidural infusion")."""
    if t.label != "intravenous" or t.text.lower() not in rules.generic_iv:
        return False
    for r in route_terms:
        if r.label != "intravenous" and r.end <= t.start and t.start - r.end <= rules.generic_window:
            if rules.generic_gap.fullmatch(text, r.end, t.start):
                return True
    return False


def routes(terms: list[Term], index: SentenceIndex) -> list[Term]:
    """Route mentions that belong to ketamine.

    A route counts when the nearest drug mention in its sentence is a ketamine
    form, or when its sentence names no drug but the title or the previous
    sentence names ketamine (except labels in ``same_sentence_labels``, e.g.
    "epidural anaesthesia" in an inclusion criterion). A generic IV word
    ("infusion") qualified by another route ("subcutaneous infusion") is not
    intravenous. A route named only in background sentences is dropped when
    another route is named in the title or a sentence about this study.

    Parameters
    ----------
    terms : list of Term
        All lexicon hits of the document.
    index : SentenceIndex
        Sentences and sections of the document.

    Returns
    -------
    list of Term
        The ketamine route mentions, in document order.
    """
    rules = _route_rules()
    # label "none": phrases holding a route word that name no route ("oral consent", "nasal cannula")
    all_routes = [t for t in terms if t.kind == "route" and t.label != "none"]
    if not all_routes:
        return []
    known = _drug_mentions(terms)
    route_sentences = sorted({index.index_of(t.start) for t in all_routes})
    drugs = known + _other_drug_mentions(index.text, rules, known, [index.spans[i] for i in route_sentences])
    has_ket = {index.index_of(t.start) for t in terms if t.kind == "ketamine"}
    kept = []
    for t in all_routes:
        i = index.index_of(t.start)
        sent = index.spans[i]
        d = _nearest_drug(t.start, t.end, drugs, sent)
        if d is not None:
            if d.kind == "ketamine":
                kept.append(t)
        elif t.label not in rules.same_sentence and (i in has_ket or (i - 1) in has_ket):
            kept.append(t)
    if not kept:
        return kept
    text = index.text
    kept = [t for t in kept if not _qualified_generic(t, all_routes, text, rules)]
    background: dict[int, bool] = {}
    study_labels: set[str] = set()
    for t in kept:
        i = index.index_of(t.start)
        if i not in background:
            background[i] = not index.is_title(i) and (
                index.sections[i] in rules.background_sections or rules.background_cue.search(index.sentence(i)) is not None)
        if not background[i]:
            study_labels.add(t.label)
    if study_labels:
        kept = [t for t in kept if t.label in study_labels]
    return kept


def route_labels(route_terms: list[Term]) -> list[str]:
    found = {t.label for t in route_terms}
    return [r for r in ROUTES if r in found]


def doses(terms: list[Term], index: SentenceIndex, route_terms: list[Term]) -> list[Dose]:
    """Doses of ketamine: amount (or range) + unit, with form and route.

    Parameters
    ----------
    terms : list of Term
        All lexicon hits.
    index : SentenceIndex
        Sentences of the document.
    route_terms : list of Term
        Output of :func:`routes` (ketamine routes).

    Returns
    -------
    list of Dose
    """
    pattern, units = _dose_regex()
    drugs = _drug_mentions(terms)
    forms = ketamine_forms(terms)
    default_form = forms[0] if forms else None
    out: list[Dose] = []
    text = index.text
    for m in pattern.finditer(text):
        i = index.index_of(m.start())
        sent = index.spans[i]
        d = _nearest_drug(m.start(), m.end(), drugs, sent)
        if d is None:
            if default_form is None:
                continue
            form = default_form
        elif d.kind != "ketamine":
            continue
        else:
            form = d.label
        try:
            lo = _num(m.group("lo"))
            hi = _num(m.group("hi")) if m.group("hi") else None
        except ValueError:
            continue
        if hi is not None and hi <= lo:
            hi = None
        unit = _normalise_unit(m.group("unit"), units)
        route = None
        best = None
        for r in route_terms:
            if sent[0] <= r.start < sent[1]:
                dist = abs(r.start - m.start())
                if dist <= 80 and (best is None or dist < best):
                    best, route = dist, r.label
        out.append(Dose(lo, hi, unit, form, route, m.group(0), m.start(), m.end()))
    return out


@lru_cache(maxsize=1)
def _cues() -> re.Pattern:
    data = load_rules(RESOURCES / "comparators.json", ComparatorRules)
    alts = "|".join(re.escape(c) for c in sorted(data.comparison_cues, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


def comparators(terms: list[Term], index: SentenceIndex) -> list[Term]:
    """Comparator mentions.

    Placebo-type controls (``always`` in the lexicon) count wherever they are
    named; active drugs count in a sentence that also names ketamine and a
    comparison cue ("versus", "or", "compared", "group"...). A second ketamine
    form compared with the main one (esketamine vs racemic ketamine) is a
    comparator too.
    """
    cue = _cues()
    ket_by_sent: dict[int, set[str]] = {}
    for t in terms:
        if t.kind == "ketamine":
            ket_by_sent.setdefault(index.index_of(t.start), set()).add(t.label)
    forms = ketamine_forms(terms)
    main_form = forms[0] if forms else None
    kept: list[Term] = []
    cue_cache: dict[int, bool] = {}
    for t in terms:
        if t.kind != "comparator":
            continue
        if t.always:
            kept.append(t)
            continue
        i = index.index_of(t.start)
        if i not in ket_by_sent:
            continue
        if i not in cue_cache:
            cue_cache[i] = bool(cue.search(index.sentence(i)))
        if cue_cache[i]:
            kept.append(t)
    for i, labels in ket_by_sent.items():
        if len(labels) > 1 and main_form is not None:
            if i not in cue_cache:
                cue_cache[i] = bool(cue.search(index.sentence(i)))
            if cue_cache[i]:
                for t in terms:
                    if t.kind == "ketamine" and t.label != main_form and index.index_of(t.start) == i:
                        kept.append(Term(t.start, t.end, "comparator", "ketamine" if t.label == "racemic" else t.label, None, t.text, t.via_abbreviation))
    return kept


def comparator_labels(comp_terms: list[Term]) -> list[str]:
    seen: list[str] = []
    for t in comp_terms:
        if t.label not in seen:
            seen.append(t.label)
    return seen
