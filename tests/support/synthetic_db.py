"""Fill a database with synthetic ketamine articles and their extractions.

Test support, used by the dashboard tests and the dashboard benchmark: it writes
realistically shaped PubMed records through :func:`db.store.upsert_articles`
and the NLP tables (``extraction`` and its child rows) with direct inserts of
the SQLModel tables, exactly as the extractor would. Every evidence offset
points into :func:`db.text.document_text` of the generated title and
abstract, so highlighting and evidence sentences can be checked.

The text is invented from the templates and term lists in
``tests/support/synthetic_vocab.json``; it quotes no real abstract.

Command line (a database to work on the dashboard with; from the repo root)::

    python -m tests.support.synthetic_db sqlite:////tmp/dashboard.db --articles 2000
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterable, Optional, Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from db import models as m
from db.records import ArticleRecord, MeshHeading, PubType
from db.store import upsert_articles
from db.trials import store_trial_keys
from db.text import TITLE_SEPARATOR

VOCAB_PATH = Path(__file__).with_name("synthetic_vocab.json")
EXTRACTOR_VERSION = "synthetic-1"
PMID_BASE = 30_000_000
_BATCH = 2_000


def load_vocab(path: Path = VOCAB_PATH) -> dict:
    """The term lists and templates of the generator (``tests/support/synthetic_vocab.json``)."""
    return json.loads(path.read_text(encoding="utf-8"))


#: the study verdict (extraction.efficacy_direction) of a study whose outcomes went this way
VERDICT = {"improved": "positive", "no_difference": "null", "worsened": "negative", "mixed": "mixed"}


@dataclass
class AdverseEventSpec:
    """One adverse-event mention. ``status`` (``db.models.AE_STATUSES``) defaults
    from ``negated`` as :func:`db.models.ae_status` reads a stored mention; ``negated``
    is then set to ``status == db.models.AE_NOT_OCCURRED``."""

    term: str
    organ_class: str
    negated: bool = False
    frequency: Optional[str] = None  # as printed: "12/40"
    frequency_pct: Optional[float] = None
    status: Optional[str] = None
    arm: str = "unstated"

    def __post_init__(self) -> None:
        self.status = m.ae_status({"status": self.status, "negated": self.negated})
        self.negated = self.status == m.AE_NOT_OCCURRED


@dataclass
class OutcomeSpec:
    measure: str
    direction: Optional[str] = None  # improved | no_difference | worsened
    numbers: list[str] = field(default_factory=list)


@dataclass
class DoseSpec:
    amount: float
    unit: str
    text: str
    high: Optional[float] = None
    form: str = "racemic"
    route: Optional[str] = None


@dataclass
class ArticleSpec:
    """Everything one synthetic article is made of: bibliographic data and the
    facts an extractor would find. ``title``/``background`` override or add
    literal text (tests use them for HTML and SQL metacharacters)."""

    pmid: int
    topics: list[str]
    design: str = "rct"
    conditions: list[str] = field(default_factory=list)
    subtypes: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=lambda: ["racemic"])
    comparators: list[str] = field(default_factory=list)
    sample_size: Optional[int] = None
    efficacy_direction: str = "not_applicable"  # the study verdict: positive | null | negative | mixed | not_applicable
    serious_ae: str = "unstated"
    adverse_events: list[AdverseEventSpec] = field(default_factory=list)
    outcomes: list[OutcomeSpec] = field(default_factory=list)
    doses: list[DoseSpec] = field(default_factory=list)
    pub_year: int = 2020
    entrez_date: Optional[date] = None
    journal: str = "Journal of Affective Disorders"
    authors: list[dict] = field(default_factory=list)
    nct_ids: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    pubtypes: list[str] = field(default_factory=lambda: ["Journal Article"])
    is_retracted: bool = False
    first_seen: Optional[datetime] = None
    extracted: bool = True
    extractor_version: str = EXTRACTOR_VERSION
    title: Optional[str] = None
    background: Optional[str] = None


# --------------------------------------------------------------------------- text


class _Doc:
    """Builds title + abstract piece by piece, recording fact offsets."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[dict] = []
        self._pending: list[dict] = []
        self._sentence_start = 0
        self.sentences: list[tuple[int, int]] = []

    def add(self, s: str, kind: str | None = None, label: str | None = None, negated: bool = False) -> dict | None:
        start = len(self.text)
        self.text += s
        if kind is None:
            return None
        span = {"kind": kind, "label": label if label is not None else s, "start": start, "end": len(self.text),
                "negated": negated}
        self._pending.append(span)
        return span

    def end_sentence(self, sep: str = " ") -> tuple[int, int]:
        start, end = self._sentence_start, len(self.text)
        for span in self._pending:
            span["sentence_start"], span["sentence_end"] = start, end
            self.spans.append(span)
        self._pending = []
        self.sentences.append((start, end))
        self.text += sep
        self._sentence_start = len(self.text)
        return start, end


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _template(doc: _Doc, template: str, values: dict[str, tuple[str, str | None, str | None]]) -> None:
    pos = 0
    for mt in _PLACEHOLDER.finditer(template):
        doc.add(template[pos : mt.start()])
        text, kind, label = values[mt.group(1)]
        doc.add(text, kind, label)
        pos = mt.end()
    doc.add(template[pos:])


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


