"""Study design: publication types and MeSH first, text rules otherwise.

Order of evidence (recorded as ``design_source``):

1. ``pubtype`` - NLM Publication Types of a MEDLINE-indexed record, in the
   precedence order of ``resources/design_rules.json`` (protocol, meta-analysis,
   systematic review, RCT, case report, observational, review...).
2. ``mesh`` - MeSH check tags: "Animals" without "Humans" means preclinical.
3. ``text`` - cue phrases from the CONSORT/PRISMA/SPIRIT/CARE title and
   abstract items. A trial-registry record (INTERVENTION/CONDITION/PRIMARY
   OUTCOME fields) is a protocol; a preclinical vote compares animal and human
   vocabulary; then the rules of ``resources/design_rules.json`` run in three
   tiers - future-tense protocol cues, strong cues, weak cues - each on the
   title first, then on the abstract outside its background/objective
   sections (background sentences about "this study" are kept, sentences
   calling for future work are not). Weak publication types ("Clinical
   Trial", "Comparative Study") are used only when the text finds nothing.

The study-type definitions of PsyNamic (Ineichen Group's annotation guide, as
quoted in their zero-shot prompts) shaped the rules: an RCT must state
randomisation, pooled analyses of trials are not meta-analyses, a cohort or
real-world study says so or uses population/survey data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..resources import NLP_ROOT
from ..matching.regex import Alternation, LiteralIndex, fold
from ..rules import RuleFile, load_rules
from ..sentences.index import SentenceIndex, background_sections, objective_sections

DESIGNS = ("rct", "non_randomized_trial", "observational", "case_report", "review", "protocol", "preclinical", "other")


@dataclass(frozen=True)
class DesignResult:
    design: str
    detail: str
    source: str  # pubtype | mesh | text
    start: int | None = None  # evidence offsets into the document text
    end: int | None = None


@dataclass(frozen=True, kw_only=True)
class TextRule:
    """One text rule of ``design_rules.json``: ``patterns`` found in the text name ``design``.

    ``min_hits``: distinct hits needed; ``requires``: a pattern that must also
    occur; ``unless``: a pattern anywhere in the document that vetoes the rule;
    ``scope``: ``sections`` (default), ``document`` or ``title``;
    ``case_sensitive``: patterns matched as written; ``first`` / ``weak``: tried
    before / after the other rules.
    """

    description: str = ""
    design: str
    detail: str
    patterns: list[str]
    min_hits: int = 1
    requires: str | None = None
    unless: str | None = None
    scope: str = "sections"
    case_sensitive: bool = False
    first: bool = False
    weak: bool = False


@dataclass(frozen=True, kw_only=True)
class PubtypeRules:
    """Publication types as ``(name, design, detail)``, in priority order."""

    order: list[tuple[str, str, str]]
    weak: list[tuple[str, str, str]]


@dataclass(frozen=True, kw_only=True)
class MeshTags:
    """MeSH check tags of the preclinical vote."""

    animals: str
    humans: str
    in_vitro: list[str]


@dataclass(frozen=True, kw_only=True)
class PreclinicalRules:
    """Animal against human mentions: ``ratio`` animal mentions per human one, at least ``min_animal``."""

    animal: str
    human: str
    min_animal: int
    ratio: float


@dataclass(frozen=True, kw_only=True)
class DesignRules(RuleFile):
    """``resources/design_rules.json``."""

    pubtypes: PubtypeRules
    mesh: MeshTags
    self_reference: str
    future_work: str
    text_rules: list[TextRule]
    preclinical: PreclinicalRules


@dataclass(frozen=True)
class _Rule:
    design: str
    detail: str
    pattern: re.Pattern  # the rule's patterns joined into one alternation
    min_hits: int
    requires: re.Pattern | None
    screened: Alternation  # ``pattern`` run with only the alternatives a text may match
    requires_screened: Alternation | None
    unless: re.Pattern | None = None  # a hit anywhere in the document vetoes the rule
    scope: str = "sections"  # "document": tried on the whole text before anything else; "title": on the title only
    case_sensitive: bool = False  # matched as written, without the case-folded literal screen
    tier: int = 1  # 0 ("first"): tried on title and body before tier 1 rules; 2 ("weak"): after them


@dataclass(frozen=True)
class _Config:
    """``resources/design_rules.json``, compiled."""

    pubtype_order: list  # [name, design, detail] of strong publication types, in priority order
    pubtype_weak: list  # the same for weak ones ("Clinical Trial", ...)
    mesh: MeshTags  # MeSH check tags: humans, animals, in vitro
    skip_sections: frozenset  # background/objective labels not read for cues
    text_rules: tuple  # (_Rule, ...) in file order
    min_animal: int
    ratio: float  # animal mentions needed per human mention for a preclinical vote
    animal: Alternation
    human: Alternation
    self_reference: re.Pattern  # a background sentence about this study ("the aim of this trial")
    future_work: re.Pattern  # a sentence calling for future studies


@lru_cache(maxsize=1)
def _rules() -> _Config:
    data = load_rules(NLP_ROOT / "design" / "resources" / "design_rules.json", DesignRules)
    rules = []
    for r in data.text_rules:
        pattern = "|".join(f"(?:{p})" for p in r.patterns)
        flags = 0 if r.case_sensitive else re.IGNORECASE
        requires = r.requires
        rules.append(_Rule(
            r.design,
            r.detail,
            re.compile(pattern, flags),
            r.min_hits,
            re.compile(requires, re.IGNORECASE) if requires else None,
            Alternation(pattern, flags),
            Alternation(requires, re.IGNORECASE) if requires else None,
            re.compile(r.unless, re.IGNORECASE) if r.unless else None,
            r.scope,
            r.case_sensitive,
            0 if r.first else 2 if r.weak else 1,
        ))
    pre = data.preclinical
    return _Config(
        pubtype_order=data.pubtypes.order,
        pubtype_weak=data.pubtypes.weak,
        mesh=data.mesh,
        skip_sections=background_sections() | objective_sections(),
        text_rules=tuple(rules),
        min_animal=pre.min_animal,
        ratio=float(pre.ratio),
        animal=Alternation(pre.animal, re.IGNORECASE),
        human=Alternation(pre.human, re.IGNORECASE),
        self_reference=re.compile(data.self_reference, re.IGNORECASE),
        future_work=re.compile(data.future_work, re.IGNORECASE),
    )


@lru_cache(maxsize=1)
def _tiers() -> tuple[tuple[_Rule, ...], ...]:
    """The section rules by tier (0 first, 1 strong, 2 weak), each in file order."""
    rules = [r for r in _rules().text_rules if r.scope != "document"]
    return tuple(tuple(r for r in rules if r.tier == t) for t in (0, 1, 2))


@lru_cache(maxsize=1)
def _reach_pad() -> int:
    """Characters after the title end that the title screen needs (longest literal + 1)."""
    return max(max(r.screened.max_literal, r.requires_screened.max_literal if r.requires_screened else 0)
               for r in _rules().text_rules) + 1


@lru_cache(maxsize=1)
def _literal_index() -> LiteralIndex:
    """All literals the text rules are screened by."""
    rules = _rules().text_rules
    alternations = [r.screened for r in rules] + [r.requires_screened for r in rules if r.requires_screened]
    return LiteralIndex(x for a in alternations for lits in a.literals if lits for x in lits)


def from_pubtypes(pub_types) -> DesignResult | None:
    """Design from NLM publication types (strong types only), or None."""
    order = _rules().pubtype_order
    present = {p.strip().lower() for p in pub_types}
    for name, design, detail in order:
        if name.lower() in present:
            return DesignResult(design, detail, "pubtype")
    return None


def from_weak_pubtypes(pub_types) -> DesignResult | None:
    """Design from weak publication types ("Clinical Trial"...), or None."""
    weak = _rules().pubtype_weak
    present = {p.strip().lower() for p in pub_types}
    for name, design, detail in weak:
        if name.lower() in present:
            return DesignResult(design, detail, "pubtype")
    return None


def from_mesh(mesh) -> DesignResult | None:
    """Preclinical when MeSH has "Animals" (or in-vitro headings) and not "Humans"."""
    m = _rules().mesh
    present = {x.strip().lower() for x in mesh}
    if m.humans.lower() in present:
        return None
    if m.animals.lower() in present or any(x.lower() in present for x in m.in_vitro):
        return DesignResult("preclinical", "animal", "mesh")
    return None


def _match_rule(rule: _Rule, text: str, folded: str | None = None, seen: dict | None = None,
                full: str | None = None, skip_hit=None) -> tuple[int, int] | None:
    """Offsets of the first hit of ``rule`` in ``text`` once it has ``min_hits`` hits
    and its ``unless`` pattern does not occur in ``full`` (the whole document;
    default ``text``). ``folded``: :func:`nlp.matching.regex.fold` of ``text``,
    so that only the alternatives it may match run; ``seen``: literal checks
    already made on it; ``skip_hit(start)``: true for hits that do not count."""
    pattern = rule.screened.for_text(folded, seen) if folded is not None else rule.pattern
    if pattern is None:
        return None
    if rule.requires is not None:
        requires = rule.requires_screened.for_text(folded, seen) if folded is not None else rule.requires
        if requires is None or not any(skip_hit is None or not skip_hit(m.start()) for m in requires.finditer(text)):
            return None
    first: tuple[int, int] | None = None
    hits = 0
    for m in pattern.finditer(text):
        if skip_hit is not None and skip_hit(m.start()):
            continue
        hits += 1
        if first is None:
            first = (m.start(), m.end())
        if hits >= rule.min_hits:
            if rule.unless is not None and rule.unless.search(full if full is not None else text):
                return None
            return first
    return None


def _masked(index: SentenceIndex, keep: list[bool]) -> str:
    """The document text with sentences whose ``keep`` flag is false blanked
    (same length, so match offsets are document offsets; sentences stay apart)."""
    text = index.text
    parts = []
    pos = 0
    for (s, e), k in zip(index.spans, keep):
        if s > pos:
            parts.append("\n" + " " * (s - pos - 1))  # sentence gap: patterns with "." stop here
        parts.append(text[s:e] if k else " " * (e - s))
        pos = e
    parts.append(" " * (len(text) - pos))
    return "".join(parts)


def _title_text(index: SentenceIndex, pad: int) -> str:
    """The title sentences (they open the document) as :func:`_masked` writes them,
    followed by ``pad`` characters of the blanked rest."""
    text = index.text
    parts = []
    pos = 0
    nxt = None
    for (s, e), sec in zip(index.spans, index.sections):
        if sec != "TITLE":
            nxt = s
            break
        if s > pos:
            parts.append("\n" + " " * (s - pos - 1))
        parts.append(text[s:e])
        pos = e
    gap = "\n" if nxt is not None and nxt > pos else " "
    return "".join(parts) + gap + " " * (pad - 1)


def _body(index: SentenceIndex, skip, self_ref) -> str:
    """The abstract text outside its background/objective sections (their sentences
    about this study kept)."""
    full = index.text
    # background/objective sentences are skipped (they cite earlier work) unless
    # they speak of this study ("The aim of this randomized trial was...")
    return _masked(index, [
        sec != "TITLE" and (sec not in skip or self_ref.search(full[s:e]) is not None)
        for (s, e), sec in zip(index.spans, index.sections)
    ])


def _future_work_check(index: SentenceIndex, future_work: re.Pattern):
    """``start -> bool``: whether the sentence holding ``start`` calls for future work
    ("larger randomized trials are needed"), i.e. is not about this study; each
    sentence is tested once, and only when a rule hits it."""
    full = index.text
    cache: dict[int, bool] = {}

    def check(start: int) -> bool:
        i = index.index_of(start)
        v = cache.get(i)
        if v is None:
            s, e = index.spans[i]
            v = cache[i] = future_work.search(full, s, e) is not None
        return v

    return check


def from_text(index: SentenceIndex) -> DesignResult:
    """Design from the title and abstract text alone.

    Parameters
    ----------
    index : SentenceIndex
        Sentences and sections of the document.

    Returns
    -------
    DesignResult
        ``other`` with source ``text`` when no rule fires.
    """
    cfg = _rules()
    skip, rules, min_animal, ratio, animal, human = cfg.skip_sections, cfg.text_rules, cfg.min_animal, cfg.ratio, cfg.animal, cfg.human
    self_ref, future_work = cfg.self_reference, cfg.future_work
    full = index.text
    folded, seen = fold(full), {}
    for rule in rules:  # format rules (e.g. a trial-registry record) outrank every cue phrase
        if rule.scope == "document":
            hit = _match_rule(rule, full) if rule.case_sensitive else _match_rule(rule, full, folded, seen)
            if hit is not None:
                return DesignResult(rule.design, rule.detail, "text", hit[0], hit[1])
    animal_re = animal.for_text(folded, seen)
    n_animal = len(animal_re.findall(full)) if animal_re is not None else 0
    if n_animal >= min_animal:  # the human count matters only then
        human_re = human.for_text(folded, seen)
        n_human = len(human_re.findall(full)) if human_re is not None else 0
        if n_animal >= ratio * max(n_human, 0.5) and n_human <= 1:
            m = animal_re.search(full)
            return DesignResult("preclinical", "animal", "text", m.start(), m.end())
    # the title text is the title then white space: its literals, and every match,
    # are in its first title-end + longest-literal characters, so only those are kept
    title = _title_text(index, _reach_pad())
    literal_index = _literal_index()
    future = _future_work_check(index, future_work)
    texts: list = [title, None]  # the body is made when first needed
    screens: list = [None, None]  # (folded, seen, literals present) of the title and the body, made when first needed
    # tier 0 ("first": future-tense protocol cues, so that a protocol titled "A randomized
    # trial of..." stays a protocol), then strong cues, each on the title then the body;
    # weak cues (e.g. "double-blind" alone) last, so they never outrank a strong cue of the body
    for tier, tier_rules in enumerate(_tiers()):
        for k in (0, 1):
            if tier == 0 and k == 1:
                if not any(r.screened.may_match(folded, seen) for r in tier_rules):
                    continue
                f, s, present = folded, seen, None  # the whole text's screen is enough for these few rules
            else:
                if screens[k] is None:
                    if texts[k] is None:
                        texts[k] = _body(index, skip, self_ref)
                    f = fold(texts[k])
                    s = literal_index.presence(f)  # every rule literal checked in one pass
                    screens[k] = (f, s, {x for x, v in s.items() if v} if s is not None else None)
                f, s, present = screens[k]
            if texts[k] is None:
                texts[k] = _body(index, skip, self_ref)
            for rule in tier_rules:
                if (k == 1 and rule.scope == "title") or not rule.screened.may_match_present(present):
                    continue
                hit = _match_rule(rule, texts[k], f, s, full, future if k == 1 else None)
                if hit is not None:
                    return DesignResult(rule.design, rule.detail, "text", hit[0], hit[1])
    return DesignResult("other", "other", "text")


def classify(index: SentenceIndex, pub_types=(), mesh=()) -> DesignResult:
    """Study design of one article (see module docstring for the precedence).

    Parameters
    ----------
    index : SentenceIndex
        Sentences of the document text.
    pub_types, mesh : iterable of str
        NLM publication types and MeSH descriptor names (empty when not indexed).

    Returns
    -------
    DesignResult
    """
    result = from_pubtypes(pub_types)
    if result is not None:
        # the text may refine a generic "Review" into systematic / meta-analysis
        if result.design == "review" and result.detail == "narrative_review":
            text = from_text(index)
            if text.design == "review":
                return DesignResult("review", text.detail, "pubtype", text.start, text.end)
        if result.design == "rct":
            text = from_text(index)
            if text.detail == "secondary_analysis":
                return DesignResult("rct", "secondary_analysis", "pubtype", text.start, text.end)
        return result
    result = from_mesh(mesh)
    if result is not None:
        return result
    text = from_text(index)
    if text.design == "other":
        weak = from_weak_pubtypes(pub_types)
        if weak is not None:
            return weak
    return text
