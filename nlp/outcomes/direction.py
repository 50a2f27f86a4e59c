"""Direction of an outcome result and the numbers that report it.

Precedence (phrases in ``resources/direction_rules.json``):

1. a no-difference phrase in the measure's scope ("no significant
   difference", "did not reduce", "comparable") -> ``no_difference``;
2. p-values in the scope that are all >= 0.05 -> ``no_difference``
   (a change word with "p = 0.34" is not a result; Boutron et al. 2010);
3. the change word nearest to the measure: explicit improvement/worsening
   words as such; decrease/increase words through the measure's polarity
   (a decrease on a lower-is-better scale is an improvement), with
   comparatives ("higher", "lower") flipped when the control arm is their
   subject ("pain scores were higher with placebo");
4. otherwise None.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from nlp.resources.regex import Alternation, LiteralIndex, fold

RESOURCES = Path(__file__).with_name("resources")

P_VALUE = re.compile(r"(?<![\w])p\s*(?:-?value\s*)?(<=|>=|≤|≥|<|>|=|&lt;|&gt;)\s*(0?\.\d+|1(?:\.0+)?|0)(?![\d.])", re.I)
CI = re.compile(
    r"(?:\d{2}\s?%\s?)?(?:CI|C\.I\.|confidence interval|credible interval)[\s:,=\[\(]*"
    r"-?\d+(?:\.\d+)?\s*(?:-|–|to|,|;)\s*-?\d+(?:\.\d+)?",
    re.I,
)
# A no-difference phrase about safety or baseline data, not about the outcome.
OTHER_TOPIC = re.compile(
    r"[^.;]{0,40}?\b(?:adverse|side[- ]effects?|baseline|demographic|safety|tolerab|vital signs|haemodynamic|hemodynamic|"
    r"characteristics|dropout|drop-out|withdrawal)",
    re.I,
)
_DIGIT = re.compile(r"\d")  # CI, P_VALUE and PERCENT each need one: a text without digits has none of them
PERCENT = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d+)?\s?%(?!\s?(?:CI|C\.I\.|confidence|credible))", re.I)


@lru_cache(maxsize=1)
def rules() -> dict:
    """Compiled direction phrases (see module docstring)."""
    raw = json.loads((RESOURCES / "direction_rules.json").read_text(encoding="utf-8"))

    def alt(key: str) -> re.Pattern:
        return re.compile(r"(?<![\w-])(?:" + "|".join(raw[key]) + r")(?![\w])", re.I)

    return {
        "no_difference": alt("no_difference"),
        "improved": alt("improved"),
        "worsened": alt("worsened"),
        "decrease": alt("decrease"),
        "increase": alt("increase"),
        "comparatives": {w.lower() for w in raw["comparatives"]},
        "control": alt("control_arm"),
        "active": alt("active_arm"),
    }


@lru_cache(maxsize=1)
def _screens() -> dict:
    """Literal screens of the phrase patterns of :func:`rules` (skip a pattern that cannot match)."""
    r = rules()
    return {k: Alternation(r[k].pattern, r[k].flags) for k in ("no_difference", "improved", "worsened", "decrease", "increase")}


@lru_cache(maxsize=1)
def _index() -> LiteralIndex:
    return LiteralIndex(x for a in _screens().values() for lits in a.literals if lits for x in lits)


def p_values(text: str) -> list[tuple[str, float, str]]:
    """``(as written, value, operator)`` for every p-value in ``text``.

    Parameters
    ----------
    text : str

    Returns
    -------
    list[tuple[str, float, str]]
    """
    out = []
    if not _DIGIT.search(text):
        return out
    for m in P_VALUE.finditer(text):
        op = {"&lt;": "<", "&gt;": ">", "≤": "<=", "≥": ">="}.get(m.group(1), m.group(1))
        out.append((m.group(0), float(m.group(2)), op))
    return out


def numbers(text: str) -> list[str]:
    """Percentages, p-values and confidence intervals of ``text``, in order.

    Parameters
    ----------
    text : str

    Returns
    -------
    list[str]
        Strings as written ("45%", "p < 0.001", "95% CI 1.2-3.4").
    """
    found: list[tuple[int, int, str]] = []
    if not _DIGIT.search(text):
        return []
    for pattern in (CI, P_VALUE, PERCENT):
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), m.group(0).strip()))
    return [t for _, _, t in sorted(found)]


def _all_nonsignificant(text: str) -> bool:
    ps = p_values(text)
    if not ps:
        return False
    return all((op in (">", ">=") and v >= 0.05) or (op == "=" and v >= 0.05) for _, v, op in ps)


def _any_significant(text: str) -> bool:
    return any((op in ("<", "<=") and v <= 0.05) or (op == "=" and v < 0.05) for _, v, op in p_values(text))


def _flip_for_control(scope: str, w_start: int, w_end: int) -> bool:
    r = rules()
    after = scope[w_end:]
    arms = sorted([(m.start(), "control") for m in r["control"].finditer(after)]
                  + [(m.start(), "active") for m in r["active"].finditer(after)])
    if arms:
        pos, arm = arms[0]
        is_reference = re.search(r"(?:than|versus|vs\.?|compared (?:with|to)|relative to|over)\s+(?:the\s+|with\s+)?(?:\S+\s+){0,2}$",
                                 after[:pos], re.I)
        return arm == ("active" if is_reference else "control")
    before = scope[:w_start]
    arms = sorted([(m.start(), "control") for m in r["control"].finditer(before)]
                  + [(m.start(), "active") for m in r["active"].finditer(before)])
    for pos, arm in arms:
        if re.search(r"(?:than|versus|vs\.?|compared (?:with|to)|relative to)\s+(?:the\s+)?(?:\S+\s+){0,2}$", before[:pos], re.I):
            continue
        return arm == "control"
    return False


def direction(scope: str, measure_pos: int, lower_is_better: bool) -> str | None:
    """Direction of the result for a measure mentioned at ``measure_pos`` of ``scope``.

    Parameters
    ----------
    scope : str
        The clause(s) that report this measure.
    measure_pos : int
        Offset of the measure mention in ``scope``.
    lower_is_better : bool
        Polarity of the measure.

    Returns
    -------
    str | None
        ``improved``, ``no_difference``, ``worsened`` or None.
    """
    r = rules()
    sc = _screens()
    present = _index().present(fold(scope))  # the phrase literals in the scope, one pass
    if sc["no_difference"].may_match_present(present):
        for m in r["no_difference"].finditer(scope):
            if not OTHER_TOPIC.match(scope, m.end()):
                return "no_difference"
    if _all_nonsignificant(scope):
        return "no_difference"
    hits = []
    for kind in ("improved", "worsened", "decrease", "increase"):
        if not sc[kind].may_match_present(present):
            continue
        for m in r[kind].finditer(scope):
            hits.append((abs(m.start() - measure_pos), m.start(), m.end(), kind, m.group(0).lower()))
    if not hits:
        return None
    _, start, end, kind, word = min(hits)
    if kind == "improved":
        result = "improved"
    elif kind == "worsened":
        result = "worsened"
    else:
        better = (kind == "decrease") == lower_is_better
        result = "improved" if better else "worsened"
    if word in r["comparatives"] and _flip_for_control(scope, start, end):
        result = {"improved": "worsened", "worsened": "improved"}[result]
    return result