@dataclass
class Rendered:
    title: str
    abstract: str
    spans: list[dict]
    ae_rows: list[dict]
    outcome_rows: list[dict]
    dose_rows: list[dict]


def render(spec: ArticleSpec, vocab: dict | None = None) -> Rendered:
    """Title, abstract and every fact's offsets for ``spec``.

    Offsets refer to ``db.text.document_text(title, abstract)`` (title, blank
    line, abstract), the convention of ``db.models.Extraction``.
    """
    vocab = vocab or load_vocab()
    designs = {d["code"]: d for d in vocab["designs"]}
    design = designs.get(spec.design, designs["other"])
    form_code = spec.forms[0] if spec.forms else "racemic"
    form_name = vocab["forms"].get(form_code, {"name": "ketamine"})["name"]
    route = spec.routes[0] if spec.routes else None
    route_info = vocab["routes"].get(route or "", {"adj": "", "phrase": ""})
    subtype = spec.subtypes[0] if spec.subtypes else (spec.conditions[0] if spec.conditions else "pain")
    condition_label = spec.conditions[0] if spec.conditions else subtype
    doc = _Doc()

    if spec.title is not None:
        doc.add(spec.title)
    else:
        values = {
            "subtype": (subtype, "condition", condition_label),
            "route_adj": ((route_info["adj"] or "") if route else "", "route" if route else None, route),
            "form_name": (form_name, None, None),
        }
        tmpl = design["title"]
        if not route:
            tmpl = tmpl.replace("{route_adj} ", "")
        # the first letter of a title is upper case
        first = _PLACEHOLDER.match(tmpl)
        if route and not (first and first.start() == 0 and first.group(1) == "route_adj"):
            values["route_adj"] = (route_info["adj"].lower(), "route", route)
        if first and first.start() == 0 and first.group(1) == "form_name":
            values["form_name"] = (_cap(form_name), None, None)
        elif first and first.start() == 0 and first.group(1) == "subtype":
            values["subtype"] = (_cap(subtype), "condition", condition_label)
        _template(doc, tmpl, values)
    doc.end_sentence(sep=TITLE_SEPARATOR)
    title_len = len(doc.text) - len(TITLE_SEPARATOR)

    if spec.background:
        doc.add(spec.background)
        doc.end_sentence()
    doc.add(_cap(subtype), "condition", condition_label)
    doc.add(" is a disabling condition with limited treatment options.")
    doc.end_sentence()

    ae_rows = []

    def mention(ae: AdverseEventSpec, before: str, after: str) -> None:
        doc.add(before)
        span = doc.add(ae.term, "adverse_event", ae.term)
        doc.add(after)
        s, e = doc.end_sentence()
        ae_rows.append(_ae_row(ae, doc.text[s:e], span))

    for ae in spec.adverse_events:
        if ae.status == "background":
            mention(ae, f"{_cap(form_name)} is known to cause ", " at anaesthetic doses.")
        elif ae.status == "other_drug":
            mention(ae, "Opioids frequently cause ", ".")

    dose = spec.doses[0] if spec.doses else None
    comparator = spec.comparators[0] if spec.comparators else None
    clinical = spec.design in ("rct", "non_randomised_trial", "cohort", "case_series")
    if clinical or spec.design == "case_report":
        if spec.design == "case_report":
            doc.add("We describe a 43-year-old patient with ")
        else:
            doc.add("In this ")
            doc.add(design["phrase"], "design", spec.design)
            doc.add(", ")
            if spec.sample_size is not None:
                doc.add(str(spec.sample_size), "sample_size", str(spec.sample_size))
                doc.add(" patients with ")
            else:
                doc.add("patients with ")
        doc.add(subtype, "condition", condition_label)
        doc.add(" received " if spec.design != "case_report" else " who received ")
        doc.add(form_name)
        if dose:
            doc.add(" ")
            doc.add(dose.text, "dose", dose.text)
        if route:
            doc.add(" ")
            doc.add(route_info["phrase"], "route", route)
        if comparator:
            doc.add(" or ")
            doc.add(comparator, "comparator", comparator)
        doc.add(".")
        doc.end_sentence()
    elif spec.design in ("meta_analysis", "systematic_review", "review"):
        doc.add("We searched MEDLINE and Embase for studies of ketamine in ")
        doc.add(subtype, "condition", condition_label)
        if spec.sample_size is not None:
            doc.add(" and pooled ")
            doc.add(str(spec.sample_size), "sample_size", str(spec.sample_size))
            doc.add(" participants")
        doc.add(".")
        doc.end_sentence()
    elif spec.design == "preclinical":
        doc.add("In this ")
        doc.add(design["phrase"], "design", spec.design)
        doc.add(", animals received ")
        doc.add(form_name)
        if dose:
            doc.add(" ")
            doc.add(dose.text, "dose", dose.text)
        if route:
            doc.add(" ")
            doc.add(route_info["phrase"], "route", route)
        doc.add(".")
        doc.end_sentence()
    else:
        doc.add("We discuss the place of ketamine in the treatment of ")
        doc.add(subtype, "condition", condition_label)
        doc.add(".")
        doc.end_sentence()

    for ae in spec.adverse_events:
        if ae.status == "planned":
            mention(ae, "Adverse events, including ", ", were recorded at every visit.")

    outcome_rows = []
    for out in spec.outcomes:
        start = len(doc.text)
        span = doc.add(_cap(out.measure) if out.measure[:1].islower() else out.measure, "outcome", out.measure)
        nums = f" ({', '.join(out.numbers)})" if out.numbers else ""
        if out.direction == "improved":
            doc.add(f" improved significantly with {form_name} compared with {comparator or 'baseline'}{nums}.")
        elif out.direction == "worsened":
            doc.add(f" was worse with {form_name} than with {comparator or 'baseline'}{nums}.")
        elif out.direction == "no_difference":
            doc.add(f" did not differ between groups{nums}.")
        else:
            doc.add(f" was recorded at baseline and after treatment{nums}.")
        s, e = doc.end_sentence()
        assert s == start
        outcome_rows.append({"measure": out.measure, "direction": out.direction, "numbers": list(out.numbers),
                             "sentence": doc.text[s:e], "start": span["start"], "end": span["end"]})

    present = [a for a in spec.adverse_events if a.status == m.AE_OCCURRED]
    absent = [a for a in spec.adverse_events if a.status == m.AE_NOT_OCCURRED]
    if present:
        doc.add("The most common adverse events were " if len(present) > 1 else "The most common adverse event was ")
        row_spans = []
        for i, ae in enumerate(present):
            if i:
                doc.add(" and " if i == len(present) - 1 else ", ")
            span = doc.add(ae.term, "adverse_event", ae.term)
            if ae.frequency:
                doc.add(f" ({ae.frequency})")
            row_spans.append((ae, span))
        doc.add(".")
        s, e = doc.end_sentence()
        for ae, span in row_spans:
            ae_rows.append(_ae_row(ae, doc.text[s:e], span))
    for ae in absent:
        doc.add("No ")
        span = doc.add(ae.term, "adverse_event", ae.term, negated=True)
        doc.add(" was observed.")
        s, e = doc.end_sentence()
        ae_rows.append(_ae_row(ae, doc.text[s:e], span))

    dose_rows = []
    if dose:
        span = next(sp for sp in doc.spans if sp["kind"] == "dose")
        s, e = span["sentence_start"], span["sentence_end"]
        dose_rows.append({"amount": dose.amount, "amount_high": dose.high, "unit": dose.unit, "form": dose.form,
                          "route": dose.route, "text": dose.text, "sentence": doc.text[s:e],
                          "start": span["start"], "end": span["end"]})

    verdict = {"positive": "appears effective", "null": "was not better than the comparator",
               "negative": "was not effective", "mixed": "had mixed effects"}.get(spec.efficacy_direction, "merits further study")
    doc.add(f"{_cap(form_name)} {verdict} in ")
    doc.add(subtype, "condition", condition_label)
    doc.add(".")
    doc.end_sentence(sep="")

    title = doc.text[:title_len]
    abstract = doc.text[title_len + len(TITLE_SEPARATOR) :]
    return Rendered(title, abstract, doc.spans, ae_rows, outcome_rows, dose_rows)


