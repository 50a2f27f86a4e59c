"""Conditions studied: depression, pain, migraine, other (+ subtypes).

MeSH decides when the record is MEDLINE-indexed and its headings name a
condition of the tracker; otherwise lexicon mentions in the text decide
(``resources/conditions.json``, ``resources/rules.json``). Abbreviations
defined in the text count as their long form (Schwartz & Hearst 2003).
A mention that ``yields_to`` a tracked label found in the same text ("bipolar
disorder" beside bipolar depression) is not a second condition, and an article
with no condition found at all gets ``default_label`` ("other": the annotation
guidelines give every study a condition; healthy-volunteer, anaesthesia and
drug-use studies rarely name one the lexicon knows).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..resources import NLP_ROOT
from ..matching.terms import Term
from ..rules import RuleFile, load_rules
from ..sentences.index import SentenceIndex

LABELS = ("depression", "pain", "migraine", "other")


@dataclass
class ConditionResult:
    conditions: list[str]
    subtypes: list[str]
    source: str  # mesh | text | none
    evidence: list[Term] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ConditionRules(RuleFile):
    """``resources/rules.json``: how lexicon mentions and MeSH headings become conditions."""

    min_mentions: dict[str, int]  # label -> mentions needed
    ae_cues: str  # a mention next to these words is an adverse event, not the condition
    exclude: list[str] = field(default_factory=list)  # described in the file, but read by no code today
    mesh: dict[str, tuple[str, str | None]]  # descriptor -> (label, subtype)
    title_override_mentions: int
    yields_to: dict[str, list[str]] = field(default_factory=dict)
    default_label: str | None = None


@lru_cache(maxsize=1)
def _rule_file() -> ConditionRules:
    return load_rules(NLP_ROOT / "conditions" / "resources" / "rules.json", ConditionRules)


@lru_cache(maxsize=1)
def _rules():
    data = _rule_file()
    return data.min_mentions, re.compile(data.ae_cues, re.IGNORECASE), data.mesh, data.title_override_mentions


@lru_cache(maxsize=1)
def _yields() -> dict[str, frozenset]:
    """``label -> {mention text}``: mentions (as written, and lower-cased) that
    do not count as another condition when ``label`` is found."""
    data = _rule_file().yields_to
    return {label: frozenset(list(words) + [w.lower() for w in words]) for label, words in data.items()}


@lru_cache(maxsize=1)
def _default_label() -> str | None:
    return _rule_file().default_label


def from_mesh(mesh) -> tuple[list[str], list[str]]:
    """Conditions and subtypes named by MeSH descriptors (empty lists if none)."""
    _, _, table, _ = _rules()
    labels: set[str] = set()
    subs: set[str] = set()
    for d in mesh:
        hit = table.get(d.strip())
        if hit:
            labels.add(hit[0])
            if hit[1]:
                subs.add(hit[1])
    return [l for l in LABELS if l in labels], sorted(subs)


def from_text(terms: list[Term], index: SentenceIndex) -> tuple[list[str], list[str], list[Term]]:
    """Conditions from lexicon mentions.

    Parameters
    ----------
    terms : list of Term
        All lexicon hits of the document (only ``kind == "condition"`` are used).
    index : SentenceIndex
        Sentences of the document.

    Returns
    -------
    (labels, subtypes, evidence)
    """
    min_mentions, ae_cues, _, override = _rules()
    counts: Counter = Counter()
    in_title: set[str] = set()
    kept: list[Term] = []
    ae_sentence: dict[int, bool] = {}
    for t in terms:
        if t.kind != "condition" or t.label == "none":
            continue
        i = index.index_of(t.start)
        if t.subtype is None:
            if i not in ae_sentence:
                ae_sentence[i] = bool(ae_cues.search(index.sentence(i)))
            if ae_sentence[i] and not index.is_title(i):
                continue
        kept.append(t)
    yields = _yields()
    dropped = set()
    for label, words in yields.items():
        if any(t.label == label for t in kept):
            dropped.update(id(t) for t in kept if t.label != label and (t.text in words or t.text.lower() in words))
    if dropped:
        kept = [t for t in kept if id(t) not in dropped]
    for t in kept:
        counts[t.label] += 1
        if index.is_title(index.index_of(t.start)):
            in_title.add(t.label)
    targets = [l for l in ("depression", "pain", "migraine") if counts[l]]
    labels = []
    for l in LABELS:
        if not counts[l]:
            continue
        if in_title:
            # the title names the studied condition; others need many mentions
            if l in in_title or counts[l] >= override:
                labels.append(l)
        elif counts[l] >= min_mentions[l] or (l != "other" and len(targets) == 1):
            labels.append(l)
        elif l == "other" and not targets:
            labels.append(l)
    evidence = [t for t in kept if t.label in labels]
    subtypes = sorted({t.subtype for t in evidence if t.subtype})
    return labels, subtypes, evidence


def classify(terms: list[Term], index: SentenceIndex, mesh=()) -> ConditionResult:
    """Conditions of one article: MeSH when it names one, else text.

    Text subtypes are added under a MeSH-decided label (MeSH rarely codes
    "treatment-resistant" or "suicidal ideation" separately).
    """
    text_labels, text_subs, evidence = from_text(terms, index)
    mesh_labels, mesh_subs = from_mesh(mesh)
    if mesh_labels:
        allowed = set(mesh_labels)
        subs = set(mesh_subs)
        parent = {}
        for t in evidence:
            if t.subtype:
                parent[t.subtype] = t.label
        subs.update(s for s in text_subs if parent.get(s) in allowed)
        if allowed == {"other"}:
            # MeSH names no tracked condition (e.g. "Bipolar Disorder" for a
            # trial in bipolar *depression*): the text's tracked conditions
            # are more specific, so they are kept beside "other".
            tracked = [l for l in text_labels if l != "other"]
            allowed.update(tracked)
            mesh_labels = tracked + ["other"] if tracked else mesh_labels
            subs.update(text_subs)
        ev = [t for t in evidence if t.label in allowed]
        return ConditionResult(mesh_labels, sorted(subs), "mesh", ev)
    if text_labels:
        return ConditionResult(text_labels, text_subs, "text", evidence)
    default = _default_label()
    return ConditionResult([default] if default else [], [], "default" if default else "none", [])
