"""Direction of an outcome result and the numbers that report it.

Precedence (phrases in ``resources/direction_rules.json``):

1. a no-difference phrase in the measure's scope ("no significant
   difference", "did not reduce", "comparable") -> ``no_difference``;
2. p-values in the scope that are all >= 0.05 -> ``no_difference``
   (a change word with "p = 0.34" is not a result; Boutron et al. 2010);
3. a difference "favouring" an arm: the ketamine arm -> ``improved``, the
   control arm -> ``worsened``;
4. one value per arm with a significant p-value ("18.2 with esketamine and
   22.9 with placebo, p = 0.01"): the arm with the lower value, read through
   the measure's polarity (``lower_is_better`` in ``measures.json``); the
   values of a change noun ("a reduction of 12 vs 5 points") are sizes of
   improvement (:func:`arm_values`);
5. the change word nearest to the measure: explicit improvement/worsening
   words as such; decrease/increase words through the measure's polarity
   (a decrease on a lower-is-better scale is an improvement); a comparative
   on a change noun ("a greater reduction in MADRS", "the change in MADRS
   was larger") compares the size of the improvement; comparatives are
   flipped when the control arm is their subject ("pain scores were higher
   with placebo"), not when it is the reference ("lower than those of the
   control group", "superior to placebo");
6. otherwise None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.matching.regex import Alternation, LiteralIndex, fold
from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")

P_VALUE = re.compile(r"(?<![\w])p\s*(?:-?value\s*)?(<=|>=|≤|≥|<|>|=|&lt;|&gt;)\s*(0?\.\d+|1(?:\.0+)?|0)(?!\d|\.\d)", re.I)
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


@dataclass(frozen=True, kw_only=True)
class DirectionRules(RuleFile):
    """``resources/direction_rules.json``: phrases of a result's direction (see module docstring)."""

    no_difference: list[str]
    improved: list[str]
    worsened: list[str]
    decrease: list[str]
    increase: list[str]
    comparatives: list[str]
    control_arm: list[str]
    active_arm: list[str]
    favours: list[str]
    change_nouns: list[str]
    change_verbs: list[str]


