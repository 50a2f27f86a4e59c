"""The authors' verdict on ketamine's benefit: positive, null, negative, mixed, not_applicable.

Method (phrases in ``resources/efficacy_rules.json``):

1. No efficacy question -> not_applicable: a study protocol (future tense:
   "will be randomized"), a conference abstract whose results "will be
   presented", a title naming a healthy-volunteer, user, survey or
   methodological study, or a title naming only harms (adverse events,
   tolerability, cardiovascular effects) without an efficacy word. A review
   is not_applicable unless ``review_verdict`` is set (see the rules file:
   the ketamine gold guideline and PsyNamic disagree on reviews).
2. A title naming a mechanism, predictor or biomarker study: the verdict
   comes from the treatment effects its results state as findings ("ketamine
   significantly decreased MADRS scores"; :func:`result_claims`); none ->
   not_applicable. The conclusion of such a study is about the mechanism.
3. Conclusion sentences: after a CONCLUSION(S)/INTERPRETATION heading, or
   opened by a conclusion phrase ("we conclude", "these findings suggest"),
   else the last two sentences; back matter (trial registration, funding,
   copyright lines) is cut off first. Each is scored for positive, null and
   negative claims (see :func:`claim`); a contrast ("but not", "however ...
   did not") or claims of two kinds in different sentences make it mixed,
   and so does a positive claim weighed against harms ("at the expense of
   adverse outcomes").
4. A null result for the primary outcome anywhere ("the primary endpoint
   was not met"; :func:`primary_null`) makes a conclusion without a claim
   null and a positive one mixed.
5. An unstructured abstract whose conclusion sentences make no claim is
   read in its last four sentences (:func:`tail_sentences`).
6. Without a claim, result sentences are read through the directions of
   efficacy outcomes from :func:`nlp.outcomes.extract_outcomes` (all
   improved -> positive, all no_difference -> null; improved in at least
   half of them -> positive, in fewer -> mixed). Only worsened outcomes and
   no claim -> not_applicable: that is how harm and recreational-use studies
   read, not a trial's negative verdict (on PsyNamic every such "negative"
   was wrong: 2 of 2 on the study half, 4 of 4 on the check half).
7. No claim at all, or only claims in a no-efficacy context (healthy
   volunteers, pharmacokinetics, animal work without a treatment claim)
   -> not_applicable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.adverse_events.extract import as_document, title_end
from nlp.outcomes.direction import OTHER_TOPIC
from nlp.matching.regex import Alternation, LiteralIndex, fold
from nlp.rules import RuleFile, load_rules

RESOURCES = Path(__file__).with_name("resources")
VERDICTS = ("positive", "null", "negative", "mixed", "not_applicable")


@dataclass(frozen=True, kw_only=True)
class EfficacyRules(RuleFile):
    """``resources/efficacy_rules.json``: the phrases of the method above."""

    conclusion_headings: list[str]
    conclusion_phrases: list[str]
    back_matter: list[str]
    positive: list[str]
    null: list[str]
    negative: list[str]
    mixed: list[str]
    future_research: list[str]
    not_applicable: list[str]
    no_efficacy_context: list[str]
    efficacy_words: list[str]
    no_efficacy_title: list[str]
    review_title: list[str]
    registry_headings: list[str]
    harm: list[str]
    pending_results: list[str]
    mechanism_title: list[str]
    safety_title: list[str]
    efficacy_title: list[str]
    efficacy_result: list[str]
    efficacy_result_null: list[str]
    primary_outcome: list[str]
    review_verdict: bool = False
    contrast: list[str]
    interim_results: list[str]


@lru_cache(maxsize=1)
def _raw_rules() -> EfficacyRules:
    return load_rules(RESOURCES / "efficacy_rules.json", EfficacyRules)


@lru_cache(maxsize=1)
def _rules() -> dict[str, re.Pattern]:
    raw = _raw_rules()

    def alt(key: str, bounded: bool = True) -> re.Pattern:
        body = "|".join(getattr(raw, key))
        return re.compile(rf"(?<![\w-])(?:{body})" if bounded else body, re.I | re.M)

    heading = "|".join(raw.conclusion_headings)
    return {
        "heading": re.compile(rf"(?:^|\n|\s)(?:{heading})\s*(?::|\.|-|—)\s*", re.I),
        "phrase": alt("conclusion_phrases"),
        "back_matter": alt("back_matter", bounded=False),
        "positive": alt("positive"),
        "null": alt("null"),
        "negative": alt("negative"),
        "mixed": alt("mixed"),
        "future": alt("future_research"),
        "harm": alt("harm"),
        "protocol": alt("not_applicable"),
        "registry": alt("registry_headings"),
        "pending": alt("pending_results"),
        "no_efficacy": alt("no_efficacy_context"),
        "efficacy_words": alt("efficacy_words", bounded=False),
        "no_efficacy_title": _words(raw.no_efficacy_title),
        "mechanism_title": _words(raw.mechanism_title),
        "safety_title": _words(raw.safety_title),
        "efficacy_title": _words(raw.efficacy_title),
        "review_title": _words(raw.review_title),
        "primary": alt("primary_outcome"),
        "result": alt("efficacy_result"),
        "result_null": alt("efficacy_result_null"),
        "contrast": _words(raw.contrast),
        "interim": alt("interim_results"),
    }


def _words(alternatives: list[str]) -> re.Pattern:
    """Whole-word alternation of ``alternatives`` (case-insensitive)."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


