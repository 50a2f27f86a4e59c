"""Dashboard-style readers while a harvest or an extraction writes, on SQLite and PostgreSQL.

Reader threads use a read-only engine (``make_engine(url, read_only=True)``, as
the dashboard does) and, over and over, read the dashboard totals through
``db.queries`` and every visible article with its MeSH, publication-type and
topic rows (or every visible extraction with its child rows). Each batch is one
transaction, so a reader must never get an OperationalError ("database is
locked"), must only ever see whole batches, and every article (extraction) it
sees must already have all of its children.

The harvest is ``ketamine-tracker harvest`` in a subprocess against the fake
E-utilities server; while it runs, a second process's ``update`` must be
refused with exit code 75 (the run lock across processes; the in-test-process
variant is in ``tests/harvester/test_harvest_cli.py``): the test parks the
harvest's next E-utilities request for that moment, so the harvest is surely alive. The extraction writer
rewrites real :func:`nlp.extract.extract_article` results through
:func:`db.extractions.write_extractions` in batches.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from db import queries
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    Article,
    ArticleMesh,
    ArticlePubType,
    ArticleTopic,
    ExtractedAdverseEvent,
    ExtractedDose,
    ExtractedOutcome,
    Extraction,
    ExtractionCondition,
    ExtractionRoute,
)
from support.fake_eutils import FakeEutils

PER_TOPIC = 60
BATCH = 10
READERS = 3
EXTRACT_ARTICLES = 40
EXTRACT_BATCH = 8
EXTRACT_ROUNDS = 4
CHILDREN = (ExtractionCondition, ExtractionRoute, ExtractedAdverseEvent, ExtractedOutcome, ExtractedDose)


@dataclass
class Watch:
    """What the readers saw."""

    reads: int = 0
    reads_while_writing: int = 0
    errors: list[str] = field(default_factory=list)
    articles: dict = field(default_factory=dict)  # pmid -> set of (mesh, pubtypes) counts seen
    topic_links_seen: list[dict] = field(default_factory=list)  # per read: topic -> visible links
    extractions_seen: list[int] = field(default_factory=list)  # per read: visible extractions
    extraction_children: dict = field(default_factory=dict)  # pmid -> set of child-count tuples seen


def _grouped(conn, model, pmids) -> Counter:
    rows = conn.execute(select(model.pmid, func.count()).where(model.pmid.in_(pmids)).group_by(model.pmid))
    return Counter(dict(rows.all()))


def _read_articles(conn, watch: Watch) -> None:
    pmids = list(conn.execute(select(Article.pmid)).scalars())
    if pmids:
        mesh, pts = _grouped(conn, ArticleMesh, pmids), _grouped(conn, ArticlePubType, pmids)
        for p in pmids:
            watch.articles.setdefault(p, set()).add((mesh[p], pts[p]))
    links = dict(conn.execute(select(ArticleTopic.topic, func.count()).group_by(ArticleTopic.topic)).all())
    watch.topic_links_seen.append(links)


def _read_extractions(conn, watch: Watch) -> None:
    pmids = list(conn.execute(select(Extraction.pmid)).scalars())
    watch.extractions_seen.append(len(pmids))
    if pmids:
        counts = [_grouped(conn, model, pmids) for model in CHILDREN]
        for p in pmids:
            watch.extraction_children.setdefault(p, set()).add(tuple(c[p] for c in counts))


def _readers(url: str, watch: Watch, writing: threading.Event, stop: threading.Event, read) -> list[threading.Thread]:
    lock = threading.Lock()

    def loop():
        engine = make_engine(url, read_only=True)
        try:
            while not stop.is_set():
                busy = writing.is_set()
                try:
                    queries.totals(engine)
                    queries.count_articles(engine)
                    with engine.connect() as conn, lock:
                        read(conn, watch)
                except OperationalError as exc:
                    watch.errors.append(" ".join(str(exc.orig).split())[:200])
                with lock:
                    watch.reads += 1
                    watch.reads_while_writing += busy and writing.is_set()
                time.sleep(0.005)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=loop, name=f"reader-{i}", daemon=True) for i in range(READERS)]
    for t in threads:
        t.start()
    return threads


def _final_articles(engine) -> dict:
    with engine.connect() as conn:
        pmids = list(conn.execute(select(Article.pmid)).scalars())
        mesh, pts = _grouped(conn, ArticleMesh, pmids), _grouped(conn, ArticlePubType, pmids)
        links = dict(conn.execute(select(ArticleTopic.topic, func.count()).group_by(ArticleTopic.topic)).all())
    return {"children": {p: (mesh[p], pts[p]) for p in pmids}, "links": links}


def _final_extractions(engine) -> dict:
    with engine.connect() as conn:
        pmids = list(conn.execute(select(Extraction.pmid)).scalars())
        counts = [_grouped(conn, model, pmids) for model in CHILDREN]
    return {p: tuple(c[p] for c in counts) for p in pmids}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def harvest_watch(request, tmp_path_factory):
    """Readers and a competing ``update`` during a CLI harvest."""
    ops = request.getfixturevalue("ops")
    tmp = tmp_path_factory.mktemp(f"readers-{request.param}")
    url = ops.backend_url(request, request.param, tmp)
    engine = make_engine(url)
    upgrade(engine)  # the schema exists before the first reader opens the database read-only
    topics_path = ops.write_topics_file(tmp / "topics.toml")
    watch, writing, stop = Watch(), threading.Event(), threading.Event()
    with FakeEutils(ops.QUERIES, rate_limit=None, rate_limit_with_key=None) as server:
        ops.add_corpus(server, PER_TOPIC)
        env = ops.cli_env(server.url, url, topics_path, KETAMINE_TRACKER_RATE_LIMIT="20",
                          KETAMINE_TRACKER_HTTP_TIMEOUT="300")
        threads = _readers(url, watch, writing, stop, _read_articles)
        writing.set()
        proc = ops.spawn_cli(["harvest", "--batch-size", str(BATCH), "--workers", "1"], env)
        ops.wait_until(lambda: ops.article_count(engine) >= 2 * BATCH or proc.poll() is not None, timeout=90)
        # The fake server's lock is taken by every request on arrival: holding it parks the harvest's next
        # request, so the harvest (batches left to fetch) surely holds the run lock while `update` tries.
        with server._lock:
            competing = ops.run_cli(["update"], env, timeout=300)
            running_during_update = proc.poll() is None
        out, err = proc.communicate(timeout=180)
        writing.clear()
        stop.set()
        for t in threads:
            t.join(timeout=30)
    final = _final_articles(engine)
    engine.dispose()
    return {"watch": watch, "final": final, "harvest_code": proc.returncode, "harvest_err": err,
            "competing": competing, "competing_overlapped": running_during_update}


def test_harvest_finished(harvest_watch):
    assert harvest_watch["harvest_code"] == 0, harvest_watch["harvest_err"][-1500:]


def test_readers_read_while_the_harvest_wrote(harvest_watch):
    assert harvest_watch["watch"].reads_while_writing >= 20


def test_readers_never_got_an_operational_error(harvest_watch):
    assert harvest_watch["watch"].errors == []


def test_every_article_a_reader_saw_had_all_its_mesh_and_publication_types(harvest_watch):
    final = harvest_watch["final"]["children"]
    seen = harvest_watch["watch"].articles
    assert seen and all(counts == {final[p]} for p, counts in seen.items())


def test_readers_saw_only_whole_batches_of_topic_links(harvest_watch):
    totals = harvest_watch["final"]["links"]
    partial = [links for links in harvest_watch["watch"].topic_links_seen
               if any(n % BATCH and n != totals[t] for t, n in links.items())]
    assert partial == []


def test_competing_update_exits_75_while_the_harvest_runs(harvest_watch):
    competing = harvest_watch["competing"]
    assert harvest_watch["competing_overlapped"] and competing.returncode == 75, competing.stderr[-800:]
    assert "another ketamine-tracker run is in progress" in competing.stderr


# --------------------------------------------------------------------------- extraction writes
@pytest.fixture(scope="module")
def extraction_results(tmp_path_factory):
    """Real extractor output for EXTRACT_ARTICLES harvested synthetic articles (computed once)."""
    from db.store import upsert_articles
    from support.fake_eutils import make_articles
    from harvester.pubmed_xml import parse_records
    from support.synthetic import article_set_xml
    from nlp.extract import extract_article
    from nlp.pipeline import build_pipeline

    arts = make_articles(EXTRACT_ARTICLES, "depression", seed=5)
    records = parse_records(article_set_xml(a.render() for a in arts).encode())
    nlp = build_pipeline()
    results = []
    for rec in records:
        r = extract_article(rec.pmid, rec.title, rec.abstract, [p.name for p in rec.publication_types],
                            [m.descriptor for m in rec.mesh], nlp=nlp)
        r["content_hash"] = rec.content_hash()
        results.append(r)
    return records, results, upsert_articles


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def extraction_watch(request, tmp_path_factory, extraction_results):
    from db.extractions import write_extractions

    ops = request.getfixturevalue("ops")
    records, results, upsert_articles = extraction_results
    url = ops.backend_url(request, request.param, tmp_path_factory.mktemp(f"extract-readers-{request.param}"))
    engine = make_engine(url)
    upgrade(engine)
    upsert_articles(engine, records, topic="depression")
    watch, writing, stop = Watch(), threading.Event(), threading.Event()
    threads = _readers(url, watch, writing, stop, _read_extractions)
    writing.set()
    for _ in range(EXTRACT_ROUNDS):  # first extraction, then re-extractions that replace every row
        for i in range(0, len(results), EXTRACT_BATCH):
            write_extractions(engine, results[i : i + EXTRACT_BATCH])
            time.sleep(0.02)
    writing.clear()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    final = _final_extractions(engine)
    engine.dispose()
    return {"watch": watch, "final": final}


def test_extraction_readers_never_got_an_operational_error(extraction_watch):
    assert extraction_watch["watch"].errors == []


def test_extraction_readers_read_while_extractions_were_written(extraction_watch):
    assert extraction_watch["watch"].reads_while_writing >= 20


def test_every_extraction_a_reader_saw_had_all_its_children(extraction_watch):
    final = extraction_watch["final"]
    seen = extraction_watch["watch"].extraction_children
    assert len(final) == EXTRACT_ARTICLES and sum(map(sum, final.values())) > EXTRACT_ARTICLES
    assert seen and all(counts == {final[p]} for p, counts in seen.items())


def test_re_extraction_never_hides_an_extraction(extraction_watch):
    """Counts only grow in whole batches during the first round, then stay at the total while rows are replaced."""
    seen = extraction_watch["watch"].extractions_seen
    peak = 0
    dips = []
    for n in seen:
        if n < peak or (n % EXTRACT_BATCH and n != EXTRACT_ARTICLES):
            dips.append(n)
        peak = max(peak, n)
    assert seen and dips == []


# --------------------------------------------------------------------------- a second SQLite writer
def test_sqlite_batch_waits_for_another_writer_instead_of_failing(tmp_path):
    from db.store import upsert_articles
    from support.fake_eutils import make_articles
    from harvester.pubmed_xml import parse_records
    from support.synthetic import article_set_xml

    engine = make_engine(f"sqlite:///{tmp_path / 'two-writers.db'}")
    upgrade(engine)
    records = parse_records(article_set_xml(a.render() for a in make_articles(5, "pain")).encode())
    other = engine.raw_connection()
    other.driver_connection.execute("BEGIN IMMEDIATE")  # another writer holds the write lock for 0.5 s
    release = threading.Timer(0.5, lambda: other.driver_connection.execute("ROLLBACK"))
    release.start()
    try:
        counts = upsert_articles(engine, records, topic="pain")
    finally:
        release.join()
        other.close()
        engine.dispose()
    assert counts.new == 5
