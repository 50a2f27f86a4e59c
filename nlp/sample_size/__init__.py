"""Sample size: participants randomised, else enrolled, else analysed.

Counts are found per sentence (digits, spelled-out numbers such as
"forty-two", "N = 42") and given a basis from the sentence's verbs, following
the CONSORT flow-diagram vocabulary (Schulz et al. 2010, BMJ 340:c332: assessed
for eligibility -> randomised -> allocated -> analysed). Arm counts in one
sentence ("20 received ketamine and 22 placebo", "ketamine (n = 20) or placebo
(n = 22)") are summed, and so are lists of groups ("33 patients and 26 healthy
controls": PsyNamic counts every participant); a total followed by its arms is
not double counted, nor are subgroups ("of whom 43", "(62 men)") or group sizes
("each cohort will consist of 8"). Preclinical studies have no sample size;
reviews have their pooled participants when they state them ("10 trials with
2,087 patients"), never their number of studies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..matching.regex import Screen, fold
from ..resources import NLP_ROOT
from ..rules import RuleFile, load_rules
from ..sentences.index import SentenceIndex, background_sections, objective_sections

# "identified": a count in a sentence that only says how it was found ("we identified 536 patients"), the last resort
BASIS_RANK = {"randomised": 0, "enrolled": 1, "arms": 2, "analysed": 3, "planned": 4, "stated": 5, "identified": 6}


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int
    kind: str  # noun | n_equals | total | arm
    tail: int = -1  # end of the count's noun phrase (noun counts), else ``end``
    subset: bool = False  # part of a group named just before ("of whom 12", "(62 men)")
    pooled: bool = False  # an "N = x" after a number of studies ("21 RCTs (n = 3,463)") or "total N"
    control: bool = False  # a control group ("26 healthy controls", "controls (N = 27)")


@dataclass(frozen=True)
class SampleSize:
    value: int | None
    basis: str | None  # randomised | enrolled | arms | analysed | stated | planned | pooled | case_report
    start: int | None = None
    end: int | None = None
    sentence_index: int | None = None


@dataclass(frozen=True, kw_only=True)
class SampleSizeRules(RuleFile):
    """``resources/sample_size.json`` (see its description)."""

    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    participant_nouns: list[str]
    not_participants: list[str]
    max_modifiers: int
    modifier_blockers: list[str]
    basis_cues: list[tuple[str, str]]
    screening_cue: str
    arm_cue: str
    max_plausible: int
    no_sample_designs: list[str]
    planned_designs: list[str]
    arm_verbs: str
    arm_nouns: str
    subset_before: str
    per_group_before: str
    per_group_after: str
    list_gap: str
    review_pooled_participants: bool
    n_equals_not_after: list[str]
    participant_abbreviations: list[str]
    pooled_cue: str
    control_nouns: list[str]
    control_modifiers: list[str]
    control_compared_to: str
    groups_of_before: str
    group_number: str
    group_label: str
    max_groups: int
    crossover_cue: str
    subsample_verbs: str
    asa_class: str
    weak_screening_cue: str
    self_reference: str
    vague_scale_before: str


@lru_cache(maxsize=1)
def _cfg():
    data = load_rules(NLP_ROOT / "sample_size" / "resources" / "sample_size.json", SampleSizeRules)
    words = {**data.units, **data.tens}
    word_alt = "|".join(sorted(list(words) + list(data.scales), key=len, reverse=True))
    spelled = rf"(?:{word_alt})(?:(?:[- \u2010\u2011\u2012\u2013]|\s+and\s+)(?:{word_alt}))*"
    number = rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|{spelled})"
    nouns = "|".join(re.escape(n) for n in sorted(data.participant_nouns, key=len, reverse=True))
    blockers = set(data.modifier_blockers)
    block = "|".join(re.escape(b) for b in sorted(blockers, key=len, reverse=True))
    # "Sixty ASA physical status I or II patients": the anaesthesia risk class may hold "or"/"and"
    asa = rf"(?:\s+{data.asa_class})?"
    noun_re = re.compile(
        rf"(?<![\w.,/-]){number}{asa}(?P<mods>(?:\s+(?!(?:{block})\b)(?!\(?[\d.,]+\b)[\w()'/\u2010\u2011-]+,?(?:\s+and(?=\s+(?!(?:{block})\b)[a-z]))?){{0,{data.max_modifiers}}}?)\s+(?P<noun>{nouns})\b",
        re.IGNORECASE,
    )
    # case-sensitive: "21 Ss" (PsycINFO's "subjects"), "30 HC" - never "ss" inside words
    abbr = "|".join(re.escape(a) for a in sorted(data.participant_abbreviations, key=len, reverse=True))
    abbr_re = re.compile(rf"(?<![\w.,/-])(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<mods>)\s+(?P<noun>{abbr})\b")
    arm_re = re.compile(rf"(?<![\w.,/-]){number}\s+(?:(?:{nouns})\s+)?(?:{data.arm_verbs})\b", re.IGNORECASE)
    arm_next = re.compile(rf"\b(?:and|or|while|whereas|,|:|;)\s+{number}\s+(?:to\s+|with\s+|in\s+the\s+)?(?:{data.arm_nouns})\b", re.IGNORECASE)
    n_eq = re.compile(rf"(?<![\w])(?:n|N|total n|sample size)\s*(?:=|:)\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?![\d.])(?P<after>\s*(?:per|in each|each|/)\b)?", re.IGNORECASE)
    # "45 ecstasy, 48 cannabis and 40 legal drug users", "in 28, 23 and 28 healthy subjects": numbers sharing one noun
    bare = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{spelled})"
    # an item's words are modifiers, never participants, units or things counted ("8 sessions, and 12 patients")
    units = "|".join(re.escape(w) for w in sorted(data.not_participants, key=len, reverse=True))
    item = rf"{bare}(?:\s+(?!(?:{block}|{nouns}|{units}|year|month|week|day|hour|minute|session|dose|time|mg|ml|arms?|groups?|cohorts?|wards?|units?|clinics?)\b)[a-z][\w/'\u2010\u2011-]*){{0,3}}"
    shared = re.compile(
        rf"(?<![\w.,/-])(?P<items>{item}(?:\s*,\s*{item})*)\s*,?\s+and\s+(?P<last>{bare})(?P<mods>(?:\s+(?!(?:{block})\b)[a-z][\w/'()\u2010\u2011-]*){{0,4}}?)\s+(?P<noun>{nouns})\b",
        re.IGNORECASE)
    total = re.compile(rf"\b(?:a total of|total of|in total,?|overall,?)\s+{number}\b(?![.,]\d|\s*%|\s*per\s?cent)", re.IGNORECASE)
    bases = [(name, re.compile(p, re.IGNORECASE)) for name, p in data.basis_cues]
    return {
        "words": words,
        "scales": data.scales,
        "noun_re": noun_re,
        # the same patterns without IGNORECASE, run on the lower-cased sentence (nlp.matching.regex.fold):
        # identical matches (every literal in them is lower case), about twice as fast in ``re``
        "lower": {name: re.compile(p.pattern) for name, p in
                  (("noun_re", noun_re), ("arm_re", arm_re), ("arm_next", arm_next), ("total", total))},
        "abbr_re": abbr_re,
        "abbr_cues": tuple(" " + a for a in data.participant_abbreviations),
        "noun_set": frozenset(n.lower() for n in data.participant_nouns),
        "number": number,
        "arm_re": arm_re,
        "arm_next": arm_next,
        "n_eq": n_eq,
        "total": total,
        "blockers": blockers,
        "bases": bases,
        "screen": re.compile(data.screening_cue, re.IGNORECASE),
        # every count pattern needs a digit or a number word: sentences without one are skipped
        "digit": re.compile(r"\d"),
        "screens": {name: Screen(p.pattern, p.flags) for name, p in
                    (("arm_re", arm_re), ("n_eq", n_eq), ("total", total))},
        "number_words": tuple(w.lower() for w in list(words) + list(data.scales)),
        "arm": re.compile(data.arm_cue, re.IGNORECASE),
        "skip": background_sections() | objective_sections(),
        "max": int(data.max_plausible),
        "none_designs": frozenset(data.no_sample_designs),
        "planned_designs": frozenset(data.planned_designs),
        "not_participants": frozenset(data.not_participants),
        # the word before an "N = x" and whether a number comes just before it ("three separate studies (N = 73")
        "last_word": re.compile(r"((?:\d[\d,]*|\b(?:%s))\s+(?:[\w-]+\s+){0,2})?(\w+)\W{0,4}$" % "|".join(sorted(list(words) + list(data.scales))), re.IGNORECASE),
        "subset_before": re.compile(data.subset_before, re.IGNORECASE),
        "bracket_open": re.compile(r"(?:\s+[A-Za-z-]+){0,2}\s*\("),
        "pooled_cue": re.compile(data.pooled_cue, re.IGNORECASE),
        "n_equals_not_after": frozenset(data.n_equals_not_after),
        "per_group_before": re.compile(data.per_group_before, re.IGNORECASE),
        "per_group_after": re.compile(data.per_group_after, re.IGNORECASE),
        "list_gap": re.compile(data.list_gap, re.IGNORECASE),
        "review_pooled": bool(data.review_pooled_participants),
        "control_nouns": frozenset(data.control_nouns),
        # "Fourteen of 67 patients (21%) ... were randomly selected": the part is the sample
        "subsample": re.compile(rf"(?<![\w.,/-]){number}\s+(?:out\s+)?of\s+(?:the\s+)?(?P<whole>\d{{1,3}}(?:,\d{{3}})+|\d+|{spelled})\s+(?:[\w-]+\s+){{0,3}}?(?:{nouns})\b[^.;]{{0,80}}?\b{data.subsample_verbs}\b", re.IGNORECASE),
        "subsample_screen": Screen(data.subsample_verbs, re.IGNORECASE),
        "part_of": re.compile(rf"\b(?:of|out of|among)\s+(?:the\s+)?(?:\d+|{spelled})\s+(?:\w+\s+)?(?:patients|participants|subjects)\b", re.IGNORECASE),
        "crossover": re.compile(data.crossover_cue, re.IGNORECASE),
        "groups_of": re.compile(data.groups_of_before, re.IGNORECASE),
        "group_number": re.compile(data.group_number, re.IGNORECASE),
        "group_label": re.compile(data.group_label, re.IGNORECASE),
        "max_groups": int(data.max_groups),
        "compared_to": re.compile(data.control_compared_to, re.IGNORECASE),
        "control_modifiers": frozenset(data.control_modifiers),
        "shared": shared,
        "bare": re.compile(rf"(?<![\w./-])(?<!\d,){bare}(?!\w|[.,/]\d)", re.IGNORECASE),
        "vague_scale_before": re.compile(data.vague_scale_before, re.IGNORECASE),
        "list_next": re.compile(rf"\s*,?\s*(?:and\s+)?(?:\d|(?i:{spelled})\b)"),
        "weak_screen": re.compile(data.weak_screening_cue, re.IGNORECASE),
        "self_reference": re.compile(data.self_reference, re.IGNORECASE),
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
    for w in re.split(r"[\s\u2010-\u2013-]+", t):
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


def _defined_nouns(abbreviations) -> re.Pattern | None:
    """A pattern for counts of a participant group the abstract abbreviates.

    "schizophrenic volunteers (SVs) ... 18 NVs and 17 SVs": a short form
    defined in the text (Schwartz & Hearst, :mod:`nlp.abbreviations`) whose
    long form ends in a participant noun is a participant noun too. Matched
    case-sensitively, with an optional plural "s".

    Parameters
    ----------
    abbreviations : iterable of (short, long) pairs

    Returns
    -------
    re.Pattern or None
        None when no short form names participants.
    """
    nouns = _cfg()["noun_set"]
    shorts = sorted({
        short.rstrip("s") for short, long in abbreviations
        if long.split() and long.split()[-1].lower().strip("()") in nouns and len(short.rstrip("s")) >= 2
    }, key=len, reverse=True)
    if not shorts:
        return None
    alt = "|".join(re.escape(x) for x in shorts)
    return re.compile(rf"(?<![\w.,/-])(?i:{_cfg()['number']})(?P<mods>)\s+(?P<noun>(?:{alt})s?)\b")


def _counts(sentence: str, base: int, defined: re.Pattern | None = None, group_sizes: bool = False) -> list[Count]:
    """The participant counts of one sentence (``group_sizes``: only the
    per-group sizes, "each cohort will consist of 8 participants", which
    are otherwise dropped)."""
    cfg = _cfg()
    out: list[Count] = []
    folded = fold(sentence)
    if not cfg["digit"].search(sentence):
        if folded is not None and not any(w in folded for w in cfg["number_words"]):
            return out
    # each count pattern only where its required words occur (nlp.matching.regex.Screen)
    screens, seen = cfg["screens"], {}
    text, rx = (sentence, cfg) if folded is None else (folded, cfg["lower"])
    # the noun pattern runs unscreened: half the sentences pass its screen, which costs about what the search does
    pos = 0
    while (m := rx["noun_re"].search(text, pos)) is not None:
        # a rejected match may hide a count inside its modifiers ("Ten studies (647 participants)")
        pos = m.end() if (c := _noun_count(sentence, m, base)) is not None else m.end("num")
        if c is not None:
            out.append(c)
    if any(a in sentence for a in cfg["abbr_cues"]):
        for m in cfg["abbr_re"].finditer(sentence):
            if (c := _noun_count(sentence, m, base)) is not None:
                out.append(c)
    for m in defined.finditer(sentence) if defined is not None else ():
        if (c := _noun_count(sentence, m, base)) is not None:
            out.append(c)
    arm_hits = list(rx["arm_re"].finditer(text)) if screens["arm_re"].may_match(folded, seen) else []
    if arm_hits:
        for m in arm_hits + list(rx["arm_next"].finditer(text, arm_hits[0].end())):
            v = parse_number(m.group("num"))
            if v is not None and 0 < v <= cfg["max"]:
                out.append(Count(v, base + m.start("num"), base + m.end("num"), "arm", base + m.end()))
    for m in cfg["n_eq"].finditer(sentence) if screens["n_eq"].may_match(folded, seen) else ():
        if m.group("after"):
            continue
        # "records (N = 354)": not participants; but "12 studies (n = 600)" counts participants
        word = cfg["last_word"].search(sentence[max(0, m.start() - 60) : m.start()])
        studies = word is not None and word.group(2).lower() in cfg["n_equals_not_after"]
        if studies and not word.group(1):
            continue
        # "n = 25 studies": not participants
        nxt = sentence[m.end() : m.end() + 20].lower().split()[:1]
        if nxt and nxt[0].strip(",.;()") in cfg["not_participants"]:
            continue
        v = int(m.group("num").replace(",", ""))
        if 0 < v <= cfg["max"]:
            subset = bool(cfg["subset_before"].search(sentence[max(0, m.start() - 40) : m.start()]))
            # a review's pooled N: "21 RCTs (n = 3,463)", "a total N = 2,252"
            pooled = studies or m.group(0)[:5].lower() == "total"
            control = word is not None and word.group(2).lower() in cfg["control_nouns"]
            out.append(Count(v, base + m.start("num"), base + m.end("num"), "n_equals", base + m.end("num"), subset, pooled, control))
    for m in rx["total"].finditer(text) if screens["total"].may_match(folded, seen) else ():
        v = parse_number(m.group("num"))
        if v is not None and 0 < v <= cfg["max"]:
            # "a total of 3 infusions", "a total of two ketamine sessions": not participants
            after = sentence[m.end() : m.end() + 40].lower().split()[:3]
            if any(w.strip(",.;:()") in cfg["not_participants"] for w in after):
                continue
            out.append(Count(v, base + m.start("num"), base + m.end("num"), "total", base + m.end("num")))
    if " and " in sentence:
        for m in cfg["shared"].finditer(sentence):
            if (c := _shared_count(sentence, m, base)) is not None:
                out = [x for x in out if not (c.start <= x.start < c.tail)]
                out.append(c)
    if " of " in sentence and cfg["subsample_screen"].may_match(folded, seen) and (m := cfg["subsample"].search(sentence)) is not None:
        v = parse_number(m.group("num"))
        if v is not None and 0 < v <= cfg["max"]:
            whole = base + m.start("whole")
            out = [c for c in out if c.start != whole]
            out.append(Count(v, base + m.start("num"), base + m.end("num"), "noun", base + m.end("whole")))
    uniq: dict[tuple[int, int], Count] = {}
    for c in sorted(out, key=lambda c: (c.kind != "arm", c.kind != "noun")):
        first = uniq.setdefault((c.start, c.end), c)
        if c.pooled and not first.pooled:  # "21 studies (n = 437 receiving ketamine)" is also an arm match
            uniq[(c.start, c.end)] = replace(first, pooled=True)
    counts = sorted(uniq.values(), key=lambda c: c.start)
    if "each" in (folded or sentence.lower()):
        # "Each cohort will consist of 10 participants (8 on drug, 2 on placebo)": group sizes
        sizes = [c for c in counts if cfg["per_group_before"].search(sentence, 0, c.start - base)]
        if group_sizes:
            return sizes
        counts = [c for c in counts if c not in sizes]
    elif group_sizes:
        return []
    # "70 patients (62 men)", "64 patients (40 women and 24 men)": counts in brackets right after a group are part of it
    for i, prev in enumerate(counts):
        if prev.kind != "noun" or (m := cfg["bracket_open"].match(sentence, prev.tail - base)) is None:
            continue
        close = sentence.find(")", m.end())
        close = base + (close if close >= 0 else len(sentence))
        for j in range(i + 1, len(counts)):
            if counts[j].start >= close:
                break
            counts[j] = replace(counts[j], subset=True)
    return counts


def _noun_count(sentence: str, m: re.Match, base: int) -> Count | None:
    """The count of one ``noun_re`` match ("30 healthy volunteers"), or None
    when it is not a number of participants (ages, doses, per-group sizes,
    studies)."""
    cfg = _cfg()
    mods = m.group("mods").split()
    # one "and" joining two modifiers ("age- and sex-matched", "healthy and experienced") is no list
    joined = [k for k, w in enumerate(mods) if w.lower() == "and"]
    if len(joined) > 1 or (joined and joined[0] == 0):
        return None
    if any(w.lower().strip("(),") in cfg["blockers"] for k, w in enumerate(mods) if k not in joined):
        return None
    # a comma only between leading adjectives ("twelve healthy, male volunteers"), not across clauses
    # ("one case report, reported patients")
    if any(w.endswith(",") for w in mods[1:]) or (mods and mods[0].endswith(",") and len(mods) > 3):
        return None
    if any(w.lower().strip("(),") in cfg["not_participants"] for w in mods):
        return None
    # "aged 18-65 patients", "2 of 20 patients" handled by blockers; skip ages and years
    before = sentence[max(0, m.start() - 12) : m.start()].lower()
    if re.search(r"(?:aged?|mean|median|\bp|score|day|week|month|year|phase|visit)\s*[:=]?\s*$", before):
        return None
    if re.search(r"[-–]\s*$", before) or before.endswith("/"):
        return None
    # "10 patients per group": a group size
    if cfg["per_group_after"].match(sentence, m.end()):
        return None
    v = parse_number(m.group("num"))
    if v is None or v == 0 or v > cfg["max"]:
        return None
    before = sentence[max(0, m.start() - 40) : m.start()]
    if m.group("num").lower() in cfg["scales"] and cfg["vague_scale_before"].search(before):
        return None
    # "two groups of 12 volunteers": 24
    if (g := cfg["groups_of"].search(before)) and (k := parse_number(g.group(1))) and not cfg["list_next"].match(sentence, m.end()):
        v *= k
    subset = bool(cfg["subset_before"].search(before))
    control = m.group("noun").lower() in cfg["control_nouns"] or any(
        w.lower().strip("(),") in cfg["control_modifiers"] or w.lower().endswith("-matched") for w in mods)
    return Count(v, base + m.start("num"), base + m.end("num"), "noun", base + m.end(), subset, control=control)


def _shared_count(sentence: str, m: re.Match, base: int) -> Count | None:
    """The sum of a list of numbers sharing one participant noun ("30 current and 31
    former users"), or None when the list holds years, or a number that is not a count."""
    cfg = _cfg()
    values = [parse_number(x.group(0)) for x in cfg["bare"].finditer(m.group("items"))]
    values.append(parse_number(m.group("last")))
    if len(values) < 2 or any(v is None or v == 0 for v in values) or any(1900 <= v <= 2100 for v in values):
        return None
    # the noun pattern's checks (ages, doses, per-group sizes) on the last number and its noun
    last = cfg["noun_re"].match(sentence, m.start("last"))
    if last is None or last.end() != m.end() or _noun_count(sentence, last, base) is None:
        return None
    total = sum(values)
    if total > cfg["max"]:
        return None
    before = sentence[max(0, m.start() - 40) : m.start()]
    return Count(total, base + m.start(), base + m.end("last"), "noun", base + m.end(), bool(cfg["subset_before"].search(before)))


def _basis(sentence: str, planned: bool = True) -> str:
    """The basis named by the first matching cue of ``basis_cues``; ``planned``
    false skips the future-tense cue (a protocol's counts are all plans)."""
    for name, pattern in _cfg()["bases"]:
        if (planned or name != "planned") and pattern.search(sentence):
            return name
    return "stated"


def _total_of_parts(counts: list[Count]) -> int | None:
    """A count equal to the sum of the two or more counts right after it
    ("Forty subjects were randomised to A (n = 19) or B (n = 21)"): the total
    followed by its arms, CONSORT's usual order (item 13a)."""
    for i, c in enumerate(counts[:-2]):
        acc = 0
        for j in range(i + 1, len(counts)):
            acc += counts[j].value
            if acc >= c.value:
                if acc == c.value and j > i + 1:
                    return c.value
                break
    return None


def _group_list(sentence: str, base: int, counts: list[Count]) -> list[Count]:
    """The longest run of participant-noun counts joined only by "and" or
    commas ("51 users, 49 ex-users and 100 healthy controls", "33 patients with
    MDD and 26 healthy controls"): disjoint groups of one sample."""
    gap = _cfg()["list_gap"]
    best: list[Count] = []
    run: list[Count] = []
    for c in counts:
        if c.kind == "noun" and run and gap.fullmatch(sentence, run[-1].tail - base, c.start - base):
            run.append(c)
        else:
            run = [c] if c.kind == "noun" else []
        if len(run) > len(best):
            best = list(run)
    return best if len(best) >= 2 else []


def _arms_sum(sentence: str, counts: list[Count], base: int = 0) -> int | None:
    """Total of the group sizes when a sentence lists two or more groups.

    Parameters
    ----------
    sentence : str
        The sentence the counts come from.
    counts : list of Count
        Its counts in text order (offsets ``base`` + position in ``sentence``).
    base : int
        Offset of the sentence in the document.

    Returns
    -------
    int or None
        The sum of a list of groups ("20 patients and 20 healthy controls";
        PsyNamic counts every participant, controls too), else the count that
        equals the sum of the ones right after it (a total with its arms),
        else the count that equals the sum of the others, else the sum of the
        arms ("20 received ketamine and 22 placebo", "(n = 20) or (n = 22)");
        None when the counts are not arms ("12 of 20 patients responded").
        Counts marked ``subset`` ("of whom 43", "(62 men)") are never arms.
    """
    cfg = _cfg()
    if len(counts) < 2:
        return None
    whole = [c for c in counts if not c.subset]
    listed = _group_list(sentence, base, whole)
    if listed:
        # "30 patients, 20 boys and 10 girls": the list opens with its total
        listed_sum = _total_of_parts(listed) or sum(c.value for c in listed)
        if not any(c.value >= listed_sum for c in whole if c not in listed):
            return listed_sum
    total = _total_of_parts(counts)
    if total is not None:
        return total
    counts = whole
    if len(counts) < 2:
        return None
    values = [c.value for c in counts]
    total = sum(values)
    # a total and its parts needs three counts: two equal counts are two equal groups ("smokers (N = 38) and non-smokers (N = 38)")
    for v in values if len(values) > 2 else ():
        if 2 * v == total:
            return v
    if any(c.kind == "total" for c in counts):
        return None
    if cfg["crossover"].search(sentence):
        # "placebo (n = 19) followed by psilocybin (n = 15)": the same people in every condition
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
    # "12 of 20 patients responded": a part and its whole (a number must follow "of": not "of psychotic patients")
    if len(arms) == 2 and cfg["part_of"].search(sentence):
        return None
    return arm_sum


def estimate(index: SentenceIndex, design: str, abbreviations=()) -> SampleSize:
    """Sample size of one article.

    Parameters
    ----------
    index : SentenceIndex
        Sentences and sections of the document.
    design : str
        The article's design. Preclinical studies get None; reviews get
        their pooled participants (basis ``pooled``) when the abstract
        states them and ``review_pooled_participants`` is on, else None.
    abbreviations : iterable of (short, long) pairs
        Short forms defined in the text; one whose long form ends in a
        participant noun counts as one ("17 SVs", :func:`_defined_nouns`).

    Returns
    -------
    SampleSize
        ``value`` None when not stated (or not applicable).
    """
    cfg = _cfg()
    # a review's pooled participants when it states them (PsyNamic bands these; "12 trials" is not a count)
    pooled = design == "review" and cfg["review_pooled"]
    if design in cfg["none_designs"] and not pooled:
        return SampleSize(None, None)
    defined = _defined_nouns(abbreviations) if abbreviations else None
    best: tuple | None = None  # (control only, rank, -value, start, end, sentence)
    controls: dict[int, int] = {}  # sentence -> largest control-group count in it
    skipped: list[int] = []
    for i in range(len(index.spans)):
        if index.sections[i] in cfg["skip"]:
            skipped.append(i)
            continue
        best = _consider(index, i, design, pooled, defined, best, controls)
    if best is None:
        # "OBJECTIVE: ... in recreational users (n = 18)", "BACKGROUND: ... Here, we studied 10 patients":
        # a background or objective sentence about this study, when no other sentence has a count
        for i in skipped:
            s, e = index.spans[i]
            if cfg["self_reference"].search(index.text, s, e):
                best = _consider(index, i, design, pooled, defined, best, controls)
    if best is None and not pooled and (groups := _groups_total(index, defined)) is not None:
        value, cs, ce, i = groups
        return SampleSize(value, "planned" if design in cfg["planned_designs"] else "arms", cs, ce, i)
    if best is None:
        if design == "case_report":
            return SampleSize(1, "case_report")
        return SampleSize(None, None)
    _, rank, negv, cs, ce, i = best
    if controls and i not in controls and not pooled:
        # "patients (N = 23) underwent ..." + "matched controls (N = 27)": PsyNamic counts every participant
        negv -= max(controls.values())
    basis = next(k for k, r in BASIS_RANK.items() if r == rank)
    if design in cfg["planned_designs"]:
        basis = "planned"
    elif pooled:
        basis = "pooled"
    elif basis == "identified":
        basis = "stated"
    return SampleSize(-negv, basis, cs, ce, i)


def _groups_total(index: SentenceIndex, defined) -> tuple[int, int, int, int] | None:
    """Groups × their common size, when the abstract counts participants only per group.

    Dose-escalation and multi-arm protocols often state the size of each
    group and the number of groups apart: "single doses of 25 mg (Cohort 1),
    50 mg (Cohort 2) and 100 mg (Cohort 3) ... Each cohort will consist of 8
    participants" is 3 × 8 = 24 participants (CONSORT item 7a: the planned
    sample size is the whole trial's). The number of groups is the largest
    one stated ("three cohorts", ``group_number``) or enumerated ("Cohort
    3", ``group_label``); without it the group size alone is no sample size.

    Parameters
    ----------
    index : SentenceIndex
        Sentences and sections of the document.
    defined : re.Pattern or None
        Participant abbreviations defined in the text (see :func:`_defined_nouns`).

    Returns
    -------
    tuple of (int, int, int, int) or None
        The total, the character span of the group size and its sentence
        index; None when no sentence states a per-group size or the number
        of groups is not stated.
    """
    cfg = _cfg()
    size = None
    for i, (s, e) in enumerate(index.spans):
        if index.sections[i] in cfg["skip"]:
            continue
        sizes = _counts(index.text[s:e], s, defined, group_sizes=True)
        if sizes:
            size = (sizes[0], i)
            break
    if size is None:
        return None
    groups = [parse_number(m.group(1)) for m in cfg["group_number"].finditer(index.text)]
    groups += [int(m.group(1)) for m in cfg["group_label"].finditer(index.text)]
    k = max((g for g in groups if g is not None and 2 <= g <= cfg["max_groups"]), default=None)
    if k is None or k * size[0].value > cfg["max"]:
        return None
    return k * size[0].value, size[0].start, size[0].end, size[1]


def _consider(index: SentenceIndex, i: int, design: str, pooled: bool, defined, best, controls: dict):
    """``best`` updated with the candidate counts of sentence ``i`` (``controls`` too)."""
    cfg = _cfg()
    s, e = index.spans[i]
    sentence = index.text[s:e]
    counts = _counts(sentence, s, defined)
    if pooled and counts:
        # a review's own counts: participants pooled over its studies, never studies, records or subgroups
        counts = [c for c in counts if not c.subset and (c.kind in ("noun", "arm") or c.pooled)] if cfg["pooled_cue"].search(sentence) else []
    if not counts:
        return best
    for c in counts:
        # "results were compared to healthy controls (n = 22)": outside data, not part of the sample
        if c.control and not c.subset and not cfg["compared_to"].search(sentence, 0, c.start - s):
            controls[i] = max(controls.get(i, 0), c.value)
    screening = bool(cfg["screen"].search(sentence))
    basis = _basis(sentence, design not in cfg["planned_designs"])
    if not screening and basis != "randomised" and cfg["weak_screen"].search(sentence):
        basis = "identified"
    arms = _arms_sum(sentence, counts, s)
    candidates: list[tuple[str, int, int, int, bool]] = []
    if arms is not None:
        candidates.append(("randomised" if basis == "randomised" else "planned" if basis == "planned" else "arms", arms, counts[0].start, counts[-1].end, False))
    else:
        for c in counts:
            if screening and basis != "randomised":
                continue
            candidates.append((basis, c.value, c.start, c.end, c.control and not c.subset))
    if screening and arms is None and basis == "randomised":
        # "Of 120 screened, 60 were randomised": the smaller count is the randomised one
        candidates = [min(candidates, key=lambda x: x[1])] if candidates else []
    for b, v, cs, ce, control in candidates:
        # a control group alone is not the sample when another sentence counts the rest ("10 polydrug controls were included")
        key = (control, BASIS_RANK[b], -v, cs, ce, i)
        if best is None or key < best:
            best = key
    return best