@lru_cache(maxsize=1)
def _screens() -> dict[str, Alternation]:
    """The phrase patterns of :func:`_rules` with their literal screens (same matches)."""
    r = _rules()
    return {k: Alternation(r[k].pattern, r[k].flags) for k in (
        "phrase", "back_matter", "pending", "positive", "null", "negative", "mixed", "future", "harm", "protocol", "registry", "no_efficacy", "efficacy_words")}


@lru_cache(maxsize=1)
def _claim_index() -> LiteralIndex:
    sc = _screens()
    return LiteralIndex(x for k in ("positive", "null", "negative", "mixed", "harm", "future") for lits in sc[k].literals if lits for x in lits)


# what a null or negative phrase is about, up to the clause's end: "did not provide
# [analgesic benefit]", "failed to show [a significant antidepressant effect]"
_OBJECT = re.compile(r"(?:(?!\s(?:but|while|whereas|although|though|however|yet|and (?:was|were|is|are|did|had|has|have|it|they))\b)[^,;:]){0,80}")


def _blank_with_objects(text: str, matches: list[re.Match]) -> str:
    """``text`` with each null/negative phrase and the words it governs blanked (same length)."""
    out, pos = [], 0
    for m in matches:
        start = max(m.start(), pos)
        end = max(_OBJECT.match(text, m.end()).end(), start)
        out.append(text[pos:start])
        out.append(" " * (end - start))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def claim(text: str) -> set[str]:
    """The kinds of efficacy claim a sentence makes.

    Parameters
    ----------
    text : str

    Returns
    -------
    set[str]
        Subset of {"positive", "null", "negative", "mixed", "harm"}. A null or
        negative phrase masks the positive words it contains and governs, up
        to the clause's end ("did not provide [analgesic benefit]"); so does a
        future-research clause ("further trials are needed [to confirm its
        efficacy]"). A stated contrast ("but not", "but did not") makes the
        sentence mixed; without one, a sentence with positive and null claims
        counts as its later clause ("did not reduce delirium, yet reduced
        pain" -> positive), the clause a writer puts last carrying the point.
    """
    r = _rules()
    sc = _screens()
    # the phrase literals in the sentence, one pass (masking only blanks characters: still valid)
    present = _claim_index().present(fold(text))
    kinds: set[str] = set()
    last: dict[str, int] = {}
    masked = text
    if sc["future"].may_match_present(present):
        masked = _blank_with_objects(masked, list(r["future"].finditer(masked)))
    for kind in ("null", "negative"):
        if not sc[kind].may_match_present(present):
            continue
        found = list(r[kind].finditer(masked))
        for m in found:
            if kind == "null" and OTHER_TOPIC.match(masked, m.end()):
                continue  # "no difference in adverse events" is not about benefit
            kinds.add(kind)
            last[kind] = m.start()
        masked = _blank_with_objects(masked, found)
    if sc["positive"].may_match_present(present):
        for m in r["positive"].finditer(masked):
            kinds.add("positive")
            last["positive"] = m.start()
    if kinds and sc["mixed"].may_match_present(present) and r["mixed"].search(text):
        kinds.add("mixed")
    elif "positive" in kinds and len(kinds) > 1:
        if r["contrast"].search(text):
            # "did not reduce X, but improved Y": benefit on one outcome, none on another
            kinds.add("mixed")
        else:
            # no contrast word: the later clause carries the sentence's point
            kinds = {max(last, key=last.get)}
    if sc["harm"].may_match_present(present) and r["harm"].search(text):
        kinds.add("harm")
    return kinds


