"""What changed in the database: new, revised and newly retracted articles.

Read side of the Atom feeds and the digest (``ketamine_tracker.outputs``).
Every list is one SQL statement that works on SQLite and PostgreSQL: the
articles are picked, ordered and LIMITed in a subquery, and only the picked
rows get their topics and adverse events aggregated (correlated subqueries over
indexed ``pmid`` columns), so the cost follows the limit, not the table.

Definitions (``article.first_seen`` is when the tracker first stored the PMID,
``article.updated`` when it last stored a real change of its content; both are
UTC):

* new: first seen in the window;
* revised: first seen before the window, content changed in it, not retracted;
* newly retracted: first seen before the window, content changed in it, and
  retracted now. The database keeps no retraction date; PubMed revises a
  record when it links the retraction notice, so a retraction arrives as a
  revision. A retracted article that is new in the window is listed as new
  (with ``is_retracted`` set).

Deleted articles are never listed.

"The last harvest" (:func:`last_harvest`) is the last ``update``/``harvest``
job that finished: the ``harvest_run`` rows of one job (one per topic, run one
after another) are told apart from those of other jobs by their timing and
topics, never by a fixed span such as "within 12 hours"; a job still running,
or one whose every topic failed, is not the last harvest.
:func:`changes_since_last_harvest` lists what that job and anything after it
stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence

from sqlalchemy import and_, case, exists, false, func, literal, select, true
from sqlalchemy.engine import Connection, Engine

from .engine import connection
from .export import author_name
from .models import AE_OCCURRED, Article, ArticleTopic, ExtractedAdverseEvent, Extraction, HarvestRun

#: Order of designs in a change list: randomised trials first, then reviews,
#: other trials, observational studies, case reports, the rest; designs not
#: named here come after them, articles not extracted yet last.
DESIGN_ORDER = (
    "rct",
    "meta_analysis", "systematic_review", "review",
    "non_randomized_trial", "non_randomised_trial",
    "observational", "cohort", "case_control", "cross_sectional",
    "case_series", "case_report",
    "protocol", "preclinical", "other",
)
#: separator of aggregated strings (ASCII unit separator: in no term or topic name)
_SEP = "\x1f"
#: most rows a list returns, whatever the caller asks
MAX_LIMIT = 10_000
#: ``harvest_run.kind`` of runs that are no harvest (``ingest`` loads files); every other kind
#: (``backfill``, ``incremental``, ``harvest``) is a run of ``update`` or ``harvest``
NOT_HARVEST_KINDS = ("ingest",)
#: a job harvests its topics one after another: a run that started at most this
#: long after the next one's start finished belongs to the same job
RUN_GAP = timedelta(minutes=10)
#: harvest runs read when looking for the last finished job (a job has one per topic)
RUNS_READ = 200


@dataclass(frozen=True)
class NewsItem:
    """One article of a change list, with its extraction summary.

    Attributes
    ----------
    pmid : int
    version : int
        PubMed version of the record (1 for almost every record).
    title, journal, doi : str or None
        As PubMed gives them (untrusted text: escape before rendering).
    pub_year : int or None
    first_seen, updated : datetime
        UTC, timezone-aware.
    is_retracted : bool
    design : str or None
        Extracted design code (``rct``, ``review``, ...); None when not extracted yet.
    sample_size, pooled_participants : int or None
    routes, ketamine_forms, conditions : tuple of str
    efficacy_direction : str or None
    adverse_events : tuple of str
        Terms of adverse events reported as having occurred, most often mentioned first.
    topics : tuple of str
        Configured topics whose query returned the article, sorted.
    authors : tuple of str
        ``Smith J`` or a collective name, in PubMed's order.
    """

    pmid: int
    version: int
    title: str
    journal: Optional[str]
    doi: Optional[str]
    pub_year: Optional[int]
    first_seen: datetime
    updated: datetime
    is_retracted: bool
    design: Optional[str]
    sample_size: Optional[int]
    pooled_participants: Optional[int]
    routes: tuple[str, ...]
    ketamine_forms: tuple[str, ...]
    conditions: tuple[str, ...]
    efficacy_direction: Optional[str]
    adverse_events: tuple[str, ...]
    topics: tuple[str, ...]
    authors: tuple[str, ...] = ()

    @property
    def revised(self) -> bool:
        """True when the content changed after the article was first stored."""
        return self.updated > self.first_seen


@dataclass(frozen=True)
class ChangeList:
    """Up to ``limit`` items of one kind of change, and how many there are in all.

    Attributes
    ----------
    items : list of NewsItem
    total : int
        Articles matching, including those beyond the limit.
    """

    items: list[NewsItem]
    total: int


@dataclass(frozen=True)
class Changes:
    """The changes of a window ``[since, until)``.

    Attributes
    ----------
    since, until : datetime
        UTC bounds of the window.
    topic : str or None
        The topic the lists are restricted to (None: every article).
    new, revised, retracted : ChangeList
    """

    since: datetime
    until: datetime
    topic: Optional[str]
    new: ChangeList
    revised: ChangeList
    retracted: ChangeList


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone: pass UTC-aware datetimes")
    return value.astimezone(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _design_rank():
    e = Extraction.__table__
    whens = [(e.c.design == code, i) for i, code in enumerate(DESIGN_ORDER)]
    return case(*whens, (e.c.design.is_(None), len(DESIGN_ORDER) + 1), else_=len(DESIGN_ORDER))


def _picked(where: list, order: str, topic: Optional[str], limit: int, with_total: bool):
    """The subquery choosing the articles of a list (filtered, ordered, limited)."""
    a, e, t = Article.__table__, Extraction.__table__, ArticleTopic.__table__
    cols = [
        a.c.pmid, a.c.version, a.c.title, a.c.journal, a.c.doi, a.c.authors, a.c.pub_year, a.c.first_seen, a.c.updated,
        a.c.is_retracted, e.c.design, e.c.sample_size, e.c.pooled_participants, e.c.routes, e.c.ketamine_forms,
        e.c.conditions, e.c.efficacy_direction,
    ]
    if order == "design":
        rank = _design_rank().label("rank")
        unknown_n = case((e.c.sample_size.is_(None), 1), else_=0).label("unknown_n")
        cols += [rank, unknown_n]
        ordering = [rank, unknown_n, e.c.sample_size.desc(), a.c.pmid.desc()]
    else:
        ordering = [a.c.updated.desc(), a.c.pmid.desc()]
    if with_total:
        cols.append(func.count().over().label("total"))
    else:
        cols.append(literal(0).label("total"))
    stmt = select(*cols).select_from(a.outerjoin(e, e.c.pmid == a.c.pmid)).where(a.c.is_deleted == false(), *where)
    if topic is not None:
        stmt = stmt.where(exists().where(and_(t.c.pmid == a.c.pmid, t.c.topic == topic)))
    return stmt.order_by(*ordering).limit(limit).subquery("picked")


def _list(conn: Connection, where: list, order: str, topic: Optional[str], limit: int, with_total: bool) -> ChangeList:
    """Run one list's statement: the picked articles with their topics and adverse events."""
    if not 0 < limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    t, ae = ArticleTopic.__table__, ExtractedAdverseEvent.__table__
    p = _picked(where, order, topic, limit, with_total)
    topics = select(func.aggregate_strings(t.c.topic, _SEP)).where(t.c.pmid == p.c.pmid).scalar_subquery()
    events = (
        select(func.aggregate_strings(ae.c.term, _SEP))
        .where(ae.c.pmid == p.c.pmid, ae.c.status == AE_OCCURRED)
        .scalar_subquery()
    )
    if order == "design":
        ordering = [p.c.rank, p.c.unknown_n, p.c.sample_size.desc(), p.c.pmid.desc()]
    else:
        ordering = [p.c.updated.desc(), p.c.pmid.desc()]
    stmt = select(p, topics.label("topic_names"), events.label("event_terms")).order_by(*ordering)
    items, total = [], 0
    for row in conn.execute(stmt).mappings():
        total = row["total"]
        items.append(_item(row))
    if not with_total:
        total = len(items)
    return ChangeList(items=items, total=int(total))


