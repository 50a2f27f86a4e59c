"""Harvest logic in-process: slicing past the id cap, incremental windows, faults, watermark."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from db.harvest_state import get_topic_state
from db.models import Article, HarvestRun
from harvester.eutils import EutilsError, RetryPolicy
from support.fake_eutils import make_articles
from harvester.harvest import IdSearch, harvest, harvest_topic

TODAY = date(2025, 1, 15)  # the ``options`` fixture's "today"


def _runs(engine):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(HarvestRun).order_by(HarvestRun.id)).mappings()]


def _pmids(engine):
    with engine.connect() as conn:
        return set(conn.execute(select(Article.pmid)).scalars())


# --- slicing past the cap ---------------------------------------------------------------
def test_search_beyond_9999_ids_finds_every_pmid_once(fake, client, topics):
    arts = make_articles(12_000, "pain", start=date(2016, 1, 1), end=date(2024, 12, 31))
    fake.add_articles(arts)
    ids = IdSearch(client, topics["pain"].query).run(today=TODAY)
    assert ids == {a.pmid for a in arts}


def test_search_beyond_9999_never_asks_past_the_cap(fake, client, topics):
    fake.add_articles(make_articles(12_000, "pain", start=date(2016, 1, 1), end=date(2024, 12, 31)))
    IdSearch(client, topics["pain"].query).run(today=TODAY)
    assert all(e.status == 200 and "ERROR" not in str(e.fault) for e in fake.log) and not client.retries


def test_backfill_beyond_cap_stores_every_record_once(fake, client, topics, options, db_engine, snapshot_of):
    fake.id_cap = 40
    arts = make_articles(150, "pain", start=date(2023, 1, 1), end=date(2024, 6, 30))
    fake.add_articles(arts)
    result = harvest_topic(db_engine, client, topics["pain"], options(id_cap=40))
    snap = snapshot_of(db_engine)
    assert (result.found, result.new) == (150, 150)
    assert set(snap["articles"]) == {a.pmid for a in arts}
    assert snap["links"] == {(a.pmid, "pain") for a in arts}


def test_single_day_over_cap_is_an_explicit_error(fake, client, topics, options, db_engine):
    fake.id_cap = 10
    fake.add_articles(make_articles(12, "pain", start=date(2024, 3, 1), end=date(2024, 3, 1)))
    with pytest.raises(EutilsError, match="2024/03/01.*single day cannot be split"):
        harvest_topic(db_engine, client, topics["pain"], options(id_cap=10))


def test_zero_count_is_asked_again(fake, client, topics):
    arts = make_articles(30, "pain")
    fake.add_articles(arts)
    fake.script("errorlist", n=1, endpoint="esearch")
    assert IdSearch(client, topics["pain"].query).run(today=TODAY) == {a.pmid for a in arts}


def test_halves_that_do_not_add_up_are_asked_again(fake, client, topics):
    fake.id_cap = 40
    arts = make_articles(100, "pain", start=date(2023, 1, 1), end=date(2023, 12, 31))
    fake.add_articles(arts)
    window = ("edat", date(2023, 1, 1), date(2023, 12, 31))
    clean = IdSearch(client, topics["pain"].query, id_cap=40).run(*window)
    clean_requests = fake.counts()["esearch"]
    fake.reset_log()
    # requests: window count, first half's count (comes back as a flaky zero), ...
    fake.script("errorlist", n=1, endpoint="esearch", skip=1)
    again = IdSearch(client, topics["pain"].query, id_cap=40).run(*window)
    assert again == clean == {a.pmid for a in arts}
    assert fake.counts()["esearch"] > clean_requests


def test_halves_persistently_short_of_the_whole_fail_instead_of_losing_records(fake, client, topics):
    fake.id_cap = 40
    fake.add_articles(make_articles(100, "pain", start=date(2023, 1, 1), end=date(2023, 12, 31)))
    # esearch requests: 1 window count, then per round: 2 first half, 3 second half, 4 whole again.
    # The first half's count (requests 2, 5, 8) comes back as a flaky zero every time.
    for skip in (1, 3, 5):
        fake.script("errorlist", n=1, endpoint="esearch", skip=skip)
    with pytest.raises(EutilsError, match="do not add up after 3 tries"):
        IdSearch(client, topics["pain"].query, id_cap=40).run("edat", date(2023, 1, 1), date(2023, 12, 31))


# --- backfill, incremental, watermark -------------------------------------------------------
def test_backfill_moves_watermark_to_run_date(fake, client, topics, options, db_engine):
    fake.add_articles(make_articles(40, "pain"))
    harvest_topic(db_engine, client, topics["pain"], options())
    stored = get_topic_state(db_engine, "pain")
    assert (stored.watermark, stored.query_hash) == (TODAY, topics["pain"].query_hash)


def test_backfill_records_a_successful_run(fake, client, topics, options, db_engine):
    fake.add_articles(make_articles(40, "pain"))
    harvest_topic(db_engine, client, topics["pain"], options())
    (run,) = _runs(db_engine)
    assert (run["kind"], run["status"], run["found"], run["new"], run["window_end"]) == ("backfill", "success", 40, 40, TODAY)
    assert run["requests"] == len(fake.log) and run["finished"] is not None


def _incremental_setup(fake, client, topics, options, engine):
    """Backfill 60 records on day 1; then 5 new, 3 revised on day 2."""
    arts = make_articles(60, "pain", start=date(2024, 1, 1), end=TODAY - timedelta(days=10))
    fake.add_articles(arts)
    harvest_topic(engine, client, topics["pain"], options())
    day2 = TODAY + timedelta(days=7)
    new = make_articles(5, "pain", start_pmid=31_000_000, start=day2 - timedelta(days=1), end=day2 - timedelta(days=1))
    fake.add_articles(new)
    revised = [fake.revise(a.pmid, day2 - timedelta(days=2)) for a in arts[:3]]
    result = harvest_topic(engine, client, topics["pain"], options(today=lambda: day2))
    return arts, new, revised, result, day2


def test_incremental_run_fetches_new_and_revised_only(fake, client, topics, options, db_engine):
    _, new, revised, result, _ = _incremental_setup(fake, client, topics, options, db_engine)
    assert (result.kind, result.found, result.new, result.updated) == ("incremental", 8, 5, 3)


def test_incremental_window_starts_overlap_days_before_watermark(fake, client, topics, options, db_engine):
    *_, result, day2 = _incremental_setup(fake, client, topics, options, db_engine)
    assert (result.window_start, result.window_end) == (TODAY - timedelta(days=3), day2)


def test_incremental_run_leaves_unchanged_records_untouched(fake, client, topics, options, db_engine):
    arts = make_articles(60, "pain", start=date(2024, 1, 1), end=TODAY - timedelta(days=10))
    fake.add_articles(arts)
    harvest_topic(db_engine, client, topics["pain"], options())
    with db_engine.connect() as conn:
        before = dict(conn.execute(select(Article.pmid, Article.updated)).all())
    day2 = TODAY + timedelta(days=7)
    fake.revise(arts[0].pmid, day2)
    harvest_topic(db_engine, client, topics["pain"], options(today=lambda: day2))
    with db_engine.connect() as conn:
        after = dict(conn.execute(select(Article.pmid, Article.updated)).all())
    changed = {p for p in before if before[p] != after[p]}
    assert changed == {arts[0].pmid}


def test_incremental_run_moves_watermark(fake, client, topics, options, db_engine):
    *_, day2 = _incremental_setup(fake, client, topics, options, db_engine)
    assert get_topic_state(db_engine, "pain").watermark == day2


def test_incremental_result_matches_a_fresh_backfill(fake, client, topics, options, db_engine, snapshot_of, engine):
    _incremental_setup(fake, client, topics, options, db_engine)
    harvest_topic(engine, client, topics["pain"], options(today=lambda: TODAY + timedelta(days=7)))
    assert snapshot_of(db_engine) == snapshot_of(engine)


def test_changed_query_triggers_backfill(fake, client, topics, options, engine):
    from harvester.topics import Topic

    fake.add_articles(make_articles(20, "pain"))
    harvest_topic(engine, client, topics["pain"], options())
    fake.topics["pain"] = "ketamine AND (pain OR analgesia)"
    changed = Topic("pain", "ketamine AND (pain OR analgesia)")
    result = harvest_topic(engine, client, changed, options(today=lambda: TODAY + timedelta(days=1)))
    assert (result.kind, result.found, result.unchanged) == ("backfill", 20, 20)


def test_full_flag_forces_backfill(fake, client, topics, options, engine):
    fake.add_articles(make_articles(20, "pain"))
    harvest_topic(engine, client, topics["pain"], options())
    result = harvest_topic(engine, client, topics["pain"], options(full=True))
    assert (result.kind, result.found) == ("backfill", 20)


def test_article_in_two_topics_is_stored_once_and_linked_twice(fake, client, topics, options, engine, snapshot_of):
    fake.add_articles(make_articles(10, ["pain", "depression"]))
    harvest(engine, client, [topics["pain"], topics["depression"]], options())
    snap = snapshot_of(engine)
    assert (len(snap["articles"]), len(snap["links"])) == (10, 20)


# --- faults end to end ------------------------------------------------------------------
@pytest.fixture
def three_topics(fake):
    for i, name in enumerate(["pain", "depression", "migraine"]):
        fake.add_articles(make_articles(30, name, start_pmid=30_000_000 + 1000 * i, seed=i))


_CLEAN: dict = {}  # the clean run's snapshot and request count (the corpus is deterministic)


@pytest.mark.parametrize("fault", ["429", "500", "503", "reset", "truncate", "backend", "errorlist", "short"])
def test_harvest_with_faults_equals_clean_harvest(fault, fake, make_client, topics, options, three_topics,
                                                  tmp_path, snapshot_of):
    from sqlmodel import SQLModel

    from db.engine import make_engine

    opts = options(workers=1, batch_size=10)  # one request at a time, so the seeded faults replay identically
    if not _CLEAN:
        clean_engine = make_engine(f"sqlite:///{tmp_path / 'clean'}.db")
        SQLModel.metadata.create_all(clean_engine)
        harvest(clean_engine, make_client(), list(topics.values()), opts)
        _CLEAN.update(snapshot=snapshot_of(clean_engine), requests=len(fake.log))
        clean_engine.dispose()
        fake.reset_log()
    engine = make_engine(f"sqlite:///{tmp_path / 'faulty'}.db")
    SQLModel.metadata.create_all(engine)
    fake.set_fault_rates({fault: 0.2}, seed=7)
    harvest(engine, make_client(retry=RetryPolicy(tries=8, base=0.001, cap=0.01)), list(topics.values()), opts)
    assert snapshot_of(engine) == _CLEAN["snapshot"]
    assert fake.faults_served()[fault] > 0 and len(fake.log) > _CLEAN["requests"]
    engine.dispose()


def test_short_efetch_is_refetched(fake, client, topics, options, engine):
    arts = make_articles(50, "pain")
    fake.add_articles(arts)
    fake.script("short", n=2, endpoint="efetch")
    result = harvest_topic(engine, client, topics["pain"], options(batch_size=25, workers=1))
    assert (result.new, _pmids(engine)) == (50, {a.pmid for a in arts})
    assert fake.counts()["efetch"] == 4  # 2 batches + 2 refetches of the missing records


def test_persistently_short_efetch_fails_clearly(fake, client, topics, options, engine):
    fake.add_articles(make_articles(20, "pain"))
    fake.script("short", n=50, endpoint="efetch")
    with pytest.raises(EutilsError, match=r"efetch did not return \d+ of 20 requested PMIDs after 3 tries"):
        harvest_topic(engine, client, topics["pain"], options(refetch_rounds=2))


def test_failed_run_is_recorded_and_watermark_not_moved(fake, client, topics, options, engine):
    fake.add_articles(make_articles(60, "pain"))
    harvest_topic(engine, client, topics["pain"], options())
    fake.revise(30_000_001, TODAY + timedelta(days=2))
    fake.script("503", n=100, endpoint="efetch")
    with pytest.raises(EutilsError):
        harvest_topic(engine, client, topics["pain"], options(today=lambda: TODAY + timedelta(days=3)))
    last = _runs(engine)[-1]
    assert (last["status"], last["kind"], get_topic_state(engine, "pain").watermark) == ("failed", "incremental", TODAY)
    assert "HTTP 503" in last["error"]


def test_failing_topic_does_not_stop_the_others(fake, client, topics, options, engine, three_topics):
    # pain needs 2 esearch requests (count, ids); then every try (5) of depression's count fails
    fake.script("backend", n=5, endpoint="esearch", skip=2)
    results, failures = harvest(engine, client, [topics["pain"], topics["depression"], topics["migraine"]], options())
    assert [r.status for r in results] == ["success", "failed", "success"]
    assert [f.topic for f in failures] == ["depression"]


def test_orphaned_running_row_is_closed_by_next_run(fake, client, topics, options, engine):
    from db.harvest_state import start_run

    start_run(engine, "pain", "backfill", None, TODAY)  # as left by a killed process
    fake.add_articles(make_articles(5, "pain"))
    harvest(engine, client, [topics["pain"]], options())
    first = _runs(engine)[0]
    assert (first["status"], first["error"].startswith("interrupted")) == ("failed", True)