def _ae_row(ae: AdverseEventSpec, sentence: str, span: dict) -> dict:
    return {"term": ae.term, "organ_class": ae.organ_class, "negated": ae.negated, "frequency": ae.frequency,
            "frequency_pct": ae.frequency_pct, "sentence": sentence, "start": span["start"], "end": span["end"],
            "status": ae.status, "arm": ae.arm}


# --------------------------------------------------------------------------- random specs


def _weighted(rng: random.Random, items: dict[str, dict] | list[dict], key: str = "code") -> str:
    if isinstance(items, dict):
        names = list(items)
        weights = [items[n].get("weight", 1) for n in names]
    else:
        names = [it[key] for it in items]
        weights = [it.get("weight", 1) for it in items]
    return rng.choices(names, weights)[0]


_CLINICAL_N = {
    "rct": (20, 600),
    "non_randomised_trial": (8, 80),
    "cohort": (40, 4000),
    "case_series": (3, 12),
    "meta_analysis": (200, 8000),
}


def _arm(rng: random.Random, comparators: Sequence[str]) -> str:
    """The arm of an event that occurred: mostly ketamine's, in controlled trials sometimes both arms'."""
    if comparators:
        return rng.choices(["ketamine", "both", "unstated"], [60, 30, 10])[0]
    return rng.choice(["ketamine", "unstated"])


