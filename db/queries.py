"""Every read the dashboard does, aggregated in SQL.

All statements are SQLAlchemy Core ``select`` constructs over the SQLModel
tables; user input only ever reaches the database as bound parameters.
The explorer's search text (:attr:`ArticleFilter.text`) is a PubMed-style
full-text query evaluated by :func:`db.search.matching` (the Search page's
language and index), so ``'; DROP TABLE article; --`` is searched for as words. Deleted citations (``Article.is_deleted``) are
never shown. Functions take an :class:`~sqlalchemy.engine.Engine` (the
dashboard opens it read-only) and return plain Python rows (dicts/tuples)
that can be cached and turned into data frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import String, and_, case, cast, distinct, exists, false, func, inspect, or_, select, true
from sqlalchemy.engine import Connection, Engine

from .export import author_name
from .models import (
    Article,
    ArticleMesh,
    ArticlePubType,
    ArticleTopic,
    ArticleTrial,
    ExtractedAdverseEvent,
    ExtractedDose,
    ExtractedOutcome,
    Extraction,
    ExtractionCondition,
    ExtractionRoute,
    HarvestRun,
)
from .models import AE_ARMS, AE_STATUSES, PMID_MAX, storable_pmids  # noqa: F401 - AE_*, PMID_MAX re-exported for the dashboard
from .models import AE_NOT_OCCURRED as NOT_OCCURRED
from .models import AE_OCCURRED as OCCURRED
from .migrate import current_revision, head_revision
from .search import matching, ranking

#: design code shown for articles that have no extraction row yet
NOT_EXTRACTED = "not_extracted"
#: condition shown for adverse events / directions of extractions without a condition
UNSPECIFIED = "unspecified"
#: runs that started this long before the latest run belong to the same nightly harvest
HARVEST_SESSION = timedelta(hours=12)

_IN_CHUNK = 900


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _live():
    return Article.is_deleted == false()


# --------------------------------------------------------------------------- state


def schema_state(engine: Engine) -> str:
    """``"missing"`` (no tracker tables), ``"outdated"`` (migrated, but not to the latest revision),
    ``"empty"`` (no article) or ``"ready"``."""
    insp = inspect(engine)
    if not all(insp.has_table(t) for t in ("article", "extraction", "harvest_run")):
        return "missing"
    # a schema made without Alembic (SQLModel's create_all) has no version table: it is the models' own
    if insp.has_table("alembic_version") and current_revision(engine) != head_revision():
        return "outdated"
    with engine.connect() as conn:
        first = conn.execute(select(Article.pmid).where(_live()).limit(1)).first()
    return "ready" if first else "empty"


def data_version(engine: Engine) -> tuple:
    """A cheap fingerprint that changes whenever a harvest or extraction lands.

    Returns
    -------
    tuple
        (article count, latest ``Article.updated``, extraction count, latest
        ``Extraction.extracted_at``, harvest-run count, latest ``HarvestRun.finished``,
        stored trial keys and the latest of them: :mod:`db.trials`) as strings; used
        as the key of the dashboard's caches.
    """
    with engine.connect() as conn:
        a = conn.execute(select(func.count(), func.max(Article.updated)).select_from(Article)).one()
        e = conn.execute(select(func.count(), func.max(Extraction.extracted_at)).select_from(Extraction)).one()
        h = conn.execute(select(func.count(), func.max(HarvestRun.finished), func.max(HarvestRun.started)).select_from(HarvestRun)).one()
        t = conn.execute(select(func.count(), func.max(ArticleTrial.updated)).select_from(ArticleTrial)).one()
    return tuple(str(v) for v in (*a, *e, *h, *t))


# --------------------------------------------------------------------------- article filter


@dataclass(frozen=True)
class ArticleFilter:
    """What the evidence explorer (and every drill-down link) filters on.

    Empty tuples / ``None`` mean "no restriction". Values are compared with
    bound parameters; ``text`` is a PubMed-style full-text query over title,
    abstract, keywords and MeSH (phrases, AND/OR/NOT, prefix*, field tags:
    :mod:`db.search`), combined with every other field. A function given a
    filter with an invalid ``text`` raises :class:`db.search.SearchSyntaxError`,
    on a database without the search index :class:`db.search.SearchIndexMissingError`.
    """

    topics: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    designs: tuple[str, ...] = ()
    year_min: Optional[int] = None
    year_max: Optional[int] = None
    routes: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    min_sample_size: Optional[int] = None
    directions: tuple[str, ...] = ()
    adverse_event: Optional[str] = None
    text: str = ""
    since: Optional[datetime] = None
    include_retracted: bool = True
    pmids: tuple[int, ...] = field(default=())
    #: only retracted articles (the explorer's "retracted only"; ``include_retracted`` must not be False)
    retracted_only: bool = False


def _where(f: ArticleFilter, conn: Connection | Engine) -> list:
    """The conditions of ``f`` on ``Article`` (outer-joined to ``Extraction``); ``conn``, the database the
    statement will run on, compiles the search text (:func:`db.search.matching`)."""
    clauses: list = [_live()]
    if f.topics:
        clauses.append(exists().where(ArticleTopic.pmid == Article.pmid, ArticleTopic.topic.in_(f.topics)))
    if f.conditions:
        clauses.append(exists().where(ExtractionCondition.pmid == Article.pmid, ExtractionCondition.condition.in_(f.conditions)))
    if f.designs:
        designs = [d for d in f.designs if d != NOT_EXTRACTED]
        parts = [Extraction.design.in_(designs)] if designs else []
        if NOT_EXTRACTED in f.designs:
            parts.append(Extraction.pmid.is_(None))
        clauses.append(or_(*parts))
    if f.year_min is not None:
        clauses.append(Article.pub_year >= f.year_min)
    if f.year_max is not None:
        clauses.append(Article.pub_year <= f.year_max)
    if f.routes:
        clauses.append(exists().where(ExtractionRoute.pmid == Article.pmid, ExtractionRoute.route.in_(f.routes)))
    if f.forms:
        # ketamine_forms is a JSON list of codes; match the quoted code in its text
        as_text = cast(Extraction.ketamine_forms, String)
        clauses.append(or_(*[as_text.contains(f'"{form}"', autoescape=True) for form in f.forms]))
    if f.min_sample_size is not None:
        clauses.append(Extraction.sample_size >= f.min_sample_size)
    if f.directions:
        clauses.append(Extraction.efficacy_direction.in_(f.directions))
    if f.adverse_event:
        clauses.append(
            exists().where(
                ExtractedAdverseEvent.pmid == Article.pmid,
                ExtractedAdverseEvent.term == f.adverse_event,
                ExtractedAdverseEvent.status == OCCURRED,
            )
        )
    if f.text.strip():
        clauses.append(matching(conn, f.text))
    if f.since is not None:
        clauses.append(Article.first_seen >= f.since)
    if not f.include_retracted:
        clauses.append(Article.is_retracted == false())
    if f.retracted_only:
        clauses.append(Article.is_retracted == true())
    if f.pmids:
        # PMIDs are positive 64-bit integers (the column type): anything else
        # matches nothing, instead of the database's "integer out of range".
        valid = storable_pmids(f.pmids)
        clauses.append(Article.pmid.in_(valid) if valid else false())
    return clauses


_ROW_COLUMNS = [
    Article.pmid,
    Article.pub_year,
    Article.entrez_date,
    Article.title,
    Article.journal,
    Article.doi,
    Article.is_retracted,
    Article.first_seen,
    func.coalesce(Extraction.design, NOT_EXTRACTED).label("design"),
    Extraction.sample_size,
    Extraction.conditions,
    Extraction.routes,
    Extraction.ketamine_forms,
    Extraction.efficacy_direction,
    Extraction.serious_ae,
]

SORTS = {
    "newest": "Newest first (PubMed entry date)",
    "relevance": "Best match (the search text; else newest)",
    "oldest": "Oldest first",
    "sample_size": "Largest sample first",
    "pmid": "PMID",
    "title": "Title A-Z",
}


def _sorted(stmt, sort: str, f: ArticleFilter, conn: Connection):
    """``stmt`` (over ``Article``) ordered by ``sort``; ``relevance`` ranks by the search text as the Search page
    does (:func:`db.search.ranking`, newest PMID first among equals) and is ``newest`` without one."""
    if sort == "relevance" and f.text.strip():
        ranked = ranking(conn, f.text)
        if ranked is not None:
            return stmt.outerjoin(ranked, ranked.c.pmid == Article.pmid).order_by(
                func.coalesce(ranked.c.rank, 0.0).desc(), Article.pmid.desc())
        return stmt.order_by(Article.pmid.desc())
    return stmt.order_by(*_order(sort))


def _order(sort: str) -> list:
    if sort == "oldest":
        return [Article.entrez_date.asc().nulls_last(), Article.pmid.asc()]
    if sort == "sample_size":
        return [Extraction.sample_size.desc().nulls_last(), Article.pmid.desc()]
    if sort == "pmid":
        return [Article.pmid.asc()]
    if sort == "title":
        return [Article.title.asc(), Article.pmid.asc()]
    return [Article.entrez_date.desc().nulls_last(), Article.pmid.desc()]


def _row(m: Any) -> dict:
    d = dict(m)
    for key in ("first_seen",):
        if key in d:
            d[key] = _utc(d[key])
    for key in ("conditions", "routes", "ketamine_forms", "comparators", "authors", "nct_ids", "keywords"):
        if key in d and d[key] is None:
            d[key] = []
    return d


def count_articles(engine: Engine, f: ArticleFilter = ArticleFilter()) -> int:
    """Number of (non-deleted) articles matching ``f``."""
    with engine.connect() as conn:
        stmt = select(func.count()).select_from(Article).outerjoin(Extraction, Extraction.pmid == Article.pmid).where(*_where(f, conn))
        return int(conn.execute(stmt).scalar_one())


def search_articles(
    engine: Engine, f: ArticleFilter = ArticleFilter(), sort: str = "newest", limit: int = 500, offset: int = 0
) -> tuple[int, list[dict]]:
    """Articles matching ``f`` (one row each, with their extraction summary).

    Returns
    -------
    (int, list[dict])
        The total number of matches and the ``limit`` rows from ``offset`` in ``sort`` order.
    """
    # With search text (a set of index lookups) one statement with a window count
    # evaluates the search once; otherwise a separate indexed count and an ordered,
    # limited select are faster than materialising every match for the window.
    windowed = bool(f.text.strip())
    cols = [*_ROW_COLUMNS, func.count().over().label("_total")] if windowed else _ROW_COLUMNS
    with engine.connect() as conn:
        stmt = (
            select(*cols)
            .select_from(Article)
            .outerjoin(Extraction, Extraction.pmid == Article.pmid)
            .where(*_where(f, conn))
        )
        stmt = _sorted(stmt, sort, f, conn).limit(limit).offset(offset)
        rows = [_row(r) for r in conn.execute(stmt).mappings()]
    if windowed and rows:
        total = rows[0]["_total"]
        for r in rows:
            del r["_total"]
    else:
        total = count_articles(engine, f)
    return total, rows


def sample_sizes(engine: Engine, f: ArticleFilter = ArticleFilter()) -> list[tuple[int, Optional[int]]]:
    """``(pmid, sample size)`` of every article matching ``f`` (None when not stated or not extracted),
    the input of :func:`db.trials.summarise` ("k trials, n participants" of a selection)."""
    with engine.connect() as conn:
        stmt = (select(Article.pmid, Extraction.sample_size).select_from(Article)
                .outerjoin(Extraction, Extraction.pmid == Article.pmid).where(*_where(f, conn)))
        return [(int(p), n) for p, n in conn.execute(stmt)]


def export_articles(engine: Engine, f: ArticleFilter = ArticleFilter(), sort: str = "newest", limit: int | None = None) -> list[dict]:
    """Every article matching ``f`` with the fields reference managers need
    (authors, journal, volume, issue, pages, DOI, keywords, abstract)."""
    with engine.connect() as conn:
        stmt = (
            select(*_ROW_COLUMNS, Article.abstract, Article.authors, Article.pub_date, Article.journal_iso, Article.nct_ids,
                   Article.keywords, Article.pmcid, Article.volume, Article.issue, Article.pages, Extraction.comparators)
            .select_from(Article)
            .outerjoin(Extraction, Extraction.pmid == Article.pmid)
            .where(*_where(f, conn))
        )
        stmt = _sorted(stmt, sort, f, conn)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_row(r) for r in conn.execute(stmt).mappings()]


def filter_options(engine: Engine) -> dict:
    """Distinct values offered by the explorer's filters, most frequent first."""
    with engine.connect() as conn:
        def counted(col, *joins, unique: bool = True):
            # ``unique``: (pmid, value) is a primary key, so count() needs no DISTINCT
            n = func.count() if unique else func.count(distinct(Article.pmid))
            stmt = select(col, n.label("n")).select_from(Article)
            for target, on in joins:
                stmt = stmt.join(target, on)
            stmt = stmt.where(_live()).group_by(col).order_by(n.desc(), col)
            return [(v, int(k)) for v, k in conn.execute(stmt) if v is not None]

        years = conn.execute(select(func.min(Article.pub_year), func.max(Article.pub_year)).where(_live())).one()
        max_n = conn.execute(select(func.max(Extraction.sample_size))).scalar()
        return {
            "topics": counted(ArticleTopic.topic, (ArticleTopic, ArticleTopic.pmid == Article.pmid)),
            "conditions": counted(ExtractionCondition.condition, (ExtractionCondition, ExtractionCondition.pmid == Article.pmid)),
            "designs": counted(Extraction.design, (Extraction, Extraction.pmid == Article.pmid)),
            "routes": counted(ExtractionRoute.route, (ExtractionRoute, ExtractionRoute.pmid == Article.pmid)),
            "directions": counted(Extraction.efficacy_direction, (Extraction, Extraction.pmid == Article.pmid)),
            # only events some article reports as occurring: the explorer's filter matches those reports
            "adverse_events": counted(
                ExtractedAdverseEvent.term,
                (ExtractedAdverseEvent, and_(ExtractedAdverseEvent.pmid == Article.pmid, ExtractedAdverseEvent.status == OCCURRED)),
                unique=False,
            ),
            "year_min": years[0],
            "year_max": years[1],
            "max_sample_size": max_n,
        }


