"""Harvest PubMed topics into the database: backfill first, then incremental windows.

For each topic:

1. **Plan.** Without a stored watermark, with a changed query
   (``TopicState.query_hash``) or with ``full=True`` the run is a *backfill* of
   everything the query matches. Otherwise it is *incremental*: records entered
   (``edat``) or revised (``mdat``) since ``watermark - overlap_days``.
2. **Search.** esearch asks the count first. PubMed returns at most 9,999 ids
   per query (NBK25499, "ESearch"; NCBI Insights, *Updated PubMed E-utilities*,
   2022), so a larger result is split by date range, recursively halving down to
   single days, as EDirect does for large PubMed queries (Kans J., *Entrez Direct:
   E-utilities on the Unix Command Line*, NBK179288). Halves partition their
   parent, so there are no gaps; a pair of halves whose counts do not add up to
   the parent's count, and a top-level count of zero, are asked again before
   being believed. Ids are deduplicated by PMID.
3. **Fetch and store.** efetch in batches (POST for long lists), parsed as a
   stream by :func:`harvester.pubmed_xml.iter_records`. PMIDs missing from a
   well-formed reply are fetched again (bounded) before the run fails. Each batch
   is stored in one transaction by :func:`db.store.upsert_articles`, together with
   the run's counters.
4. **Commit the watermark** (the run's start date) with the run's ``success``
   status in one final transaction, only after every batch is stored, so a run
   killed at any moment is simply redone by the next one.
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Sequence

from sqlalchemy.engine import Engine

from db import harvest_state as state
from db.records import ArticleRecord
from db.store import UpsertCounts, upsert_articles

from .errors import EutilsError
from .eutils import PUBMED_ID_CAP, EutilsClient
from .topics import Topic

log = logging.getLogger("harvester.harvest")

#: Lower bound of a sliced backfill: PubMed's oldest citations are from 1781.
BACKFILL_START = date(1780, 1, 1)


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


@dataclass
class HarvestOptions:
    """Knobs of a harvest run.

    Parameters
    ----------
    batch_size:
        PMIDs per efetch request (NCBI suggests at most a few hundred per GET; POST for more).
    overlap_days:
        How far before the watermark an incremental window starts (late-indexed records).
    full:
        Backfill even when a watermark exists.
    workers:
        efetch requests in flight (they share the client's rate limiter).
    confirm_tries:
        How many times a zero count or a mismatched split is asked again.
    refetch_rounds:
        How many times PMIDs missing from an efetch reply are fetched again.
    id_cap:
        Ids PubMed returns for one query (9,999; lowered only in tests).
    """

    batch_size: int = 500
    overlap_days: int = 3
    full: bool = False
    workers: int = 2
    confirm_tries: int = 3
    refetch_rounds: int = 3
    id_cap: int = PUBMED_ID_CAP
    today: Callable[[], date] = utc_today
    progress: Callable[..., object] | None = None  # Progress factory (total, desc, unit)


@dataclass
class TopicResult:
    """What one topic's run did (also stored as a HarvestRun row)."""

    topic: str
    kind: str
    window_start: date | None
    window_end: date | None
    run_id: int | None = None
    status: str = "running"
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    requests: int = 0
    error: str | None = None
    #: Why E-utilities could not be reached at all ("dns", "refused", "proxy", "tls", "timeout"), else None.
    cause: str | None = None
    new_pmids: list[int] = field(default_factory=list, repr=False)

    def counters(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in state.COUNTERS}


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------
class IdSearch:
    """All PMIDs of a query (optionally within a date range), beyond the 9,999-id cap."""

    def __init__(self, client: EutilsClient, term: str, *, confirm_tries: int = 3, id_cap: int = PUBMED_ID_CAP):
        self.client = client
        self.term = term
        self.confirm_tries = max(1, confirm_tries)
        self.cap = id_cap
        self.slices = 0  # leaf slices fetched

    def _count(self, datetype: str | None, start: date | None, end: date | None) -> int:
        result = self.client.esearch(self.term, datetype=datetype, mindate=start, maxdate=end)
        for warning in result.warnings:
            log.debug("esearch warning for %s: %s", _span(start, end), warning)
        return result.count

    def _confirmed_count(self, datetype, start, end) -> int:
        """A top-level count; zero is asked again (a flaky backend answers 0 with an ErrorList)."""
        count = self._count(datetype, start, end)
        tries = 1
        while count == 0 and tries < self.confirm_tries:
            count = self._count(datetype, start, end)
            tries += 1
        return count

    def run(self, datetype: str | None = None, start: date | None = None, end: date | None = None,
            backfill_start: date = BACKFILL_START, today: date | None = None) -> set[int]:
        """PMIDs matching the term; ``datetype=None`` means the whole database (backfill)."""
        count = self._confirmed_count(datetype, start, end)
        if count == 0:
            return set()
        if count <= self.cap:
            return self._ids(datetype, start, end, count)
        if datetype is None:
            datetype, start, end = "edat", backfill_start, today or utc_today()
        log.info("%d records > %d: splitting %s..%s by %s", count, self.cap, start, end, datetype)
        return self._split(datetype, start, end, count)

    def _ids(self, datetype, start, end, expected: int) -> set[int]:
        """Ids of a slice known to hold ``expected`` (<= cap) records.

        A reply with fewer ids than its own count, or with a count below
        ``expected`` (a flaky zero), is asked again; after ``confirm_tries`` the
        latest complete reply is believed, unless it is still a zero, which
        fails the run (the next run asks again) instead of losing the slice.
        """
        result = None
        for attempt in range(self.confirm_tries):
            result = self.client.esearch(self.term, datetype=datetype, mindate=start, maxdate=end, retmax=self.cap)
            if result.count > self.cap and datetype is not None:
                log.info("slice %s grew to %d records: splitting", _span(start, end), result.count)
                return self._split(datetype, start, end, result.count)
            complete = len(set(result.ids)) == result.count <= self.cap
            # A zero is never believed for a slice whose count was not: it is PubMed's flaky zero.
            if complete and (result.count >= expected or (attempt + 1 == self.confirm_tries and result.count > 0)):
                self.slices += 1
                return set(result.ids)
            log.warning("esearch %s: %d ids for a count of %d (expected %d); asking again",
                        _span(start, end), len(result.ids), result.count, expected)
        raise EutilsError(
            f"esearch kept returning an incomplete id list for {_span(start, end)} "
            f"({len(result.ids)} ids, count {result.count}, expected {expected}) after {self.confirm_tries} tries"
            + ("; a flaky zero was not believed" if result.count == 0 else "")
        )

    def _split(self, datetype: str, start: date, end: date, count: int) -> set[int]:
        if start >= end:
            raise EutilsError(
                f"{count} records have {datetype} {start:%Y/%m/%d}: more than the {self.cap} ids PubMed returns "
                "for one query, and a single day cannot be split further; narrow the topic's query"
            )
        mid = start + timedelta(days=(end - start).days // 2)
        halves = [(start, mid), (mid + timedelta(days=1), end)]
        counts = [0, 0]
        for attempt in range(self.confirm_tries):
            counts = [self._count(datetype, a, b) for a, b in halves]
            if sum(counts) == count:
                break
            fresh = self._confirmed_count(datetype, start, end)  # a flaky zero here would drop the slice
            log.warning("split %s: halves %s do not add up to %d (parent now %d); asking again",
                        _span(start, end), counts, count, fresh)
            count = fresh
            if sum(counts) == count:
                break
        else:
            if sum(counts) < count:
                # Fewer records in the halves than in the whole: a half keeps answering a flaky
                # zero/short count. Believing it would lose records silently; fail, the next run asks again.
                raise EutilsError(
                    f"esearch counts for {_span(start, end)} ({datetype}) do not add up after "
                    f"{self.confirm_tries} tries: halves {counts}, whole {count}"
                )
            log.warning("split %s: halves %s still do not add up to %d (records added meanwhile?); "
                        "believing the halves", _span(start, end), counts, count)
        ids: set[int] = set()
        for (a, b), n in zip(halves, counts):
            if n == 0:
                continue
            ids |= self._ids(datetype, a, b, n) if n <= self.cap else self._split(datetype, a, b, n)
        return ids


def _span(start: date | None, end: date | None) -> str:
    return f"{start:%Y/%m/%d}-{end:%Y/%m/%d}" if start and end else "all dates"


# ---------------------------------------------------------------------------
# Fetch
# ---------------------------------------------------------------------------
def _default_parser():
    from .pubmed_xml import iter_records

    return iter_records


def fetch_batch(client: EutilsClient, pmids: Sequence[int], parse, refetch_rounds: int = 3) -> list[ArticleRecord]:
    """Records for exactly ``pmids``; missing ones are fetched again up to ``refetch_rounds`` times.

    Raises
    ------
    EutilsError
        Some PMIDs never came back.
    """
    wanted = set(pmids)
    got: dict[int, ArticleRecord] = {}
    pending = list(pmids)
    for round_ in range(refetch_rounds + 1):
        for rec in client.efetch(pending, parse):
            if isinstance(rec, ArticleRecord) and rec.pmid in wanted:
                got[rec.pmid] = rec
        pending = [p for p in pmids if p not in got]
        if not pending:
            return [got[p] for p in pmids]
        if round_ < refetch_rounds:
            log.warning("efetch returned %d of %d records; fetching the %d missing again",
                        len(pmids) - len(pending), len(pmids), len(pending))
    shown = ", ".join(map(str, pending[:10])) + (" ..." if len(pending) > 10 else "")
    raise EutilsError(
        f"efetch did not return {len(pending)} of {len(pmids)} requested PMIDs after {refetch_rounds + 1} tries: {shown}"
    )


def _batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


# ---------------------------------------------------------------------------
# One topic
# ---------------------------------------------------------------------------
def plan(engine: Engine, topic: Topic, options: HarvestOptions, today: date) -> tuple[str, date | None, date]:
    """``(kind, window_start, window_end)`` for ``topic``: backfill or incremental window."""
    stored = state.get_topic_state(engine, topic.name)
    if options.full or stored is None or stored.watermark is None or stored.query_hash != topic.query_hash:
        if stored is not None and stored.query_hash and stored.query_hash != topic.query_hash:
            log.info("%s: query changed since the last run: backfilling", topic.name)
        return "backfill", None, today
    return "incremental", stored.watermark - timedelta(days=options.overlap_days), today


def harvest_topic(
    engine: Engine,
    client: EutilsClient,
    topic: Topic,
    options: HarvestOptions | None = None,
    parse: Callable[..., Iterable] | None = None,
) -> TopicResult:
    """Harvest one topic; returns its result (status ``success``) or raises after recording the failure.

    Raises
    ------
    EutilsError
        E-utilities failed after bounded retries; the run is recorded as failed
        and the watermark is unchanged.
    """
    options = options or HarvestOptions()
    parse = parse or _default_parser()
    today = options.today()
    kind, window_start, window_end = plan(engine, topic, options, today)
    result = TopicResult(topic=topic.name, kind=kind, window_start=window_start, window_end=window_end)
    result.run_id = state.start_run(engine, topic.name, kind, window_start, window_end)
    requests_before = client.total_requests
    log.info("%s: %s %s", topic.name, kind, f"since {window_start}" if window_start else "of every matching record")
    try:
        search = IdSearch(client, topic.query, confirm_tries=options.confirm_tries, id_cap=options.id_cap)
        if kind == "backfill":
            ids = search.run(today=today)
        else:
            ids = search.run("edat", window_start, window_end) | search.run("mdat", window_start, window_end)
        ordered = sorted(ids)
        result.found = len(ordered)
        result.requests = client.total_requests - requests_before
        with engine.begin() as conn:
            state.update_run(conn, result.run_id, found=result.found, requests=result.requests)
        log.info("%s: %d records to fetch in batches of %d", topic.name, len(ordered), options.batch_size)
        _fetch_and_store(engine, client, topic, ordered, options, parse, result, requests_before)
        result.requests = client.total_requests - requests_before
        result.status = "success"
        with engine.begin() as conn:
            state.set_topic_state(conn, topic.name, topic.query_hash, today)
            state.finish_run(conn, result.run_id, "success", **result.counters())
    except BaseException as exc:
        result.status = "failed"
        result.requests = client.total_requests - requests_before
        result.failed = max(0, result.found - (result.new + result.updated + result.unchanged))
        result.error = client.scrub(_describe(exc))
        result.cause = getattr(exc, "cause", None)
        try:
            with engine.begin() as conn:
                state.finish_run(conn, result.run_id, "failed", error=result.error, **result.counters())
        except Exception as record_exc:  # noqa: BLE001 - the original error matters more
            log.warning("could not record the failed run of %s: %s", topic.name, _describe(record_exc))
            log.debug("recording the failed run", exc_info=True)
        if isinstance(exc, Exception):
            exc.topic_result = result  # type: ignore[attr-defined]
        raise
    log.info("%s: %s done: %d found, %d new, %d updated, %d unchanged, %d requests", topic.name, kind,
             result.found, result.new, result.updated, result.unchanged, result.requests)
    return result


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, EutilsError) else f"{type(exc).__name__}: {text}"


def _fetch_and_store(engine, client, topic, ordered, options, parse, result: TopicResult, requests_before: int) -> None:
    batches = _batches(ordered, max(1, options.batch_size))
    progress = options.progress(len(ordered), f"harvest {topic.name}", "records") if options.progress else None
    workers = max(1, options.workers)
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="efetch") as pool:
            pending: deque[Future] = deque()
            todo = iter(batches)
            for batch in todo:
                pending.append(pool.submit(fetch_batch, client, batch, parse, options.refetch_rounds))
                if len(pending) >= workers:
                    break
            try:
                while pending:
                    records = pending.popleft().result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        pending.append(pool.submit(fetch_batch, client, nxt, parse, options.refetch_rounds))
                    counts = _store(engine, topic, records, result, client, requests_before)
                    if progress is not None:
                        progress.update(len(records), new=counts.new, updated=counts.updated)
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise
    finally:
        if progress is not None:
            progress.close()


