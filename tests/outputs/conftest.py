"""A small database of known changes, on both backends, for the feed and digest tests.

Rows are written through db.models (articles, topic links) and
db.extractions.write_extractions (extractions), with ``first_seen`` and
``updated`` set relative to the time the fixture runs:

| pmid | change | design | topics | notes |
|---|---|---|---|---|
| 101 | new 1 day ago | rct, N 120, intravenous, positive | depression | AEs: dissociation x2, nausea occurred; headache not occurred |
| 102 | new 2 days ago | observational, no N | pain | |
| 103 | new 3 days ago | rct, N 40, intranasal esketamine | pain | title with HTML and a Markdown link |
| 104 | first seen 30 days ago, revised 1 day ago | review | migraine | |
| 105 | first seen 60 days ago, revised 3 days ago, retracted | rct | depression | |
| 106 | first seen and last changed 40 days ago | rct | depression | |
| 107 | new 1 day ago, deleted | rct | depression | |
| 108 | new 5 hours ago, not extracted | - | migraine, pain | PubMed version 2 |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session

from db.extractions import write_extractions
from db.models import Article, ArticleTopic

HOSTILE_TITLE = "<script>alert(1)</script> Intranasal esketamine [x](http://evil.example) *now* & later"


@dataclass(frozen=True)
class NewsDb:
    """The engine, the time the rows were written relative to, and the fixture's facts."""

    engine: object
    now: datetime

    def since(self, days: float) -> datetime:
        return self.now - timedelta(days=days)


def _ae(term: str, status: str = "occurred") -> dict:
    return {"term": term, "organ_class": "psychiatric", "status": status, "negated": status == "not_occurred",
            "sentence": f"{term} was reported."}


def _extraction(pmid: int, design: str, **kw) -> dict:
    out = {"pmid": pmid, "extractor_version": "test", "content_hash": "", "design": design,
           "conditions": [], "routes": [], "adverse_events": [], "efficacy_direction": "not_applicable"}
    out.update(kw)
    return out


def build_news_db(engine, now: datetime) -> None:
    """Write the rows of the module docstring's table."""
    day = timedelta(days=1)
    rows = [
        # pmid, title, first_seen, updated, topics, extra article fields
        (101, "Ketamine infusion for treatment-resistant depression: a randomised trial", now - day, now - day,
         ["depression"], {"journal": "J Affect Disord", "pub_year": 2025, "doi": "10.1000/kt.101",
                          "authors": [{"last": "Smith", "initials": "J"}, {"last": "Doe", "initials": "A"}]}),
        (102, "Ketamine use after surgery: a registry study", now - 2 * day, now - 2 * day, ["pain"], {}),
        (103, HOSTILE_TITLE, now - 3 * day, now - 3 * day, ["pain"], {}),
        (104, "Ketamine for migraine: a review", now - 30 * day, now - day, ["migraine"], {}),
        (105, "Retracted ketamine trial", now - 60 * day, now - 3 * day, ["depression"], {"is_retracted": True}),
        (106, "An old ketamine trial", now - 40 * day, now - 40 * day, ["depression"], {}),
        (107, "A deleted ketamine record", now - day, now - day, ["depression"], {"is_deleted": True}),
        (108, "Ketamine and headache, not extracted yet", now - timedelta(hours=5), now - timedelta(hours=5),
         ["migraine", "pain"], {"version": 2}),
    ]
    with Session(engine) as session:
        for pmid, title, first_seen, updated, topics, extra in rows:
            session.add(Article(pmid=pmid, title=title, first_seen=first_seen, updated=updated,
                                needs_extraction=False, **extra))
            session.flush()
            for topic in topics:
                session.add(ArticleTopic(pmid=pmid, topic=topic, first_seen=first_seen))
        session.commit()
    write_extractions(engine, [
        _extraction(101, "rct", sample_size=120, routes=["intravenous"], conditions=["depression"],
                    efficacy_direction="positive",
                    adverse_events=[_ae("nausea"), _ae("dissociation"), _ae("dissociation"),
                                    _ae("headache", "not_occurred"), _ae("psychosis", "background")]),
        _extraction(102, "observational", routes=[], conditions=["postoperative_pain"], efficacy_direction="null"),
        _extraction(103, "rct", sample_size=40, routes=["intranasal"], ketamine_forms=["esketamine"],
                    conditions=["depression"], efficacy_direction="positive"),
        _extraction(104, "review", pooled_participants=1015, conditions=["migraine"], efficacy_direction="mixed"),
        _extraction(105, "rct", sample_size=60, conditions=["depression"]),
        _extraction(106, "rct", sample_size=30, conditions=["depression"]),
        _extraction(107, "rct", sample_size=90, conditions=["depression"]),
    ])


@pytest.fixture
def news_db(db_engine) -> NewsDb:
    """The table's rows on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    build_news_db(db_engine, now)
    return NewsDb(engine=db_engine, now=now)


@pytest.fixture
def sqlite_news_db(engine) -> NewsDb:
    """The table's rows on SQLite only (for tests of rendering, where the backend does not matter)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    build_news_db(engine, now)
    return NewsDb(engine=engine, now=now)


@pytest.fixture
def migrated_news_db(db_url) -> tuple[str, NewsDb]:
    """The table's rows in a database migrated to head (as the commands expect), once per backend."""
    from db.engine import make_engine
    from db.migrate import ensure_schema

    engine = make_engine(db_url)
    ensure_schema(engine)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    build_news_db(engine, now)
    yield db_url, NewsDb(engine=engine, now=now)
    engine.dispose()
