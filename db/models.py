"""SQLModel tables of the tracker.

Three groups of tables:

* bibliographic records harvested from PubMed (``article`` and its children
  ``article_mesh``, ``article_pubtype``, plus the ``article_topic`` link and
  the ``article_trial`` grouping of reports of one trial);
* bookkeeping of the nightly job (``harvest_run``, ``topic_state``);
* NLP extractions (``extraction`` with child rows ``extracted_adverse_event``,
  ``extracted_outcome``, ``extracted_dose``).

Lists that are only ever displayed (authors, keywords, NCT ids, evidence spans)
are JSON columns; everything the dashboard filters or aggregates on is a real
column or a child table so it can be aggregated in SQL.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timezone-aware UTC "now" (SQLModel stores datetimes as UTC and returns them aware)."""
    return datetime.now(timezone.utc)


#: A PubMed id: 1..2**63-1 (the ingest parsers' bound), so BIGINT on PostgreSQL; SQLite's INTEGER is
#: already 64-bit and an INTEGER PRIMARY KEY stays the rowid (migration 0006).
PMID_TYPE = BigInteger().with_variant(Integer(), "sqlite")
#: the largest PMID the columns hold
PMID_MAX = 2**63 - 1


def storable_pmids(pmids) -> list[int]:
    """The distinct PMIDs of ``pmids`` the columns can hold (1..:data:`PMID_MAX`), ascending.

    Parameters
    ----------
    pmids : iterable of int
        PMIDs from a caller (a page of the dashboard, a URL); others match nothing.

    Returns
    -------
    list of int
    """
    return sorted({int(p) for p in pmids if 0 < int(p) <= PMID_MAX})


def _json(default_factory=list) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


class Article(SQLModel, table=True):
    """One PubMed record, keyed by PMID."""

    __tablename__ = "article"

    pmid: int = Field(primary_key=True, sa_type=PMID_TYPE)
    version: int = 1
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # [{"label": "METHODS", "category": "METHODS", "text": "..."}]
    abstract_sections: list[dict] = _json()
    journal: Optional[str] = None
    journal_iso: Optional[str] = None
    pub_year: Optional[int] = Field(default=None, index=True)
    pub_date: Optional[str] = None  # as printed: "2021 Mar 4", "2019 Jan-Feb"
    # citation details as PubMed writes them (migration 0007): "42", "4 Suppl 1", "244-55"; outside the
    # content hash, so their arrival after an ahead-of-print release is no revision (db.records)
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    entrez_date: Optional[date] = Field(default=None, index=True)
    revised_date: Optional[date] = None
    language: Optional[str] = None
    doi: Optional[str] = None
    pmcid: Optional[str] = None
    # [{"last": "Smith", "fore": "Jane", "initials": "J", "collective": null, "affiliation": "..."}]
    authors: list[dict] = _json()
    keywords: list[str] = _json()
    nct_ids: list[str] = _json()
    # [{"type": "RetractionIn", "ref": "...", "pmid": 123}]
    comments_corrections: list[dict] = _json()
    is_book: bool = False
    is_retracted: bool = Field(default=False, index=True)
    is_deleted: bool = Field(default=False, index=True)
    content_hash: str = ""  # read by PMID, never searched: no index (migration 0003)
    first_seen: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow, index=True)
    needs_extraction: bool = Field(default=True, index=True)


