"""What an adverse-event mention says: did it occur, and in which arm.

A lexicon hit of an adverse event is not yet a harm the study observed. Trial
abstracts name events they plan to measure (protocols, methods), events that
are known effects of the drug (introductions, reviews), events of another
drug, events that did not occur or did not differ between groups, and events
that occurred. Only the first kind of sentence was read as "present" by
NegEx alone. Each mention gets one status (rules in
``resources/status_rules.json``):

``occurred``
    reported as having happened in the study (any arm);
``not_occurred``
    stated absent, or not different between groups (NegEx, Chapman et al.
    2001; a "no difference" cue or a non-significant p-value in the mention's
    clause);
``planned``
    to be, or being, measured: protocols, methods and outcome definitions;
``background``
    a known or possible effect (background sections, modal and generic
    statements);
``other_drug``
    attributed to another drug only ("opioid-induced nausea", "more frequent
    with dexmedetomidine").

and one arm: ``ketamine``, ``comparator``, ``both`` or ``unstated``.

The order of the checks follows the structure of trial abstracts (CONSORT
for abstracts, Hopewell et al. 2008, PLoS Med 5:e20) and the CONSORT harms
extension (Ioannidis et al. 2004, Ann Intern Med 141:781-788), which asks
that harms be reported as observed, per arm.

A cue applies to a whole coordinated list: "no difference in nausea,
vomiting or dizziness" reads the words before and after the list, not only
those between one mention and its neighbour (:func:`mention_groups`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from db.models import AE_ARMS, AE_NOT_OCCURRED, AE_OCCURRED, AE_STATUSES
from nlp.rules import RuleFile, load_rules
from nlp.sentences.index import background_sections, objective_sections

RESOURCES = Path(__file__).with_name("resources")

#: the stored vocabulary (``db.models``); REPORTED and NEGATED fill the export's reported / negated events
STATUSES, ARMS, REPORTED, NEGATED = AE_STATUSES, AE_ARMS, AE_OCCURRED, AE_NOT_OCCURRED

# What may stand between two mentions of one coordinated list.
_LIST_GAP = re.compile(r"^(?:[\s,;/()\[\]]|\band\b|\bor\b|\bnor\b|\bas well as\b|\band/or\b|\bincluding\b|\bsuch as\b|\bi\.e\.|\be\.g\.)*$", re.I)
# Clause breaks (NegEx termination words, Chapman et al. 2001) and sentence-internal stops.
_BREAK = re.compile(r";|\b(?:but|whereas|while|however|although|though|except|yet)\b|,\s*(?:and|but)\s+(?=(?:\w+\s+){0,3}(?:was|were|did|had|showed|occurred|remained)\b)", re.I)


@dataclass(frozen=True)
class Rules:
    planned_sections: frozenset[str]
    background_sections: frozenset[str]
    result_sections: frozenset[str]
    result: re.Pattern
    planned: re.Pattern
    background_strong: re.Pattern
    background: re.Pattern
    no_difference: re.Pattern
    significant: re.Pattern
    p_value: re.Pattern
    p_threshold: float
    other_drug_before: re.Pattern
    more_with: re.Pattern
    less: re.Pattern
    arm_ketamine: re.Pattern
    arm_comparator: re.Pattern
    arm_both: re.Pattern
    absent_after: re.Pattern
    negated_lead: re.Pattern
    predictor_after: re.Pattern
    population_before: re.Pattern
    relief_before: re.Pattern
    population_exception_after: re.Pattern
    condition_terms: frozenset[str]
    condition_cue: re.Pattern
    efficacy_terms: frozenset[str]
    efficacy_after: re.Pattern
    efficacy_before: re.Pattern
    efficacy_sentence: re.Pattern


def _any(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@dataclass(frozen=True, kw_only=True)
class StatusRuleFile(RuleFile):
    """``resources/status_rules.json`` as written (see its description)."""

    planned_sections: list[str]
    result_sections: list[str]
    result_patterns: list[str]
    planned_patterns: list[str]
    background_strong_patterns: list[str]
    background_patterns: list[str]
    no_difference_patterns: list[str]
    significant_patterns: list[str]
    p_value: str
    p_threshold: float
    other_drug_before: list[str]
    other_drug_more_with: str
    arm_ketamine: str
    arm_comparator: str
    arm_both: str
    arm_less: str
    efficacy_terms: list[str]
    efficacy_after: str
    efficacy_before: str
    efficacy_sentence: str
    absent_after: str
    negated_lead: str
    predictor_after: str
    population_before: str
    population_exception_after: str
    relief_before: str
    condition_terms: list[str]
    condition_terms_cue: str


def compile_rules(raw: StatusRuleFile) -> Rules:
    """Compile a status rule table.

    Parameters
    ----------
    raw : StatusRuleFile
        ``status_rules.json``, read by :func:`nlp.rules.load_rules`.

    Returns
    -------
    Rules
    """
    return Rules(
        planned_sections=frozenset(raw.planned_sections),
        background_sections=background_sections() | objective_sections(),
        result_sections=frozenset(raw.result_sections),
        result=_any(raw.result_patterns),
        planned=re.compile("|".join(f"(?:{p})" for p in raw.planned_patterns), re.I | re.M),
        background_strong=_any(raw.background_strong_patterns),
        background=_any(raw.background_patterns),
        no_difference=_any(raw.no_difference_patterns),
        significant=_any(raw.significant_patterns),
        p_value=re.compile(raw.p_value, re.I),
        p_threshold=float(raw.p_threshold),
        other_drug_before=_any(raw.other_drug_before),
        more_with=re.compile(raw.other_drug_more_with, re.I),
        less=re.compile(raw.arm_less, re.I),
        arm_ketamine=re.compile(raw.arm_ketamine, re.I),
        arm_comparator=re.compile(raw.arm_comparator, re.I),
        arm_both=re.compile(raw.arm_both, re.I),
        absent_after=re.compile(raw.absent_after, re.I),
        negated_lead=re.compile(raw.negated_lead, re.I),
        predictor_after=re.compile(raw.predictor_after, re.I),
        population_before=re.compile(raw.population_before, re.I),
        relief_before=re.compile(raw.relief_before, re.I),
        population_exception_after=re.compile(raw.population_exception_after, re.I),
        condition_terms=frozenset(raw.condition_terms),
        condition_cue=re.compile(raw.condition_terms_cue, re.I),
        efficacy_terms=frozenset(raw.efficacy_terms),
        efficacy_after=re.compile(raw.efficacy_after, re.I),
        efficacy_before=re.compile(raw.efficacy_before, re.I),
        efficacy_sentence=re.compile(raw.efficacy_sentence, re.I),
    )


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The status rules of ``resources/status_rules.json``, compiled (:func:`compile_rules`).

    Returns
    -------
    Rules
    """
    return compile_rules(load_rules(RESOURCES / "status_rules.json", StatusRuleFile))


