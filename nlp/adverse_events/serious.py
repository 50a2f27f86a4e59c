"""Did the abstract report a serious adverse event? ("yes" | "no" | "unstated").

Serious in the regulatory sense of ICH E2A (death, life-threatening event,
hospitalisation, disability, congenital anomaly) as abstracts state it:
"no serious adverse events", "one SAE (hospitalisation) occurred". Patterns
in ``resources/serious.json``; negation by the trial NegEx termset
(:mod:`nlp.negation`). Any reported occurrence wins over a statement of
absence (a trial may say "no SAEs were related to ketamine; two SAEs
occurred"); a method sentence ("SAEs were recorded") is neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.adverse_events.extract import as_document
from nlp.negation import context_tokens, negated_tokens
from nlp.matching.regex import Alternation
from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")


@dataclass(frozen=True, kw_only=True)
class SeriousRules(RuleFile):
    """``resources/serious.json``: serious-adverse-event mentions and what they say."""

    mention_patterns: list[str]
    occurrence_patterns: list[str]
    method_patterns: list[str]
    zero_patterns: list[str]


@lru_cache(maxsize=1)
def _rules() -> dict[str, re.Pattern]:
    raw = load_rules(RESOURCES / "serious.json", SeriousRules)
    mention = "|".join(raw.mention_patterns)
    return {
        "mention": re.compile(rf"(?<![\w-])(?:{mention})(?![\w])", re.I),
        "occurrence": re.compile("|".join(raw.occurrence_patterns), re.I),
        "method": re.compile("|".join(raw.method_patterns), re.I),
        "zero": re.compile("|".join(raw.zero_patterns), re.I),
    }


@lru_cache(maxsize=1)
def _mention() -> Alternation:
    pattern = _rules()["mention"]
    return Alternation(pattern.pattern, pattern.flags)


_OCCURRED = re.compile(r"\b(?:occurred|experienced|developed)\b", re.I)


def serious_ae(doc) -> str:
    """Whether serious adverse events were reported.

    Parameters
    ----------
    doc : Doc or nlp.document.Document
        Any spaCy document (sentence boundaries used when present).

    Returns
    -------
    str
        ``"yes"`` if a non-negated serious-AE mention reports an occurrence,
        ``"no"`` if serious AEs are stated absent, else ``"unstated"``.
    """
    d = as_document(doc)
    rules = _rules()
    mention = _mention().for_text(d.folded)  # only the mention patterns whose words occur
    if mention is None:
        return "unstated"
    found = [m for m in mention.finditer(d.text) if m.group(0) not in ("sae", "saes", "Sae", "Saes")]
    if not found:
        return "unstated"  # lower-case "sae" is not the abbreviation
    tokens = d.tokens(need=[(m.start(), m.end()) for m in found], context=context_tokens())
    spans = [s for s in (tokens.char_span(m.start(), m.end()) for m in found) if s is not None]
    if not spans:
        return "unstated"
    flags = negated_tokens(tokens, spans)
    said_no = False
    for span, neg in zip(spans, flags):
        sent = d.sentence_text(d.sentence_at(tokens.idx[span[0]]))
        if neg or rules["zero"].search(sent):
            said_no = True
            continue
        s0, s1 = tokens.chars(*span)
        rest = sent.replace(d.text[s0:s1], " ", 1)
        if rules["method"].search(sent) and not _OCCURRED.search(sent):
            continue
        if rules["occurrence"].search(rest):
            return "yes"
    return "no" if said_no else "unstated"