def _split(value: Optional[str]) -> list[str]:
    return [x for x in value.split(_SEP) if x] if value else []


def _item(row) -> NewsItem:
    counts = Counter(_split(row["event_terms"]))
    events = tuple(term for term, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower())))
    return NewsItem(
        pmid=int(row["pmid"]),
        version=int(row["version"] or 1),
        title=row["title"] or "",
        journal=row["journal"],
        doi=row["doi"],
        pub_year=row["pub_year"],
        first_seen=_aware(row["first_seen"]),
        updated=_aware(row["updated"]),
        is_retracted=bool(row["is_retracted"]),
        design=row["design"],
        sample_size=row["sample_size"],
        pooled_participants=row["pooled_participants"],
        routes=tuple(row["routes"] or ()),
        ketamine_forms=tuple(row["ketamine_forms"] or ()),
        conditions=tuple(row["conditions"] or ()),
        efficacy_direction=row["efficacy_direction"],
        adverse_events=events,
        topics=tuple(sorted(set(_split(row["topic_names"])))),
        authors=tuple(name for name in map(author_name, row["authors"] or ()) if name),
    )



def changes(
    target: Engine | Connection,
    since: datetime,
    *,
    until: Optional[datetime] = None,
    topic: Optional[str] = None,
    limit: int = 500,
) -> Changes:
    """New, revised and newly retracted articles of the window ``[since, until)``.

    Each list is ordered randomised trials first (then by :data:`DESIGN_ORDER`),
    larger studies first within a design, then by PMID, newest first.

    Parameters
    ----------
    target : Engine or Connection
        The database.
    since : datetime
        Start of the window (timezone-aware).
    until : datetime, optional
        End of the window, exclusive (timezone-aware; default: now).
    topic : str, optional
        Only articles linked to this topic.
    limit : int
        Most items per list (1..:data:`MAX_LIMIT`); ``total`` counts them all.

    Returns
    -------
    Changes

    Raises
    ------
    ValueError
        A naive datetime, an empty window or a limit out of range.
    """
    since = _utc(since)
    until = _utc(until) if until is not None else datetime.now(timezone.utc)
    if until <= since:
        raise ValueError(f"empty window: since {since:%Y-%m-%d %H:%M} is not before until {until:%Y-%m-%d %H:%M}")
    a = Article.__table__
    # updated >= first_seen always, so every list can start from the index on updated
    changed = [a.c.updated >= since, a.c.updated < until]
    with connection(target) as conn:
        new = _list(conn, changed + [a.c.first_seen >= since, a.c.first_seen < until], "design", topic, limit, True)
        older = changed + [a.c.first_seen < since]
        revised = _list(conn, older + [a.c.is_retracted == false()], "design", topic, limit, True)
        retracted = _list(conn, older + [a.c.is_retracted == true()], "design", topic, limit, True)
    return Changes(since=since, until=until, topic=topic, new=new, revised=revised, retracted=retracted)