# --------------------------------------------------------------------------- overview


def totals(engine: Engine) -> dict:
    """Headline counts: articles, extracted, waiting for extraction, retracted, with any trial design."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                func.count(),
                func.count(Extraction.pmid),
                func.sum(case((Article.is_retracted == true(), 1), else_=0)),
                func.sum(case((and_(Extraction.pmid.is_(None), Article.needs_extraction == true()), 1), else_=0)),
            )
            .select_from(Article)
            .outerjoin(Extraction, Extraction.pmid == Article.pmid)
            .where(_live())
        ).one()
    return {"articles": int(row[0]), "extracted": int(row[1]), "retracted": int(row[2] or 0), "pending": int(row[3] or 0)}


def counts_by_topic(engine: Engine) -> list[tuple[str, int]]:
    """(topic, articles) for each harvested topic, largest first."""
    stmt = (
        select(ArticleTopic.topic, func.count())
        .join(Article, Article.pmid == ArticleTopic.pmid)
        .where(_live())
        .group_by(ArticleTopic.topic)
        .order_by(func.count().desc())
    )
    with engine.connect() as conn:
        return [(t, int(n)) for t, n in conn.execute(stmt)]


def counts_by_condition(engine: Engine) -> list[tuple[str, int]]:
    """(condition, articles) over extracted articles, largest first."""
    stmt = (
        select(ExtractionCondition.condition, func.count())
        .join(Article, Article.pmid == ExtractionCondition.pmid)
        .where(_live())
        .group_by(ExtractionCondition.condition)
        .order_by(func.count().desc())
    )
    with engine.connect() as conn:
        return [(c, int(n)) for c, n in conn.execute(stmt)]


def design_counts(engine: Engine, conditions: Sequence[str] = (), topics: Sequence[str] = ()) -> list[tuple[str, int]]:
    """(design, articles); articles without extraction count as ``not_extracted``."""
    f = ArticleFilter(conditions=tuple(conditions), topics=tuple(topics))
    design = func.coalesce(Extraction.design, NOT_EXTRACTED)
    with engine.connect() as conn:
        stmt = (
            select(design, func.count())
            .select_from(Article)
            .outerjoin(Extraction, Extraction.pmid == Article.pmid)
            .where(*_where(f, conn))
            .group_by(design)
            .order_by(func.count().desc())
        )
        return [(d, int(n)) for d, n in conn.execute(stmt)]


def year_condition_counts(engine: Engine) -> list[tuple[int, str, int]]:
    """(publication year, condition, articles) for the per-year chart."""
    stmt = (
        select(Article.pub_year, ExtractionCondition.condition, func.count())
        .join(ExtractionCondition, ExtractionCondition.pmid == Article.pmid)
        .where(_live(), Article.pub_year.is_not(None))
        .group_by(Article.pub_year, ExtractionCondition.condition)
        .order_by(Article.pub_year)
    )
    with engine.connect() as conn:
        return [(int(y), c, int(n)) for y, c, n in conn.execute(stmt)]


def last_harvest(engine: Engine) -> Optional[dict]:
    """The latest nightly harvest: its runs (those started within
    :data:`HARVEST_SESSION` of the latest run), their start, end and statuses.

    Returns
    -------
    dict or None
        ``{"started", "finished", "status", "runs": [...], "new": int}``; status is
        ``"success"`` only when every run of the session succeeded.
    """
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(HarvestRun.started))).scalar()
        if latest is None:
            return None
        latest = _utc(latest)
        runs = [
            _run_row(r)
            for r in conn.execute(
                select(*HarvestRun.__table__.columns).where(HarvestRun.started >= latest - HARVEST_SESSION).order_by(HarvestRun.started)
            ).mappings()
        ]
    statuses = {r["status"] for r in runs}
    status = "running" if "running" in statuses else "failed" if "failed" in statuses else "success"
    finished = [r["finished"] for r in runs if r["finished"]]
    return {
        "started": runs[0]["started"],
        "finished": max(finished) if finished and status != "running" else None,
        "status": status,
        "runs": runs,
        "new": sum(r["new"] for r in runs),
    }


def _run_row(m) -> dict:
    d = dict(m)
    for key in ("started", "finished"):
        d[key] = _utc(d.get(key))
    return d


# --------------------------------------------------------------------------- adverse events


def _condition_join(stmt, pmid_col):
    return stmt.outerjoin(ExtractionCondition, ExtractionCondition.pmid == pmid_col)


def _matching_pmids(f: ArticleFilter, conn: Connection | Engine):
    """The PMIDs of the (non-deleted) articles that match ``f``, as a subquery."""
    return select(Article.pmid).select_from(Article).outerjoin(Extraction, Extraction.pmid == Article.pmid).where(*_where(f, conn))


def matching_pmids(engine: Engine, f: ArticleFilter = ArticleFilter()) -> list[int]:
    """The PMIDs of the (non-deleted) articles that match ``f``, ascending (for the CSV download,
    which reads its columns through :func:`db.export.records`)."""
    with engine.connect() as conn:
        return list(conn.execute(_matching_pmids(f, conn).order_by(Article.pmid)).scalars())


#: the columns of :func:`adverse_event_reports`
AE_REPORT_COLUMNS = ("pmid", "condition", "organ_class", "term", "status")
#: the columns of :func:`study_rows`
STUDY_COLUMNS = ("pmid", "condition", "route", "design", "direction", "sample_size", "trial_key")


def adverse_event_reports(engine: Engine) -> list[tuple]:
    """Every report of an adverse event, or of its absence, in a (non-deleted) article: the rows the
    Adverse events page counts in memory.

    Only mentions whose status is ``occurred`` (a report of the event) or
    ``not_occurred`` (a report that it did not occur) are rows; planned,
    background and other drugs' mentions report no event of the study.

    Returns
    -------
    list[tuple]
        :data:`AE_REPORT_COLUMNS`, each combination once; an article of several
        conditions once under each, one without a condition under :data:`UNSPECIFIED`.
    """
    ae = ExtractedAdverseEvent
    condition = func.coalesce(ExtractionCondition.condition, UNSPECIFIED)
    stmt = (
        _condition_join(select(ae.pmid, condition, ae.organ_class, ae.term, ae.status)
                        .select_from(ae).join(Article, Article.pmid == ae.pmid), ae.pmid)
        .where(_live(), ae.status.in_((OCCURRED, NOT_OCCURRED)))
        .distinct()
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


def study_rows(engine: Engine) -> list[tuple]:
    """Every (non-deleted) article once per extracted condition and route, with its design, efficacy
    direction, sample size and stored trial key: what the dashboard counts trials and participants from,
    in memory (:mod:`dashboard.trial_counts`).

    Returns
    -------
    list[tuple]
        :data:`STUDY_COLUMNS`: condition and route :data:`UNSPECIFIED` for an article without one (or not
        extracted yet); design, direction and sample size None when not extracted (or not stated); trial
        key None for an article that is a trial of its own (:mod:`db.trials`).
    """
    stmt = (
        select(Article.pmid, func.coalesce(ExtractionCondition.condition, UNSPECIFIED),
               func.coalesce(ExtractionRoute.route, UNSPECIFIED), Extraction.design, Extraction.efficacy_direction,
               Extraction.sample_size, ArticleTrial.trial_key)
        .select_from(Article)
        .outerjoin(Extraction, Extraction.pmid == Article.pmid)
        .outerjoin(ExtractionCondition, ExtractionCondition.pmid == Article.pmid)
        .outerjoin(ExtractionRoute, ExtractionRoute.pmid == Article.pmid)
        .outerjoin(ArticleTrial, ArticleTrial.pmid == Article.pmid)
        .where(_live())
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


def topic_rows(engine: Engine) -> list[tuple[int, str]]:
    """``(pmid, topic)`` of every (non-deleted) article, once per harvest topic that found it."""
    stmt = select(ArticleTopic.pmid, ArticleTopic.topic).join(Article, Article.pmid == ArticleTopic.pmid).where(_live())
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


def occurred_events_by_pmid(engine: Engine, pmids: Iterable[int]) -> dict[int, list[str]]:
    """The events each article reports as occurring (status ``occurred``), for a table column.

    Parameters
    ----------
    pmids : iterable of int
        The articles (a page of the explorer); PMIDs outside the column's range are ignored.

    Returns
    -------
    dict[int, list[str]]
        PMID -> distinct event terms, alphabetical; articles without one are left out.
    """
    wanted = storable_pmids(pmids)
    ae = ExtractedAdverseEvent
    out: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for i in range(0, len(wanted), _IN_CHUNK):
            stmt = (select(ae.pmid, ae.term).where(ae.pmid.in_(wanted[i:i + _IN_CHUNK]), ae.status == OCCURRED)
                    .distinct().order_by(ae.pmid, ae.term))
            for pmid, term in conn.execute(stmt):
                out.setdefault(pmid, []).append(term)
    return out


def first_authors(engine: Engine, pmids: Iterable[int]) -> dict[int, str]:
    """The first author of each article, as a reference list names it ("Smith J", "Smith J et al.").

    Parameters
    ----------
    pmids : iterable of int
        The articles (a page of the explorer); PMIDs outside the column's range are ignored.

    Returns
    -------
    dict[int, str]
        PMID -> "Last Initials" (a collective name as given), with "et al." when there
        are more authors; articles without authors are left out.
    """
    wanted = storable_pmids(pmids)
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(wanted), _IN_CHUNK):
            for pmid, authors in conn.execute(select(Article.pmid, Article.authors).where(Article.pmid.in_(wanted[i:i + _IN_CHUNK]))):
                named = [name for name in map(author_name, authors or []) if name]
                if named:
                    out[pmid] = named[0] + (" et al." if len(named) > 1 else "")
    return out


def adverse_event_frequencies(engine: Engine, conditions: Sequence[str] = (), term: str | None = None,
                              limit: int | None = 2000, studies: ArticleFilter | None = None) -> list[dict]:
    """Event mentions that state a frequency ("12/40", "30 %"), with the study's N and design
    (mentions of events that occurred only; with ``studies``, only in articles matching that filter;
    ``limit`` None: all of them)."""
    ae = ExtractedAdverseEvent
    stmt = (
        select(ae.pmid, ae.term, ae.organ_class, ae.frequency, ae.frequency_pct, Extraction.sample_size, Extraction.design,
               Article.pub_year)
        .join(Article, Article.pmid == ae.pmid)
        .join(Extraction, Extraction.pmid == ae.pmid)
        .where(_live(), ae.status == OCCURRED, ae.frequency.is_not(None))
    )
    if conditions:
        stmt = stmt.where(exists().where(ExtractionCondition.pmid == ae.pmid, ExtractionCondition.condition.in_(conditions)))
    if term:
        stmt = stmt.where(ae.term == term)
    if studies is not None:
        stmt = stmt.where(ae.pmid.in_(_matching_pmids(studies, engine)))
    stmt = stmt.order_by(ae.term, ae.frequency_pct.desc().nulls_last(), ae.pmid)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def adverse_event_evidence(
    engine: Engine, term: str, conditions: Sequence[str] = (), negated: bool | None = None, limit: int = 500,
    statuses: Sequence[str] | None = None, studies: ArticleFilter | None = None,
) -> list[dict]:
    """The sentences behind one event.

    Parameters
    ----------
    studies : ArticleFilter, optional
        Only sentences of articles matching this filter.
    negated : bool, optional
        Only negated (True) or only non-negated (False) mentions.
    statuses : sequence of str, optional
        Only mentions with one of these statuses (``AE_STATUSES``); None or
        empty: every status.

    Returns
    -------
    list[dict]
        ``pmid, title, pub_year, design, negated, frequency, sentence, is_retracted, status, arm``.
    """
    ae = ExtractedAdverseEvent
    stmt = (
        select(ae.pmid, Article.title, Article.pub_year, func.coalesce(Extraction.design, NOT_EXTRACTED).label("design"),
               ae.negated, ae.frequency, ae.sentence, Article.is_retracted, ae.status, ae.arm)
        .join(Article, Article.pmid == ae.pmid)
        .outerjoin(Extraction, Extraction.pmid == ae.pmid)
        .where(_live(), ae.term == term)
    )
    if conditions:
        stmt = stmt.where(exists().where(ExtractionCondition.pmid == ae.pmid, ExtractionCondition.condition.in_(conditions)))
    if negated is not None:
        stmt = stmt.where(ae.negated == (true() if negated else false()))
    if statuses:
        stmt = stmt.where(ae.status.in_(tuple(statuses)))
    if studies is not None:
        # "+ 0" keeps SQLite from driving the join by the (large) list of matching articles instead of the
        # event's index: the SQLite query planner documentation's "unary +" technique; 0.05 -> 0.03 s at 50,000
        stmt = stmt.where((ae.pmid + 0).in_(_matching_pmids(studies, engine)))
    stmt = stmt.order_by(Article.pub_year.desc().nulls_last(), ae.pmid.desc(), ae.id).limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


# --------------------------------------------------------------------------- outcomes


def direction_counts(engine: Engine, conditions: Sequence[str] = (), designs: Sequence[str] = ()) -> list[dict]:
    """Studies and participants by condition, design and efficacy direction.

    ``participants`` sums ``sample_size`` with a study of unstated size counting
    as 1, so a 500-patient trial weighs 500 times a case report.
    """
    condition = func.coalesce(ExtractionCondition.condition, UNSPECIFIED).label("condition")
    stmt = _condition_join(
        select(
            condition,
            Extraction.design,
            Extraction.efficacy_direction.label("direction"),
            func.count(distinct(Extraction.pmid)).label("studies"),
            func.sum(func.coalesce(Extraction.sample_size, 1)).label("participants"),
        )
        .select_from(Extraction)
        .join(Article, Article.pmid == Extraction.pmid),
        Extraction.pmid,
    ).where(_live())
    if conditions:
        stmt = stmt.where(ExtractionCondition.condition.in_(conditions))
    if designs:
        stmt = stmt.where(Extraction.design.in_(designs))
    stmt = stmt.group_by(condition, Extraction.design, Extraction.efficacy_direction).order_by(condition, Extraction.design)
    with engine.connect() as conn:
        return [{**dict(r), "participants": int(r["participants"] or 0)} for r in conn.execute(stmt).mappings()]


def outcome_measures(engine: Engine, conditions: Sequence[str] = (), designs: Sequence[str] = ()) -> list[dict]:
    """Outcome measures used: ``measure, direction, studies`` (distinct articles)."""
    out = ExtractedOutcome
    direction = func.coalesce(out.direction, "unclear").label("direction")
    stmt = (
        select(out.measure, direction, func.count(distinct(out.pmid)).label("studies"))
        .join(Article, Article.pmid == out.pmid)
        .join(Extraction, Extraction.pmid == out.pmid)
        .where(_live())
    )
    if conditions:
        stmt = stmt.where(exists().where(ExtractionCondition.pmid == out.pmid, ExtractionCondition.condition.in_(conditions)))
    if designs:
        stmt = stmt.where(Extraction.design.in_(designs))
    stmt = stmt.group_by(out.measure, direction).order_by(out.measure)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def _doses_by_pmid(conn, pmids: Sequence[int]) -> dict[int, list[str]]:
    doses: dict[int, list[str]] = {}
    for i in range(0, len(pmids), _IN_CHUNK):
        chunk = pmids[i : i + _IN_CHUNK]
        stmt = select(ExtractedDose.pmid, ExtractedDose.text).where(ExtractedDose.pmid.in_(chunk)).order_by(ExtractedDose.pmid, ExtractedDose.start)
        for pmid, text in conn.execute(stmt):
            doses.setdefault(pmid, []).append(text)
    return doses


def trial_table(
    engine: Engine, designs: Sequence[str], conditions: Sequence[str] = (), limit: int = 2000
) -> tuple[int, list[dict]]:
    """Trials (``designs``, e.g. the RCT codes) with N, route, form, dose, comparator and direction, largest first."""
    f = ArticleFilter(designs=tuple(designs), conditions=tuple(conditions))
    stmt = (
        select(Article.pmid, Article.pub_year, Article.title, Article.is_retracted, Extraction.design, Extraction.sample_size,
               Extraction.conditions, Extraction.routes, Extraction.ketamine_forms, Extraction.comparators,
               Extraction.efficacy_direction)
        .select_from(Article)
        .join(Extraction, Extraction.pmid == Article.pmid)
        .where(*_where(f, engine))
        .order_by(Extraction.sample_size.desc().nulls_last(), Article.pmid.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = [_row(r) for r in conn.execute(stmt).mappings()]
        doses = _doses_by_pmid(conn, [r["pmid"] for r in rows])
    total = count_articles(engine, f)
    for r in rows:
        r["doses"] = doses.get(r["pmid"], [])
    return total, rows


# --------------------------------------------------------------------------- one article


def article_detail(engine: Engine, pmid: int) -> Optional[dict]:
    """Everything about one article: record, MeSH, publication types, topics, extraction and its rows.

    Returns ``None`` when the PMID is not stored (deleted citations are returned,
    flagged by ``is_deleted``, so links to them still explain themselves).
    """
    with engine.connect() as conn:
        art = conn.execute(select(Article.__table__).where(Article.pmid == pmid)).mappings().first()
        if art is None:
            return None
        out = _row(art)
        out["updated"] = _utc(out.get("updated"))
        out["mesh"] = [dict(r) for r in conn.execute(
            select(ArticleMesh.descriptor, ArticleMesh.major_topic, ArticleMesh.qualifiers)
            .where(ArticleMesh.pmid == pmid).order_by(ArticleMesh.major_topic.desc(), ArticleMesh.descriptor)).mappings()]
        out["pub_types"] = list(conn.execute(
            select(ArticlePubType.pub_type).where(ArticlePubType.pmid == pmid).order_by(ArticlePubType.pub_type)).scalars())
        out["topics"] = list(conn.execute(
            select(ArticleTopic.topic).where(ArticleTopic.pmid == pmid).order_by(ArticleTopic.topic)).scalars())
        ex = conn.execute(select(Extraction.__table__).where(Extraction.pmid == pmid)).mappings().first()
        out["extraction"] = None
        if ex is not None:
            ex = dict(ex)
            ex["extracted_at"] = _utc(ex["extracted_at"])
            out["extraction"] = ex
        cols = lambda t: [c for c in t.__table__.columns if c.name not in ("id", "pmid")]  # noqa: E731
        out["adverse_events"] = [dict(r) for r in conn.execute(
            select(*cols(ExtractedAdverseEvent)).where(ExtractedAdverseEvent.pmid == pmid).order_by(ExtractedAdverseEvent.start)).mappings()]
        out["outcomes"] = [dict(r) for r in conn.execute(
            select(*cols(ExtractedOutcome)).where(ExtractedOutcome.pmid == pmid).order_by(ExtractedOutcome.start)).mappings()]
        out["doses"] = [dict(r) for r in conn.execute(
            select(*cols(ExtractedDose)).where(ExtractedDose.pmid == pmid).order_by(ExtractedDose.start)).mappings()]
    return out


# --------------------------------------------------------------------------- about the data


def harvest_history(engine: Engine, limit: int = 500) -> list[dict]:
    """The latest harvest runs, newest first."""
    with engine.connect() as conn:
        stmt = select(*HarvestRun.__table__.columns).order_by(HarvestRun.started.desc(), HarvestRun.id.desc()).limit(limit)
        return [_run_row(r) for r in conn.execute(stmt).mappings()]


def extractor_versions(engine: Engine) -> list[dict]:
    """Extractor versions in use: ``version, articles, first, last`` extraction time."""
    stmt = (
        select(Extraction.extractor_version.label("version"), func.count().label("articles"),
               func.min(Extraction.extracted_at).label("first"), func.max(Extraction.extracted_at).label("last"))
        .group_by(Extraction.extractor_version)
        .order_by(func.max(Extraction.extracted_at).desc())
    )
    with engine.connect() as conn:
        return [{**dict(r), "first": _utc(r["first"]), "last": _utc(r["last"])} for r in conn.execute(stmt).mappings()]


def articles_by_pmids(engine: Engine, pmids: Iterable[int]) -> list[dict]:
    """Row summaries of the given PMIDs (for drill-down lists), in PMID order."""
    pmids = storable_pmids(pmids)
    rows: list[dict] = []
    for i in range(0, len(pmids), _IN_CHUNK):
        rows += search_articles(engine, ArticleFilter(pmids=tuple(pmids[i : i + _IN_CHUNK])), sort="pmid", limit=_IN_CHUNK)[1]
    return rows