@lru_cache(maxsize=1)
def rules() -> dict:
    """Compiled direction phrases (see module docstring)."""
    raw = load_rules(RESOURCES / "direction_rules.json", DirectionRules)

    def alt(key: str) -> re.Pattern:
        return re.compile(r"(?<![\w-])(?:" + "|".join(getattr(raw, key)) + r")(?![\w])", re.I)

    return {
        "no_difference": alt("no_difference"),
        "improved": alt("improved"),
        "worsened": alt("worsened"),
        "decrease": alt("decrease"),
        "increase": alt("increase"),
        "comparatives": {w.lower() for w in raw.comparatives},
        "control": alt("control_arm"),
        "active": alt("active_arm"),
        "favours": re.compile(r"(?<![\w-])(?:" + "|".join(raw.favours) + r")\s+(?:the\s+)?", re.I),
        "change_noun": re.compile(r"(?<![\w-])(?:" + "|".join(raw.change_nouns) + r")(?:\s+from\s+baseline)?\s+(?:in|of)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I),
        "change_before": re.compile(r"(?<![\w-])(" + "|".join(raw.change_nouns) + r"|(?:" + "|".join(raw.change_verbs) + r")\s+by)(?![\w])", re.I),
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


# the arm a comparison is made against: "than (in) the placebo group", "compared with
# those receiving saline", "superior to placebo" (the "to" right after the comparative)
_REFERENCE = re.compile(r"(?:^\s*to|than|versus|vs\.?|compared (?:with|to)|relative to|over|against)\s+(?:the\s+|with\s+|in\s+(?:the\s+)?|"
                        r"(?:those|that|patients|participants)\s+(?:of|in|with|receiving|given)\s+(?:the\s+)?)?(?:\S+\s+){0,2}$", re.I)


def _arms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, "active" | "control") of the arm names in ``text``, in order."""
    r = rules()
    return sorted([(m.start(), m.end(), "control") for m in r["control"].finditer(text)]
                  + [(m.start(), m.end(), "active") for m in r["active"].finditer(text)])


def _flip_for_control(scope: str, w_start: int, w_end: int) -> bool:
    after = scope[w_end:]
    arms = _arms(after)
    if arms:
        pos, _, arm = arms[0]
        is_reference = _REFERENCE.search(after[:pos])
        return arm == ("active" if is_reference else "control")
    before = scope[:w_start]
    for pos, _, arm in _arms(before):
        if _REFERENCE.search(before[:pos]) and not before[:pos].rstrip().lower().endswith("to"):
            continue
        return arm == "control"
    return False


_NUMBER = r"(-?\d+(?:\.\d+)?)"
_SPREAD = r"(?:\s*(?:±|\+/-)\s*\d+(?:\.\d+)?)?(?:\s*%)?(?:\s*points?)?(?:\s*\([^()]{0,40}\))?"
# "18.2 for esketamine", "22.9 (SD 4.1) in the placebo group"
_VALUE_ARM = re.compile(_NUMBER + _SPREAD + r"\s*(?:for|in|with|on|after|under)\s+(?:the\s+)?(?=\S)", re.I)
# "esketamine group: 18.2", "placebo (22.9)", "the ketamine arm, 10.1"
_ARM_VALUE = re.compile(r"(?:\s+(?:group|arm|patients))?(?:\s*(?:\(\s*(?:mean\s*)?|:|,|=)\s*|\s+)" + _NUMBER
                        + r"(?!\s*(?:mg|µg|μg|mcg|ug|ml|g|kg|mmol|iu)\b)(?![\d.])", re.I)


def arm_values(scope: str) -> dict[str, float]:
    """One value per arm ("active", "control") reported in ``scope``, when each arm has exactly one.

    Parameters
    ----------
    scope : str

    Returns
    -------
    dict[str, float]
        Empty unless both arms have one value each.
    """
    found: dict[str, list[float]] = {"active": [], "control": []}
    arms = _arms(scope)
    starts = {s: arm for s, _, arm in arms}
    for m in _VALUE_ARM.finditer(scope):
        arm = starts.get(m.end())
        if arm is not None:
            found[arm].append(float(m.group(1)))
    if not (found["active"] and found["control"]):
        for s, e, arm in arms:
            m = _ARM_VALUE.match(scope, e)
            if m is not None:
                found[arm].append(float(m.group(1)))
    if len(found["active"]) == 1 and len(found["control"]) == 1:
        return {k: v[0] for k, v in found.items()}
    return {}


def _numeric_direction(scope: str, lower_is_better: bool) -> str | None:
    """Direction from the arms' values (see :func:`arm_values`): the arm with the lower
    value read through the scale's polarity; the values of a change noun ("a reduction
    of 12 points with ketamine and 5 with placebo") are sizes of improvement."""
    digit = _DIGIT.search(scope)
    if digit is None or not _any_significant(scope):
        return None
    values = arm_values(scope)
    if not values or values["active"] == values["control"]:
        return None
    first_digit = digit.start()
    noun = None
    for m in rules()["change_before"].finditer(scope, 0, first_digit):
        noun = m.group(1).lower()
    if noun is not None and not noun.startswith("change"):
        better = values["active"] > values["control"]  # size of the reduction / improvement
    elif noun is not None and min(values.values()) >= 0:
        return None  # "change of 12 vs 8": its sign is not written
    else:
        better = (values["active"] < values["control"]) == lower_is_better
    return "improved" if better else "worsened"


def _favoured(scope: str) -> str | None:
    """``improved`` / ``worsened`` when the scope says the difference favours the ketamine / control arm."""
    r = rules()
    for m in r["favours"].finditer(scope):
        arms = _arms(scope[m.end(): m.end() + 40])
        if arms and arms[0][0] == 0:
            return "improved" if arms[0][2] == "active" else "worsened"
    return None


_COMPARATIVE_BEFORE = re.compile(r"(?<![\w-])(greater|larger|bigger|more|smaller|less|lesser)\s+(?:[\w-]+\s+)?$", re.I)


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
    favoured = _favoured(scope)
    if favoured is not None:
        return favoured
    numeric = _numeric_direction(scope, lower_is_better)
    if numeric is not None:
        return numeric
    hits = []
    for kind in ("improved", "worsened", "decrease", "increase"):
        if not sc[kind].may_match_present(present):
            continue
        for m in r[kind].finditer(scope):
            hits.append((abs(m.start() - measure_pos), m.start(), m.end(), kind, m.group(0).lower()))
    if not hits:
        return None
    _, start, end, kind, word = min(hits)
    if kind in ("decrease", "improved") and not word.endswith("ed"):
        # "a greater reduction in MADRS", "smaller improvement": the comparative is the result
        m = _COMPARATIVE_BEFORE.search(scope, 0, start)
        if m is not None:
            start, end, word = m.start(1), m.end(1), m.group(1).lower()
            kind = "increase" if word in ("greater", "larger", "bigger", "more") else "decrease"
    if kind == "improved":
        result = "improved"
    elif kind == "worsened":
        result = "worsened"
    elif word in r["comparatives"] and r["change_noun"].search(scope, 0, measure_pos) or word == "lesser":
        # "a greater reduction in / change in MADRS": the size of the change is compared
        result = "improved" if kind == "increase" else "worsened"
    else:
        better = (kind == "decrease") == lower_is_better
        result = "improved" if better else "worsened"
    if word in r["comparatives"] and _flip_for_control(scope, start, end):
        result = {"improved": "worsened", "worsened": "improved"}[result]
    return result