def _efficacy_claims(sentences: list[str]) -> list[set[str]]:
    """:func:`claim` of the sentences that speak of efficacy or harm (the others make none)."""
    r = _rules()
    return [claim(s) for s in sentences if r["efficacy_words"].search(s) or r["harm"].search(s)]


def _verdict(kinds: list[set[str]]) -> str | None:
    flat = set().union(*kinds) if kinds else set()
    if "harm" in flat:
        flat.discard("harm")
        if "positive" in flat:
            return "mixed"
    if not flat:
        return None
    if "mixed" in flat:
        return "mixed"
    has = {k for k in ("positive", "null", "negative") if k in flat}
    if len(has) == 1:
        return has.pop()
    # Several kinds: the conclusion's last word counts most (authors end on their verdict).
    last = next((k for k in reversed(kinds) if k), set())
    if "positive" in has and ("null" in has or "negative" in has):
        pos = sum("positive" in k for k in kinds)
        neg = sum(bool(k & {"null", "negative"}) for k in kinds)
        if pos >= 2 * neg and "positive" in last:
            return "positive"
        if neg >= 2 * pos and not ("positive" in last):
            return "negative" if "negative" in has and "null" not in has else "null"
        return "mixed"
    return "negative" if "negative" in last else "null"


def _before_back_matter(sents: list[str]) -> list[str]:
    """``sents`` up to the first back-matter sentence (trial registration, funding,
    disclosure, copyright: ``back_matter`` rules); what follows one (a registered
    trial's title, a URL) is back matter too."""
    back = _screens()["back_matter"]
    for i, t in enumerate(sents):
        if back.may_match(fold(t)) and _rules()["back_matter"].search(t):
            return sents[:i]
    return sents


def conclusion_sentences(doc) -> list[str]:
    """Sentences that state the authors' conclusion (see module docstring).

    Back matter (registration, funding, copyright lines) after the conclusion
    heading, or among the last four sentences of an abstract without one, is
    dropped: journals and indexers append it after the conclusion.

    Parameters
    ----------
    doc : Doc or nlp.document.Document

    Returns
    -------
    list[str]
    """
    r = _rules()
    d = as_document(doc)
    all_sents = [(e, d.text[s:e]) for s, e in d.sents]
    sents = [t for _, t in all_sents if t.strip()]
    m = None
    for m in r["heading"].finditer(d.text):
        pass
    if m is not None and m.start() > len(d.text) * 0.3:
        return _before_back_matter([t for e, t in all_sents if e > m.start() and t.strip()])
    sents = sents[:-4] + _before_back_matter(sents[-4:])
    phrase = _screens()["phrase"]
    flagged = [s for s in sents if phrase.may_match(fold(s)) and r["phrase"].search(s)]
    if flagged:
        return flagged
    return sents[-2:]


def has_conclusion_heading(doc) -> bool:
    """Whether the abstract has a CONCLUSION(S)-type heading past its first 30%.

    Parameters
    ----------
    doc : Doc or nlp.document.Document

    Returns
    -------
    bool
    """
    d = as_document(doc)
    m = None
    for m in _rules()["heading"].finditer(d.text):
        pass
    return m is not None and m.start() > len(d.text) * 0.3