def _unreported_events(rng: random.Random, vocab: dict, design: str, comparators: Sequence[str], taken: set[str]) -> list[AdverseEventSpec]:
    """Mentions that are no report of the study's events: a known effect recalled as
    background (mostly reviews), events a trial planned to record, another drug's effect."""
    out: list[AdverseEventSpec] = []
    for status, p in (("background", 0.5 if design in ("review", "meta_analysis", "other") else 0.08),
                      ("planned", 0.2 if design in ("rct", "non_randomised_trial") else 0.0),
                      ("other_drug", 0.15 if comparators else 0.0)):
        if rng.random() < p:
            ae = rng.choice([a for a in vocab["adverse_events"] if a["term"] not in taken])
            taken.add(ae["term"])
            arm = {"planned": "both" if comparators else "unstated", "other_drug": "comparator"}.get(status, "unstated")
            out.append(AdverseEventSpec(ae["term"], ae["organ_class"], status=status, arm=arm))
    return out


def last_harvest_time(now: datetime) -> datetime:
    """02:00 UTC of the latest night before ``now`` (when the synthetic nightly job ran)."""
    run = datetime.combine(now.date(), time(2, 0), tzinfo=timezone.utc)
    return run if run <= now else run - timedelta(days=1)


def random_specs(n: int, seed: int = 0, now: datetime | None = None, vocab: dict | None = None,
                 pmid_base: int = PMID_BASE) -> list[ArticleSpec]:
    """``n`` plausible articles, reproducible for a given ``seed``.

    Roughly 2 % of them (at least one) were first stored by the last nightly
    harvest, ~5 % are not extracted yet and ~0.5 % (at least one when n >= 10)
    are retracted.
    """
    vocab = vocab or load_vocab()
    rng = random.Random(seed)
    # statuses and arms of events draw from their own stream, so the rest of
    # the specs of a seed stay what they were before events had them
    ae_rng = random.Random(seed * 1_000_003 + 17)
    now = now or m.utcnow()
    last_run = last_harvest_time(now)
    backfill = last_run - timedelta(days=60)
    topics = vocab["topics"]
    specs: list[ArticleSpec] = []
    n_new = max(1, n // 50)
    for i in range(n):
        pmid = pmid_base + i
        topic = _weighted(rng, topics)
        spec_topics = [topic]
        if rng.random() < 0.08:
            other = rng.choice([t for t in topics if t != topic])
            spec_topics.append(other)
        design = _weighted(rng, vocab["designs"])
        conditions = [c for t in spec_topics for c in topics[t]["conditions"]]
        subtypes = [rng.choice(topics[t]["subtypes"]) for t in spec_topics]
        form = _weighted(rng, vocab["forms"])
        if form == "esketamine" and "depression" not in spec_topics and rng.random() < 0.5:
            form = "racemic"
        routes: list[str] = []
        if design not in ("review", "meta_analysis", "other"):
            routes = [_weighted(rng, vocab["routes"])]
            if rng.random() < 0.1:
                routes.append(rng.choice([r for r in vocab["routes"] if r not in routes]))
        comparators = [rng.choice(vocab["comparators"])] if design == "rct" else []
        sample_size: int | None = None
        if design in _CLINICAL_N and rng.random() > 0.08:
            lo, hi = _CLINICAL_N[design]
            sample_size = int(round(lo * (hi / lo) ** (rng.random() ** 1.5)))
        elif design == "case_report":
            sample_size = 1
        if design in ("rct", "non_randomised_trial", "cohort", "case_report", "case_series", "meta_analysis"):
            direction = rng.choices(["improved", "no_difference", "worsened", "mixed"], [55, 28, 6, 11])[0]
        elif design == "preclinical":
            direction = rng.choices(["improved", "no_difference"], [80, 20])[0]
        else:
            direction = "not_applicable"
        outcomes: list[OutcomeSpec] = []
        if direction != "not_applicable":
            measures = rng.sample(vocab["outcomes"][topic], k=min(2 if direction == "mixed" else rng.randint(1, 2),
                                                                  len(vocab["outcomes"][topic])))
            for j, measure in enumerate(measures):
                d = direction if direction != "mixed" else ("improved" if j == 0 else "no_difference")
                p = "p < 0.001" if d == "improved" else "p = 0.41"
                outcomes.append(OutcomeSpec(measure, d, [p]))
        aes: list[AdverseEventSpec] = []
        if design in ("rct", "non_randomised_trial", "cohort", "case_report", "case_series", "meta_analysis"):
            for ae in rng.sample(vocab["adverse_events"], k=rng.choice([0, 1, 1, 2, 2, 3])):
                freq = pct = None
                if sample_size and sample_size > 1 and rng.random() < 0.5:
                    k = max(1, int(sample_size * rng.uniform(0.02, 0.4)))
                    freq, pct = f"{k}/{sample_size}", round(100 * k / sample_size, 1)
                aes.append(AdverseEventSpec(ae["term"], ae["organ_class"], False, freq, pct, arm=_arm(ae_rng, comparators)))
            if rng.random() < 0.3:
                taken = {a.term for a in aes}
                ae = rng.choice([a for a in vocab["adverse_events"] if a["term"] not in taken])
                aes.append(AdverseEventSpec(ae["term"], ae["organ_class"], True, arm="both" if comparators else "unstated"))
        aes += _unreported_events(ae_rng, vocab, design, comparators, {a.term for a in aes})
        serious = "unstated"
        if any(a.term in ("respiratory depression", "hypertension") and a.status == m.AE_OCCURRED for a in aes):
            serious = "yes"
        elif aes and rng.random() < 0.3:
            serious = "no"
        doses: list[DoseSpec] = []
        if routes:
            d = rng.choice(vocab["doses"] if design != "preclinical" else [vocab["doses"][-1]])
            doses.append(DoseSpec(d["amount"], d["unit"], d["text"], d["high"], form, routes[0]))
        year = min(now.year, int(1995 + (now.year - 1995) * (rng.random() ** 0.45)))
        entrez = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        if entrez > now.date():
            entrez = now.date() - timedelta(days=rng.randrange(1, 200))
            year = entrez.year
        if i >= n - n_new:
            first_seen = last_run + timedelta(minutes=rng.randrange(1, 50))
            entrez = (last_run - timedelta(days=rng.randrange(0, 3))).date()
            year = entrez.year
        elif entrez >= backfill.date():
            first_seen = datetime.combine(entrez + timedelta(days=1), time(2, 10), tzinfo=timezone.utc)
            first_seen = min(first_seen, last_run - timedelta(days=1))
        else:
            first_seen = backfill + timedelta(seconds=i % 3600)
        authors = [{"last": rng.choice(vocab["surnames"]), "fore": None, "initials": rng.choice(vocab["initials"]) + rng.choice(vocab["initials"]),
                    "collective": None, "affiliation": None} for _ in range(rng.randint(1, 6))]
        mesh = ["Ketamine", "Humans" if design != "preclinical" else "Animals"]
        mesh += {"migraine": ["Migraine Disorders"], "pain": ["Pain"], "depression": ["Depression"]}.get(topic, [])
        design_info = next(d for d in vocab["designs"] if d["code"] == design)
        specs.append(ArticleSpec(
            pmid=pmid, topics=spec_topics, design=design, conditions=conditions, subtypes=subtypes, routes=routes,
            forms=[form], comparators=comparators, sample_size=sample_size, efficacy_direction=VERDICT.get(direction, direction),
            serious_ae=serious, adverse_events=aes, outcomes=outcomes, doses=doses, pub_year=year,
            entrez_date=entrez, journal=rng.choice(vocab["journals"]), authors=authors,
            nct_ids=[f"NCT0{rng.randrange(10**7):07d}"] if design == "rct" and rng.random() < 0.5 else [],
            mesh=mesh, pubtypes=list(design_info["pubtypes"]), is_retracted=(i == 3 and n >= 10) or rng.random() < 0.005,
            first_seen=first_seen, extracted=(i % 20 != 7),
        ))
    return specs


# --------------------------------------------------------------------------- writing


def _record(spec: ArticleSpec, r: Rendered) -> ArticleRecord:
    return ArticleRecord(
        pmid=spec.pmid,
        title=r.title,
        abstract=r.abstract,
        abstract_sections=[{"label": None, "category": None, "text": r.abstract}],
        journal=spec.journal,
        journal_iso=spec.journal,
        pub_year=spec.pub_year,
        pub_date=str(spec.pub_year),
        entrez_date=spec.entrez_date or date(spec.pub_year, 6, 1),
        language="eng",
        doi=f"10.5555/kt.{spec.pmid}",
        authors=spec.authors,
        keywords=["ketamine"],
        nct_ids=spec.nct_ids,
        comments_corrections=[{"type": "RetractionIn", "ref": "Retraction notice", "pmid": spec.pmid + 1}] if spec.is_retracted else [],
        mesh=[MeshHeading(d, None, d == "Ketamine", []) for d in spec.mesh],
        publication_types=[PubType(p) for p in spec.pubtypes],
        is_retracted=spec.is_retracted,
    )


def write_specs(engine: Engine, specs: Sequence[ArticleSpec], vocab: dict | None = None) -> None:
    """Store ``specs``: articles through :func:`upsert_articles`, then their
    topic links, timestamps and extraction rows, one transaction per batch;
    then the trial keys (:func:`db.trials.store_trial_keys`)."""
    vocab = vocab or load_vocab()
    art, link = m.Article.__table__, m.ArticleTopic.__table__
    for start in range(0, len(specs), _BATCH):
        batch = specs[start : start + _BATCH]
        rendered = [render(s, vocab) for s in batch]
        with engine.begin() as conn:
            upsert_articles(conn, [_record(s, r) for s, r in zip(batch, rendered)])
            now = m.utcnow()
            stamps = [{"b_pmid": s.pmid, "b_seen": s.first_seen or now, "b_needs": not s.extracted} for s in batch]
            conn.execute(
                update(art).where(art.c.pmid == bindparam("b_pmid"))
                .values(first_seen=bindparam("b_seen"), updated=bindparam("b_seen"), needs_extraction=bindparam("b_needs")),
                stamps,
            )
            links = [{"pmid": s.pmid, "topic": t, "first_seen": s.first_seen or now} for s in batch for t in s.topics]
            if links:
                conn.execute(insert(link), links)
            # the extractor records the content hash of what it read
            hashes = dict(conn.execute(select(art.c.pmid, art.c.content_hash).where(art.c.pmid.in_([s.pmid for s in batch]))).all())
            ex_rows, cond_rows, route_rows, ae_rows, out_rows, dose_rows = [], [], [], [], [], []
            for s, r in zip(batch, rendered):
                if not s.extracted:
                    continue
                at = (s.first_seen or now) + timedelta(minutes=5)
                ex_rows.append({
                    "pmid": s.pmid, "extractor_version": s.extractor_version, "content_hash": hashes.get(s.pmid, ""), "extracted_at": at,
                    "design": s.design, "design_source": "pubtype", "sample_size": s.sample_size,
                    "sample_size_basis": "randomised" if s.design == "rct" and s.sample_size else ("enrolled" if s.sample_size else None),
                    "conditions": list(s.conditions), "condition_subtypes": list(s.subtypes), "routes": list(s.routes),
                    "ketamine_forms": list(s.forms), "comparators": list(s.comparators),
                    "efficacy_direction": s.efficacy_direction, "serious_ae": s.serious_ae, "spans": r.spans,
                })
                cond_rows += [{"pmid": s.pmid, "condition": c} for c in dict.fromkeys(s.conditions)]
                route_rows += [{"pmid": s.pmid, "route": x} for x in dict.fromkeys(s.routes)]
                ae_rows += [{"pmid": s.pmid, **row} for row in r.ae_rows]
                out_rows += [{"pmid": s.pmid, **row} for row in r.outcome_rows]
                dose_rows += [{"pmid": s.pmid, **row} for row in r.dose_rows]
            for table, rows in ((m.Extraction, ex_rows), (m.ExtractionCondition, cond_rows), (m.ExtractionRoute, route_rows),
                                (m.ExtractedAdverseEvent, ae_rows), (m.ExtractedOutcome, out_rows), (m.ExtractedDose, dose_rows)):
                if rows:
                    conn.execute(insert(table.__table__), rows)
    store_trial_keys(engine)  # as the nightly job does after writing articles (db.maintenance.group_trials)


def write_harvest_history(engine: Engine, specs: Sequence[ArticleSpec], now: datetime | None = None,
                          topics: Iterable[str] | None = None) -> None:
    """Harvest runs consistent with ``specs``: a backfill 60 days before the
    last nightly run, nightly runs for the last week (one failed, with its
    error) and the last run that stored the newest articles."""
    now = now or m.utcnow()
    last = last_harvest_time(now)
    topics = list(topics or load_vocab()["topics"])
    new_by_topic: dict[str, int] = defaultdict(int)
    for s in specs:
        if s.first_seen and s.first_seen >= last:
            for t in s.topics:
                new_by_topic[t] += 1
    found = defaultdict(int)
    for s in specs:
        for t in s.topics:
            found[t] += 1
    runs, states = [], []
    for t in topics:
        back = last - timedelta(days=60)
        runs.append(dict(topic=t, kind="backfill", window_start=date(1990, 1, 1), window_end=back.date(), started=back,
                         finished=back + timedelta(minutes=40), status="success", found=found[t], new=found[t],
                         requests=found[t] // 200 + 2, error=None))
        for day in range(7, 0, -1):
            started = last - timedelta(days=day)
            failed = day == 3 and t == topics[-1]
            runs.append(dict(topic=t, kind="incremental", window_start=(started - timedelta(days=1)).date(), window_end=started.date(),
                             started=started, finished=started + timedelta(minutes=2), status="failed" if failed else "success",
                             found=0 if failed else 3, new=0, unchanged=0 if failed else 3, requests=4,
                             error="HTTPError: 503 Service Unavailable from esearch.fcgi after 5 retries" if failed else None))
        runs.append(dict(topic=t, kind="incremental", window_start=(last - timedelta(days=1)).date(), window_end=last.date(),
                         started=last, finished=last + timedelta(minutes=55), status="success", found=new_by_topic[t],
                         new=new_by_topic[t], requests=5, error=None))
        states.append(dict(topic=t, query_hash="synthetic", watermark=last.date(), last_success=last + timedelta(minutes=55)))
    with engine.begin() as conn:
        conn.execute(insert(m.HarvestRun.__table__), runs)
        conn.execute(insert(m.TopicState.__table__), states)


def fill(engine: Engine, n: int, seed: int = 0, now: datetime | None = None, create_schema: bool = True) -> list[ArticleSpec]:
    """Fill ``engine`` with ``n`` synthetic articles, their extractions and a harvest history.

    Parameters
    ----------
    engine:
        A writable engine (SQLite or PostgreSQL).
    n:
        Number of articles.
    seed:
        Random seed; the same seed gives the same database.
    now:
        The "current" time the history is built around (default: now, UTC).
    create_schema:
        Create missing tables with ``SQLModel.metadata.create_all`` first.

    Returns
    -------
    list[ArticleSpec]
        What was written, so tests can compute expected counts independently of SQL.
    """
    if create_schema:
        SQLModel.metadata.create_all(engine)
    now = now or m.utcnow()
    specs = random_specs(n, seed=seed, now=now)
    write_specs(engine, specs)
    write_harvest_history(engine, specs, now=now)
    return specs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.synthetic_db", description="Fill a database with synthetic articles.")
    parser.add_argument("url", help="database URL, e.g. sqlite:///data/demo.db (must be empty)")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from db.engine import make_engine
    from db.migrate import upgrade

    engine = make_engine(args.url)
    upgrade(engine)
    specs = fill(engine, args.articles, seed=args.seed, create_schema=False)
    print(f"wrote {len(specs)} synthetic articles to {engine.url.render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