def latest(target: Engine | Connection, *, topic: Optional[str] = None, limit: int = 100) -> list[NewsItem]:
    """The articles most recently stored or revised, newest first (for feeds).

    Parameters
    ----------
    target : Engine or Connection
        The database.
    topic : str, optional
        Only articles linked to this topic.
    limit : int
        Most items (1..:data:`MAX_LIMIT`).

    Returns
    -------
    list of NewsItem
        Ordered by ``updated`` then PMID, both descending; deleted articles left out.
    """
    with connection(target) as conn:
        return _list(conn, [], "updated", topic, limit, False).items


@dataclass(frozen=True)
class Harvest:
    """One finished ``update``/``harvest`` job: its ``harvest_run`` rows taken together.

    Attributes
    ----------
    started, finished : datetime
        UTC: the start of its first run and the end of its last.
    status : str
        ``success`` when every topic succeeded, ``failed`` when some failed.
    topics : tuple of str
        Topics harvested, in the order they ran.
    failed_topics : tuple of str
        Those whose run failed.
    run_ids : tuple of int
    new, updated : int
        Articles the job stored for the first time, and revised (sums of the runs' counters).
    """

    started: datetime
    finished: datetime
    status: str
    topics: tuple[str, ...]
    failed_topics: tuple[str, ...]
    run_ids: tuple[int, ...]
    new: int
    updated: int