def tail_sentences(doc, n: int = 4) -> list[str]:
    """The last ``n`` abstract sentences before back matter, title excluded.

    Older unstructured abstracts state their verdict in the closing sentences
    without a heading or a conclusion phrase, often before a closing remark
    (future research, a caveat); the last two alone can miss it.

    Parameters
    ----------
    doc : Doc or nlp.document.Document
    n : int

    Returns
    -------
    list[str]
    """
    d = as_document(doc)
    t_end = title_end(d.text)
    sents = [d.text[s:e] for s, e in d.sents if s >= t_end and d.text[s:e].strip()]
    return _before_back_matter(sents[-(n + 2):])[-n:]


_PROTOCOL_TITLE = re.compile(r"\bprotocol\b", re.I)


def is_protocol(text: str, title: str, conclusion: list[str], folded: str | None | bool = False) -> bool:
    """A study protocol, trial-registry record or conference abstract whose
    results are still to be presented (no results to judge).

    Parameters
    ----------
    text : str
        Whole document text.
    title : str
        Its title.
    conclusion : list[str]
        Conclusion sentences (future-research statements there do not count).
    folded : str or None, optional
        :func:`nlp.matching.regex.fold` of ``text`` when already computed.

    Returns
    -------
    bool
    """
    sc = _screens()
    if _PROTOCOL_TITLE.search(title):
        return True
    if folded is False:
        folded = fold(text)
    registry = sc["registry"].for_text(folded)
    if registry is not None and len(registry.findall(text)) >= 2:
        return True
    body = text
    for s in conclusion:
        body = body.replace(s, " ")
    protocol = sc["protocol"].for_text(fold(body))
    if protocol is not None and len(protocol.findall(body)) >= 2:
        # an ongoing trial that already reports interim results has results to judge
        return not _rules()["interim"].search(text)
    pending = sc["pending"].for_text(folded)
    return pending is not None and pending.search(text) is not None


_BODY_HEADING = re.compile(r"(?:^|\s)(?:materials and methods|methods?|results?|findings|design|patients and methods)\s*:", re.I)


def title_kind(title: str) -> str | None:
    """What a title says about the study's question.

    Parameters
    ----------
    title : str

    Returns
    -------
    str | None
        ``"no_efficacy"`` (healthy volunteers, users, surveys, methodology:
        ``no_efficacy_title``), ``"safety"`` (harms named, no efficacy word:
        ``safety_title`` without ``efficacy_title``), ``"mechanism"``
        (predictor, biomarker, imaging: ``mechanism_title``), ``"review"`` or
        None (a treatment study).
    """
    r = _rules()
    if not title:
        return None
    if r["no_efficacy_title"].search(title):
        return "no_efficacy"
    if r["safety_title"].search(title) and not r["efficacy_title"].search(title):
        return "safety"
    if r["mechanism_title"].search(title):
        return "mechanism"
    if r["review_title"].search(title):
        return "review"
    return None


def result_claims(doc) -> set[str]:
    """Treatment effects stated as findings, in the title or past the background.

    A mechanism or predictor study reports ketamine's effect on the way to its
    real question ("ketamine significantly decreased MADRS scores, but ...");
    its conclusion is about the mechanism. Background sentences (before a
    METHODS/RESULTS heading, else the abstract's first two sentences) restate
    earlier work and are skipped.

    Parameters
    ----------
    doc : Doc or nlp.document.Document

    Returns
    -------
    set[str]
        Subset of {"positive", "null"} (``efficacy_result`` and
        ``efficacy_result_null`` rules).
    """
    r = _rules()
    d = as_document(doc)
    text = d.text
    t_end = title_end(text)
    body = [(s, e) for s, e in d.sents if s >= t_end and text[s:e].strip()]
    heading = _BODY_HEADING.search(text, t_end)
    if heading is not None:
        body = [(s, e) for s, e in body if e > heading.start()]
    else:
        body = body[2:]
    pieces = [text[:t_end]] + [text[s:e] for s, e in body]
    found: set[str] = set()
    for piece in pieces:
        masked = piece
        nulls = list(r["result_null"].finditer(piece))
        if nulls:
            found.add("null")
            masked = _blank_with_objects(piece, nulls)
        if r["result"].search(masked):
            found.add("positive")
    return found