def _store(engine, topic, records, result: TopicResult, client, requests_before) -> UpsertCounts:
    with engine.begin() as conn:
        counts = upsert_articles(conn, records, topic=topic.name)
        result.new += counts.new
        result.updated += counts.updated
        result.unchanged += counts.unchanged
        result.deleted += counts.deleted
        result.new_pmids.extend(counts.new_pmids)
        result.requests = client.total_requests - requests_before
        state.update_run(conn, result.run_id, **result.counters())
    return counts


# ---------------------------------------------------------------------------
# Several topics
# ---------------------------------------------------------------------------
def harvest(
    engine: Engine,
    client: EutilsClient,
    topics: Sequence[Topic],
    options: HarvestOptions | None = None,
    parse: Callable[..., Iterable] | None = None,
) -> tuple[list[TopicResult], list[TopicResult]]:
    """Harvest ``topics`` one after another. Caller holds the run lock.

    A topic failing on E-utilities (after retries) is recorded and the next
    topic still runs; any other error (database, bug) stops the run.

    Returns
    -------
    (results, failures)
        Every topic's result, and the failed ones.
    """
    options = options or HarvestOptions()
    orphans = state.close_orphaned_runs(engine)
    if orphans:
        log.warning("%d harvest run(s) left 'running' by an interrupted process marked failed", orphans)
    results: list[TopicResult] = []
    failures: list[TopicResult] = []
    for topic in topics:
        try:
            results.append(harvest_topic(engine, client, topic, options, parse))
        except EutilsError as exc:
            log.error("%s: harvest failed: %s", topic.name, client.scrub(str(exc)))
            failed = getattr(exc, "topic_result", None) or TopicResult(
                topic=topic.name, kind="?", window_start=None, window_end=None, status="failed", error=client.scrub(str(exc)),
                cause=getattr(exc, "cause", None))
            results.append(failed)
            failures.append(failed)
    return results, failures