def _jobs(runs: Sequence[dict]) -> list[list[dict]]:
    """Group runs (newest first) into jobs, newest first; each job's runs oldest first.

    A run joins the (newer) job being built when it finished no earlier than
    :data:`RUN_GAP` before that job's first start and its topic is not in the
    job yet (a job harvests each topic once). A run without an end (running, or
    left by a killed process) ends its job.
    """
    jobs: list[list[dict]] = []
    current: list[dict] = []
    for run in runs:
        if current:
            first = current[0]
            joins = (
                run["finished"] is not None
                and run["finished"] >= first["started"] - RUN_GAP
                and run["finished"] <= first["started"] + RUN_GAP
                and run["topic"] not in {r["topic"] for r in current}
            )
            if joins:
                current.insert(0, run)
                continue
            jobs.append(current)
        current = [run]
    if current:
        jobs.append(current)
    return jobs


def last_harvest(target: Engine | Connection) -> Optional[Harvest]:
    """The last ``update``/``harvest`` job that finished.

    Runs started hours apart are separate jobs, however close; a job still
    running, or one in which every topic failed (no network, say), does not
    count: the job before it is the last harvest. ``ingest`` runs are no harvest.

    Parameters
    ----------
    target : Engine or Connection
        The database.

    Returns
    -------
    Harvest or None
        None when no job has finished with at least one topic harvested.
    """
    r = HarvestRun.__table__
    stmt = (
        select(r.c.id, r.c.topic, r.c.started, r.c.finished, r.c.status, r.c.new, r.c.updated)
        .where(r.c.kind.not_in(NOT_HARVEST_KINDS))
        .order_by(r.c.started.desc(), r.c.id.desc())
        .limit(RUNS_READ)
    )
    with connection(target) as conn:
        runs = [
            {**row, "started": _aware(row["started"]), "finished": _aware(row["finished"]) if row["finished"] else None}
            for row in conn.execute(stmt).mappings()
        ]
    for job in _jobs(runs):
        statuses = [run["status"] for run in job]
        if "running" in statuses or any(run["finished"] is None for run in job) or "success" not in statuses:
            continue
        failed = tuple(run["topic"] for run in job if run["status"] != "success")
        return Harvest(
            started=job[0]["started"],
            finished=max(run["finished"] for run in job),
            status="failed" if failed else "success",
            topics=tuple(run["topic"] for run in job),
            failed_topics=failed,
            run_ids=tuple(int(run["id"]) for run in job),
            new=sum(int(run["new"] or 0) for run in job),
            updated=sum(int(run["updated"] or 0) for run in job),
        )
    return None


def changes_since_last_harvest(
    target: Engine | Connection, *, topic: Optional[str] = None, limit: int = 500
) -> Optional[Changes]:
    """:func:`changes` from the start of :func:`last_harvest` until now.

    Parameters
    ----------
    target : Engine or Connection
        The database.
    topic : str, optional
        Only articles linked to this topic.
    limit : int
        Most items per list.

    Returns
    -------
    Changes or None
        None when no harvest has finished yet.
    """
    with connection(target) as conn:
        harvest = last_harvest(conn)
        if harvest is None:
            return None
        return changes(conn, harvest.started, topic=topic, limit=limit)