_NONINFERIOR = re.compile(r"non-?inferior|equivalen", re.I)


def primary_null(doc) -> bool:
    """Whether a sentence past the title states a null result for the primary outcome.

    "The primary endpoint was not met", "no significant difference in the
    primary outcome": the trial's verdict is null whatever its secondary
    outcomes did (Boutron et al. 2010, spin on non-significant primary
    outcomes); a positive conclusion beside it makes the verdict mixed, as
    the ketamine gold guideline's annotators read it. Non-inferiority and equivalence claims are left alone: there
    no difference is the trial's success.

    Parameters
    ----------
    doc : Doc or nlp.document.Document

    Returns
    -------
    bool
    """
    r = _rules()
    d = as_document(doc)
    text = d.text
    t_end = title_end(text)
    for s, e in d.sents:
        if s < t_end:
            continue
        sent = text[s:e]
        if not r["primary"].search(sent) or _NONINFERIOR.search(sent):
            continue
        kinds = claim(sent)
        if "null" in kinds and "positive" not in kinds:
            return True
    return False


# whether reviews get a verdict (``review_verdict`` in the rules)
REVIEW_VERDICT = _raw_rules().review_verdict


def efficacy_direction(doc, outcomes: list[dict] | None = None, design: str | None = None) -> str:
    """The authors' conclusion on ketamine's benefit.

    Parameters
    ----------
    doc : Doc or nlp.document.Document
        The abstract (title, blank line, abstract; see :func:`db.text.document_text`).
    outcomes : list[dict] | None
        Output of :func:`nlp.outcomes.extract_outcomes` for ``doc`` (computed
        when None).
    design : str, optional
        The study design from :mod:`nlp.design`; a protocol has no result to judge.

    Returns
    -------
    str
        One of ``positive``, ``null``, ``negative``, ``mixed``,
        ``not_applicable``.
    """
    d = as_document(doc)
    text = d.text
    if not text.strip():
        return "not_applicable"
    title = text[: title_end(text)]
    conclusion = conclusion_sentences(d)
    if design == "protocol" or is_protocol(text, title, conclusion, d.folded):
        return "not_applicable"
    kind = title_kind(title)
    if kind in ("no_efficacy", "safety") or (kind == "review" and not REVIEW_VERDICT):
        return "not_applicable"
    if kind == "mechanism":
        found = result_claims(d)
        if not found:
            return "not_applicable"
        return "mixed" if len(found) > 1 else found.pop()
    if outcomes is None:
        from nlp.outcomes.extract import extract_outcomes

        outcomes = extract_outcomes(d)
    efficacy_outcomes = [o for o in outcomes if o.get("efficacy", True) and o["direction"]]
    no_efficacy = _screens()["no_efficacy"].for_text(d.folded)
    no_efficacy_context = bool(no_efficacy.search(text)) if no_efficacy is not None else False
    verdict = _verdict(_efficacy_claims(conclusion))
    if verdict in ("positive", None) and primary_null(d):
        # a missed primary outcome: null, or mixed when the authors still claim a benefit
        return "null" if verdict is None else "mixed"
    if verdict is None and not has_conclusion_heading(d):
        # no heading and no claim in the flagged or last sentences: the closing paragraph
        verdict = _verdict(_efficacy_claims([s for s in tail_sentences(d) if s not in conclusion]))
    if verdict is not None and (not no_efficacy_context or efficacy_outcomes):
        return verdict
    if kind == "review":
        return "not_applicable"
    directions = {o["direction"] for o in efficacy_outcomes}
    if directions and not no_efficacy_context:
        if directions == {"improved"}:
            return "positive"
        if directions == {"no_difference"}:
            return "null"
        if directions == {"worsened"}:
            return "not_applicable"
        counts = {d: sum(o["direction"] == d for o in efficacy_outcomes) for d in directions}
        if counts.get("improved", 0) >= sum(v for k, v in counts.items() if k != "improved"):
            return "positive"
        if "improved" in directions:
            return "mixed"
        return "null" if "no_difference" in directions else "negative"
    return "not_applicable"