def mention_groups(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Group index of each mention: mentions joined only by list words are one group.

    Parameters
    ----------
    text : str
    spans : list of (int, int)
        Mention character spans in text order (one sentence or many).

    Returns
    -------
    list of int
        ``groups[i]`` is the same for the mentions of one coordinated list
        ("nausea, vomiting and/or dizziness").
    """
    groups, g = [], 0
    for i, (s, _) in enumerate(spans):
        if i and not (spans[i - 1][1] <= s and _LIST_GAP.match(text[spans[i - 1][1]:s])):
            g += 1
        groups.append(g)
    return groups


def _clause(text: str, lo: int, start: int, end: int, hi: int) -> tuple[int, int]:
    """Narrow ``lo:hi`` (around ``start:end``) to the clause between breaks."""
    m = _BREAK.search(text, end, hi)
    return _clause_start(text, lo, start), (m.start() if m else hi)


def _clause_start(text: str, start: int, pos: int) -> int:
    """Start of the clause holding ``pos``: the last break between ``start`` and ``pos``."""
    for m in _BREAK.finditer(text, start, pos):
        start = m.end()
    return start


def _p_values(text: str) -> list[float]:
    return [float(m.group(1)) for m in rules().p_value.finditer(text)]


def arm_of(context: str, sentence: str) -> str:
    """The arm an event is reported in, from its clause (else its sentence).

    Parameters
    ----------
    context : str
        The words of the mention's clause around its coordinated list.
    sentence : str
        The whole sentence (read only when the clause names no arm).

    Returns
    -------
    str
        ``ketamine``, ``comparator``, ``both`` or ``unstated``.
    """
    r = rules()
    for text in (context, sentence):
        if r.arm_both.search(text) or r.less.search(text):
            return "both"
        m = r.more_with.search(text)
        if m:
            rest = text[m.end():m.end() + 40]
            k, c = r.arm_ketamine.match(rest), r.arm_comparator.match(rest)
            if k or c:
                return "ketamine" if k else "comparator"
        k, c = r.arm_ketamine.search(text), r.arm_comparator.search(text)
        if k and c:
            return "both"
        if k or c:
            return "ketamine" if k else "comparator"
    return "unstated"


def not_a_harm(term: str, before: str, after: str, sentence: str) -> bool:
    """True when a mention describes the patients or an efficacy outcome, not a harm.

    Four cases: an event the treatment relieves ("alleviates psychotic
    symptoms"); a population descriptor ("patients without sleep
    disturbances", but not "patients with apnoea after succinylcholine"); a
    condition-like term written as an efficacy outcome ("suicidal ideation
    significantly improved", "reduction in anxiety"); and
    a symptom of the condition studied (suicidal ideation, depressive
    symptoms) in a sentence with no harm cue ("adverse", "treatment-emergent",
    "worsening", "-induced"): GUIDELINES of the gold set, and the CONSORT harms
    extension's distinction of harms from efficacy outcomes.

    Parameters
    ----------
    term : str
        Canonical term.
    before, after : str
        The clause's words before and after the mention's list.
    sentence : str

    Returns
    -------
    bool
    """
    r = rules()
    if r.population_before.search(before) and not r.population_exception_after.search(after):
        return True
    if r.relief_before.search(before):
        return True
    if term in r.condition_terms and not r.condition_cue.search(sentence):
        return True
    if term not in r.efficacy_terms:
        return False
    return bool(r.efficacy_after.search(after) or r.efficacy_before.search(before) or r.efficacy_sentence.search(sentence))


def classify(text: str, sent: tuple[int, int], section: str, group: tuple[int, int], clause: tuple[int, int],
             negated: bool, design: str | None = None) -> tuple[str, str]:
    """Status and arm of one adverse-event mention.

    Parameters
    ----------
    text : str
        The document text.
    sent : (int, int)
        The mention's sentence.
    section : str
        Its structured-abstract section (:func:`nlp.sentences.index.section_labels`).
    group : (int, int)
        The span of the mention's coordinated list (the mention itself when alone).
    clause : (int, int)
        Where the mention's own words end: from the previous mention outside its
        list (or the sentence start) to the next one (or the sentence end).
    negated : bool
        The NegEx flag of the mention.
    design : str, optional
        The study design (:mod:`nlp.design`); a protocol reports no events.

    Returns
    -------
    (str, str)
        One of :data:`STATUSES` and one of :data:`ARMS`.
    """
    r = rules()
    s, e = sent
    lo, hi = _clause(text, clause[0], group[0], group[1], clause[1])
    before, after = text[lo:group[0]], text[group[1]:hi]
    sentence = text[s:e]
    context = before + " " + after
    arm = arm_of(context, sentence)
    if r.other_drug_before.search(text[max(s, group[0] - 60):group[0]]):
        return "other_drug", "comparator"
    has_result = bool(r.result.search(sentence))
    if design == "protocol" or (section in r.planned_sections and not has_result):
        return "planned", arm
    if section in r.background_sections:
        return "background", arm
    if section not in r.result_sections and r.background_strong.search(sentence):
        return "background", arm
    if r.planned.search(sentence) and not has_result:
        return "planned", arm
    if not has_result and section not in r.result_sections and r.background.search(sentence):
        return "background", arm
    if negated and r.predictor_after.search(after):
        negated = False
    if negated or r.absent_after.search(after) or r.negated_lead.search(text[_clause_start(text, s, group[0]):group[0]]):
        return "not_occurred", arm
    significant = r.significant.search(context)
    if not significant and r.no_difference.search(context):
        return "not_occurred", arm
    ps = _p_values(after)
    if ps and not significant and all(p > r.p_threshold for p in ps):
        return "not_occurred", arm
    m = r.more_with.search(after)
    if m and r.arm_comparator.match(text, group[1] + m.end()) and not r.arm_ketamine.search(before):
        return "other_drug", "comparator"
    return "occurred", arm