class ArticleMesh(SQLModel, table=True):
    """A MeSH heading of an article (descriptor with its qualifiers)."""

    __tablename__ = "article_mesh"

    pmid: int = Field(foreign_key="article.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    descriptor: str = Field(primary_key=True, index=True)
    descriptor_ui: Optional[str] = None
    major_topic: bool = False
    qualifiers: list[dict] = _json()  # [{"name": "drug therapy", "ui": "Q000188", "major": true}]


class ArticlePubType(SQLModel, table=True):
    """A publication type of an article ("Randomized Controlled Trial", "Review"...)."""

    __tablename__ = "article_pubtype"

    pmid: int = Field(foreign_key="article.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    pub_type: str = Field(primary_key=True, index=True)
    ui: Optional[str] = None


class ArticleTopic(SQLModel, table=True):
    """Which configured topic's query returned an article."""

    __tablename__ = "article_topic"

    pmid: int = Field(foreign_key="article.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    topic: str = Field(primary_key=True, index=True)
    first_seen: datetime = Field(default_factory=utcnow)


class ArticleTrial(SQLModel, table=True):
    """The trial an article reports, stored when it is linked to another article or names a registration.

    Written by :func:`db.trials.store_trial_keys` after every job that writes
    articles (migration 0008), so the dashboard counts "k trials, n
    participants" with a join instead of reading every abstract. An article
    without a row is a trial of its own.
    """

    __tablename__ = "article_trial"

    pmid: int = Field(foreign_key="article.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    trial_key: str = Field(index=True)  # the group's smallest identifier: "NCT01234567", "name:ELEKT-D", "pmid:123"
    updated: datetime = Field(default_factory=utcnow)


class HarvestRun(SQLModel, table=True):
    """One harvest of one topic (or one offline ingest)."""

    __tablename__ = "harvest_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    topic: str = Field(index=True)
    kind: str = "harvest"  # harvest | backfill | incremental | ingest
    window_start: Optional[date] = None
    window_end: Optional[date] = None
    started: datetime = Field(default_factory=utcnow, index=True)
    finished: Optional[datetime] = None
    status: str = Field(default="running", index=True)  # running | success | failed
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    requests: int = 0
    error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class TopicState(SQLModel, table=True):
    """Per-topic watermark: records entered or revised up to this date are stored."""

    __tablename__ = "topic_state"

    topic: str = Field(primary_key=True)
    query_hash: str = ""
    watermark: Optional[date] = None
    last_success: Optional[datetime] = None


class Extraction(SQLModel, table=True):
    """The current NLP extraction of one article.

    Offsets everywhere refer to :func:`db.text.document_text` of the article
    (title, blank line, abstract).
    """

    __tablename__ = "extraction"

    pmid: int = Field(foreign_key="article.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    extractor_version: str = Field(index=True)
    content_hash: str = ""
    extracted_at: datetime = Field(default_factory=utcnow)
    design: str = Field(default="other", index=True)
    design_source: str = "text"  # pubtype | mesh | text
    sample_size: Optional[int] = Field(default=None, index=True)
    sample_size_basis: Optional[str] = None  # randomised | enrolled | analysed | arms | stated | planned | case_report
    # a review's participants pooled over its studies ("12 trials, 1,015 patients"); sample_size stays null
    pooled_participants: Optional[int] = None
    conditions: list[str] = _json()
    condition_subtypes: list[str] = _json()
    routes: list[str] = _json()
    ketamine_forms: list[str] = _json()  # racemic | esketamine | arketamine
    comparators: list[str] = _json()
    efficacy_direction: str = Field(default="not_applicable", index=True)
    serious_ae: str = "unstated"  # yes | no | unstated
    # Every highlighted fact: [{"kind": "route", "label": "intravenous", "start": 10,
    #   "end": 22, "sentence_start": 0, "sentence_end": 80, "negated": false}]
    spans: list[dict] = _json()


class ExtractionCondition(SQLModel, table=True):
    """One condition of an extraction, as a row so the dashboard can group in SQL."""

    __tablename__ = "extraction_condition"

    pmid: int = Field(foreign_key="extraction.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    condition: str = Field(primary_key=True, index=True)


class ExtractionRoute(SQLModel, table=True):
    """One route of administration of an extraction."""

    __tablename__ = "extraction_route"

    pmid: int = Field(foreign_key="extraction.pmid", primary_key=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    route: str = Field(primary_key=True, index=True)


#: the adverse-event status that is a report of the event, and the one that reports its
#: absence (or no difference between groups); the other statuses report no event of the study
AE_OCCURRED, AE_NOT_OCCURRED = "occurred", "not_occurred"
#: what an adverse-event mention says happened (``ExtractedAdverseEvent.status``)
AE_STATUSES = (AE_OCCURRED, AE_NOT_OCCURRED, "planned", "background", "other_drug")
#: which arm the mention is about (``ExtractedAdverseEvent.arm``)
AE_ARMS = ("ketamine", "comparator", "both", "unstated")


def ae_status(ae: dict) -> str:
    """The status of an extracted adverse event, for extractions made before
    the NLP stage said it: ``not_occurred`` if negated, else ``occurred``."""
    status = ae.get("status")
    if status:
        return str(status)
    return AE_NOT_OCCURRED if ae.get("negated") else AE_OCCURRED


def ae_arm(ae: dict) -> str:
    """The arm of an extracted adverse event (``unstated`` when not said)."""
    return str(ae.get("arm") or "unstated")


class ExtractedAdverseEvent(SQLModel, table=True):
    """An adverse event mention with its evidence sentence.

    ``status`` says what the sentence reports: ``occurred`` (the event happened
    in the study), ``not_occurred`` (it did not, or did not differ between
    groups), ``planned`` (measured or planned: protocols, methods),
    ``background`` (a known effect, e.g. a review's introduction) or
    ``other_drug`` (another drug's only). Only ``occurred`` counts as a report
    of the event; ``negated`` is true exactly when status is ``not_occurred``.
    ``arm`` is ``ketamine``, ``comparator``, ``both`` or ``unstated``.
    """

    __tablename__ = "extracted_adverse_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    pmid: int = Field(foreign_key="extraction.pmid", index=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    term: str = Field(index=True)
    organ_class: str = Field(index=True)
    negated: bool = False
    frequency: Optional[str] = None  # as written: "12/40", "12%"
    frequency_pct: Optional[float] = None
    sentence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    start: int = 0
    end: int = 0
    # migration 0004; the server defaults keep a writer that names neither column correct for non-negated rows
    status: str = Field(default="occurred", index=True, sa_column_kwargs={"server_default": "occurred"})  # AE_STATUSES
    arm: str = Field(default="unstated", sa_column_kwargs={"server_default": "unstated"})  # AE_ARMS


class ExtractedOutcome(SQLModel, table=True):
    """A named outcome measure with its result statement and direction."""

    __tablename__ = "extracted_outcome"

    id: Optional[int] = Field(default=None, primary_key=True)
    pmid: int = Field(foreign_key="extraction.pmid", index=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    measure: str = Field(index=True)
    direction: Optional[str] = Field(default=None, index=True)  # improved | no_difference | worsened
    numbers: list[str] = _json()  # "45%", "p < 0.001", "95% CI 1.2-3.4"
    sentence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    start: int = 0
    end: int = 0


class ExtractedDose(SQLModel, table=True):
    """A dose of ketamine: amount + unit, with the ketamine form and route when known."""

    __tablename__ = "extracted_dose"

    id: Optional[int] = Field(default=None, primary_key=True)
    pmid: int = Field(foreign_key="extraction.pmid", index=True, ondelete="CASCADE", sa_type=PMID_TYPE)
    amount: float
    amount_high: Optional[float] = None  # for ranges "0.5-1 mg/kg"
    unit: str
    form: str = "racemic"
    route: Optional[str] = None
    text: str = ""
    sentence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    start: int = 0
    end: int = 0


Index("ix_article_topic_topic_pmid", ArticleTopic.topic, ArticleTopic.pmid)

# full-text search tables and triggers (migration 0005) follow every create_all too
from .search_schema import attach as _attach_search  # noqa: E402

_attach_search(SQLModel.metadata)
