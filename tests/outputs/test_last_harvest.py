"""db.news.last_harvest: the last update/harvest job that finished, and what is new since it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from db.models import Article, HarvestRun
from db.news import changes_since_last_harvest, last_harvest

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
TOPICS = ("migraine", "pain", "depression")


def _job(engine, start, statuses=("success",) * 3, kind="incremental", minutes=2, new=(1, 2, 3)):
    """One update: a run per topic, each starting when the previous one finished."""
    with Session(engine) as s:
        for i, (topic, status) in enumerate(zip(TOPICS, statuses)):
            began = start + timedelta(minutes=i * minutes)
            s.add(HarvestRun(topic=topic, kind=kind, started=began, status=status, new=new[i],
                             finished=None if status == "running" else began + timedelta(minutes=minutes)))
        s.commit()


def _article(engine, pmid, first_seen):
    with Session(engine) as s:
        s.add(Article(pmid=pmid, title=f"article {pmid}", first_seen=first_seen, updated=first_seen))
        s.commit()


def test_no_run_means_no_last_harvest(db_engine):
    assert last_harvest(db_engine) is None


def test_the_runs_of_one_update_are_one_harvest(db_engine):
    _job(db_engine, T0)
    h = last_harvest(db_engine)
    assert (h.started, h.finished, h.topics, h.new) == (T0, T0 + timedelta(minutes=6), TOPICS, 6)


def test_runs_within_12_hours_are_not_merged(db_engine):
    _job(db_engine, T0)
    _job(db_engine, T0 + timedelta(hours=6), new=(0, 0, 12))
    h = last_harvest(db_engine)
    assert (h.started, h.new, len(h.run_ids)) == (T0 + timedelta(hours=6), 12, 3)


def test_a_failed_earlier_attempt_does_not_count_as_the_last_harvest(db_engine):
    _job(db_engine, T0, statuses=("failed",) * 3)
    _job(db_engine, T0 + timedelta(minutes=30))
    h = last_harvest(db_engine)
    assert (h.started, h.status, h.failed_topics) == (T0 + timedelta(minutes=30), "success", ())


def test_a_later_attempt_where_every_topic_failed_is_not_the_last_harvest(db_engine):
    _job(db_engine, T0)
    _job(db_engine, T0 + timedelta(hours=24), statuses=("failed",) * 3)
    assert last_harvest(db_engine).started == T0


def test_an_update_with_one_failed_topic_finished_and_says_so(db_engine):
    _job(db_engine, T0, statuses=("success", "failed", "success"))
    h = last_harvest(db_engine)
    assert (h.status, h.failed_topics) == ("failed", ("pain",))


def test_an_update_still_running_is_not_the_last_harvest(db_engine):
    _job(db_engine, T0)
    _job(db_engine, T0 + timedelta(hours=24), statuses=("success", "running", "running"))
    assert last_harvest(db_engine).started == T0


def test_a_retry_right_after_a_failed_attempt_is_a_harvest_of_its_own(db_engine):
    _job(db_engine, T0, statuses=("failed",) * 3, minutes=1)
    _job(db_engine, T0 + timedelta(minutes=4), minutes=1)
    h = last_harvest(db_engine)
    assert (h.started, len(h.run_ids)) == (T0 + timedelta(minutes=4), 3)


def test_an_ingest_is_not_a_harvest(db_engine):
    _job(db_engine, T0)
    _job(db_engine, T0 + timedelta(hours=5), kind="ingest")
    assert last_harvest(db_engine).started == T0


def test_new_since_the_last_harvest_counts_only_what_it_and_later_runs_stored(db_engine):
    _job(db_engine, T0)
    _job(db_engine, T0 + timedelta(hours=6))
    _article(db_engine, 1, T0 + timedelta(minutes=1))
    _article(db_engine, 2, T0 + timedelta(hours=6, minutes=1))
    news = changes_since_last_harvest(db_engine)
    assert [i.pmid for i in news.new.items] == [2]


def test_no_changes_since_a_harvest_that_never_finished(db_engine):
    _job(db_engine, T0, statuses=("running",) * 3)
    assert changes_since_last_harvest(db_engine) is None
