"""Sample size: participants randomised, else enrolled, else analysed.

Counts are found per sentence (digits, spelled-out numbers such as
"forty-two", "N = 42") and given a basis from the sentence's verbs, following
the CONSORT flow-diagram vocabulary (Schulz et al. 2010, BMJ 340:c332: assessed
for eligibility -> randomised -> allocated -> analysed). Arm counts in one
sentence ("20 received ketamine and 22 placebo", "ketamine (n = 20) or placebo
(n = 22)") are summed. Reviews and preclinical studies have no sample size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..resources import load_json
from ..resources.regex import Screen, fold
from ..sentences.index import SentenceIndex

BASIS_RANK = {"randomised": 0, "enrolled": 1, "arms": 2, "analysed": 3, "stated": 4}


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int
    kind: str  # noun | n_equals | total


@dataclass(frozen=True)
class SampleSize:
    value: int | None
    basis: str | None  # randomised | enrolled | arms | analysed | stated | planned | case_report
    start: int | None = None
    end: int | None = None
    sentence_index: int | None = None


@lru_cache(maxsize=1)
def _cfg():
    data = load_json("sample_size/resources/sample_size.json")
    words = {**data["units"], **data["tens"]}
    word_alt = "|".join(sorted(list(words) + list(data["scales"]), key=len, reverse=True))
    spelled = rf"(?:{word_alt})(?:(?:[- ]|\s+and\s+)(?:{word_alt}))*"
    number = rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|{spelled})"
    nouns = "|".join(re.escape(n) for n in sorted(data["participant_nouns"], key=len, reverse=True))
    blockers = set(data["modifier_blockers"])
    block = "|".join(re.escape(b) for b in sorted(blockers, key=len, reverse=True))
    noun_re = re.compile(
        rf"(?<![\w.,/-]){number}(?P<mods>(?:\s+(?!(?:{block})\b)(?![\d.,]+\b)[\w()'/-]+){{0,{data['max_modifiers']}}}?)\s+(?P<noun>{nouns})\b",
        re.IGNORECASE,
    )
    arm_re = re.compile(rf"(?<![\w.,/-]){number}\s+(?:{nouns}\s+)?(?:{data['arm_verbs']})\b", re.IGNORECASE)
    arm_next = re.compile(rf"\b(?:and|or|while|whereas|,)\s+{number}\s+(?:to\s+|with\s+|in\s+the\s+)?(?:{data['arm_nouns']})\b", re.IGNORECASE)
    n_eq = re.compile(rf"(?<![\w])(?:n|N|total n|sample size)\s*(?:=|:)\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?![\d.])(?P<after>\s*(?:per|in each|each|/)\b)?", re.IGNORECASE)
    total = re.compile(rf"\b(?:a total of|total of|in total,?|overall,?)\s+{number}\b", re.IGNORECASE)
    bases = [(name, re.compile(p, re.IGNORECASE)) for name, p in data["basis_cues"]]
    return {
        "words": words,
        "scales": data["scales"],
        "noun_re": noun_re,
        "arm_re": arm_re,
        "arm_next": arm_next,
        "n_eq": n_eq,
        "total": total,
        "blockers": blockers,
        "bases": bases,
        "screen": re.compile(data["screening_cue"], re.IGNORECASE),
        # every count pattern needs a digit or a number word: sentences without one are skipped
        "digit": re.compile(r"\d"),
        "screens": {name: Screen(p.pattern, p.flags) for name, p in
                    (("noun_re", noun_re), ("arm_re", arm_re), ("n_eq", n_eq), ("total", total))},
        "number_words": tuple(w.lower() for w in list(words) + list(data["scales"])),
        "arm": re.compile(data["arm_cue"], re.IGNORECASE),
        "skip": frozenset(data["skip_sections"]),
        "max": int(data["max_plausible"]),
        "none_designs": frozenset(data["no_sample_designs"]),
        "planned_designs": frozenset(data["planned_designs"]),
        "not_participants": frozenset(data["not_participants"]),
    }


def parse_number(text: str) -> int | None:
    """Integer value of digits ("1,204") or English number words ("forty-two",
    "one hundred and twenty"); None if it is neither."""
    cfg = _cfg()
    t = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", t):
        return int(t.replace(",", ""))
    total, current = 0, 0
    seen = False
    for w in re.split(r"[\s-]+", t):
        if w == "and" or not w:
            continue
        if w in cfg["words"]:
            current += cfg["words"][w]
            seen = True
        elif w in cfg["scales"]:
            scale = cfg["scales"][w]
            current = max(current, 1) * scale
            if scale >= 1000:
                total += current
                current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


def _counts(sentence: str, base: int) -> list[Count]:
    cfg = _cfg()
    out: list[Count] = []
    folded = fold(sentence)
    if not cfg["digit"].search(sentence):
        if folded is not None and not any(w in folded for w in cfg["number_words"]):
            return out
    # each count pattern only where its required words occur (nlp.resources.regex.Screen)
    screens, seen = cfg["screens"], {}
    noun_hits = cfg["noun_re"].finditer(sentence) if screens["noun_re"].may_match(folded, seen) else ()
    for m in noun_hits:
        mods = m.group("mods").split()
        if any(w.lower().strip("(),") in cfg["blockers"] for w in mods):
            continue
        if any(w.lower().strip("(),") in cfg["not_participants"] for w in mods):
            continue
        if any(re.fullmatch(r"[\d.,]+", w) for w in mods):
            continue
        # "aged 18-65 patients", "2 of 20 patients" handled by blockers; skip ages and years
        before = sentence[max(0, m.start() - 12) : m.start()].lower()
        if re.search(r"(?:aged?|mean|median|\bp|score|day|week|month|year|phase|visit)\s*[:=]?\s*$", before):
            continue
        if re.search(r"[-–]\s*$", before) or before.endswith("/"):
            continue
        v = parse_number(m.group("num"))
        if v is None or v == 0 or v > cfg["max"]:
            continue
        out.append(Count(v, base + m.start("num"), base + m.end("num"), "noun"))
    arm_hits = list(cfg["arm_re"].finditer(sentence)) if screens["arm_re"].may_match(folded, seen) else []
    if arm_hits:
        for m in arm_hits + list(cfg["arm_next"].finditer(sentence, arm_hits[0].end())):
            v = parse_number(m.group("num"))
            if v is not None and 0 < v <= cfg["max"]:
                out.append(Count(v, base + m.start("num"), base + m.end("num"), "arm"))
    for m in cfg["n_eq"].finditer(sentence) if screens["n_eq"].may_match(folded, seen) else ():
        if m.group("after"):
            continue
        v = int(m.group("num").replace(",", ""))
        if 0 < v <= cfg["max"]:
            out.append(Count(v, base + m.start("num"), base + m.end("num"), "n_equals"))
    for m in cfg["total"].finditer(sentence) if screens["total"].may_match(folded, seen) else ():
        v = parse_number(m.group("num"))
        if v is not None and 0 < v <= cfg["max"]:
            # "a total of 3 infusions" - require no non-participant noun right after
            after = sentence[m.end() : m.end() + 20].lower().split()
            if after and after[0].strip(",.;") in cfg["not_participants"]:
                continue
            out.append(Count(v, base + m.start("num"), base + m.end("num"), "total"))
    uniq: dict[tuple[int, int], Count] = {}
    for c in sorted(out, key=lambda c: c.kind != "arm"):
        uniq.setdefault((c.start, c.end), c)
    return sorted(uniq.values(), key=lambda c: c.start)


def _basis(sentence: str) -> str:
    for name, pattern in _cfg()["bases"]:
        if pattern.search(sentence):
            return name
    return "stated"


def _arms_sum(sentence: str, counts: list[Count]) -> int | None:
    """Total of the arm sizes when a sentence lists two or more groups.

    Returns the count that equals the sum of the others when the sentence gives
    both a total and its arms ("42 patients ... (n = 20) or (n = 22)"), the sum
    of the arms when no total is given, and None when the counts are not arms
    ("12 of 20 patients responded").
    """
    cfg = _cfg()
    if len(counts) < 2:
        return None
    values = [c.value for c in counts]
    total = sum(values)
    for v in values:
        if 2 * v == total:
            return v
    if any(c.kind == "total" for c in counts):
        return None
    n_eq = [c for c in counts if c.kind == "n_equals"]
    arm = [c for c in counts if c.kind == "arm"]
    if len(n_eq) >= 2:
        arms = n_eq
    elif len(arm) >= 2:
        arms = arm
    elif cfg["arm"].search(sentence):
        arms = [c for c in counts if c.kind == "noun"]
    else:
        return None
    if len(arms) < 2:
        return None
    arm_sum = sum(c.value for c in arms)
    others = [c.value for c in counts if c not in arms]
    if others and max(others) >= arm_sum:
        return None
    if len(arms) == 2 and re.search(r"\b(?:of|out of|among)\s+(?:the\s+)?(?:\d+|\w+)\s+(?:\w+\s+)?(?:patients|participants|subjects)\b", sentence, re.IGNORECASE):
        return None
    return arm_sum


def estimate(index: SentenceIndex, design: str) -> SampleSize:
    """Sample size of one article.

    Parameters
    ----------
    index : SentenceIndex
        Sentences and sections of the document.
    design : str
        The article's design; reviews and preclinical studies get None.

    Returns
    -------
    SampleSize
        ``value`` None when not stated (or not applicable).
    """
    cfg = _cfg()
    if design in cfg["none_designs"]:
        return SampleSize(None, None)
    best: tuple[int, int, int, int, int, int] | None = None  # (rank, -value, start, end, sentence)
    for i, (s, e) in enumerate(index.spans):
        if index.sections[i] in cfg["skip"]:
            continue
        sentence = index.text[s:e]
        counts = _counts(sentence, s)
        if not counts:
            continue
        screening = bool(cfg["screen"].search(sentence))
        basis = _basis(sentence)
        arms = _arms_sum(sentence, counts)
        candidates: list[tuple[str, int, int, int]] = []
        if arms is not None:
            candidates.append(("randomised" if basis == "randomised" else "arms", arms, counts[0].start, counts[-1].end))
        else:
            for c in counts:
                if screening and basis != "randomised":
                    continue
                candidates.append((basis, c.value, c.start, c.end))
        if screening and arms is None and basis == "randomised":
            # "Of 120 screened, 60 were randomised": the smaller count is the randomised one
            candidates = [min(candidates, key=lambda x: x[1])] if candidates else []
        for b, v, cs, ce in candidates:
            key = (BASIS_RANK[b], -v, cs, ce, i)
            if best is None or key < best:
                best = key
    if best is None:
        if design == "case_report":
            return SampleSize(1, "case_report")
        return SampleSize(None, None)
    rank, negv, cs, ce, i = best
    basis = next(k for k, r in BASIS_RANK.items() if r == rank)
    if design in cfg["planned_designs"]:
        basis = "planned"
    return SampleSize(-negv, basis, cs, ce, i)
