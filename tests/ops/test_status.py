import json
from datetime import timedelta

import pytest

from db.engine import make_engine
from db.harvest_state import finish_run, start_run
from db.migrate import upgrade
from db.models import HarvestRun, utcnow
from db.records import ArticleRecord
from db.store import upsert_articles
from ketamine_tracker.cli import main

TOPICS = ("migraine", "pain", "depression")


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    yield db_url, engine
    engine.dispose()


def _runs(engine, status="success", finished_ago=timedelta(hours=1), error=None, topics=TOPICS):
    for topic in topics:
        run_id = start_run(engine, topic, "incremental", None, None)
        with engine.begin() as conn:
            finish_run(conn, run_id, status, error=error, found=5, new=2)
            conn.execute(HarvestRun.__table__.update().where(HarvestRun.__table__.c.id == run_id)
                         .values(finished=utcnow() - finished_ago))


def test_never_harvested_is_unhealthy(db, capsys):
    url, _ = db
    assert main(["--database-url", url, "status"]) == 3
    assert "migraine: never harvested" in capsys.readouterr().out


def test_recent_successes_are_healthy(db, capsys):
    url, engine = db
    _runs(engine)
    assert main(["--database-url", url, "status"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("healthy")


def test_failed_last_run_is_unhealthy_and_shows_the_error(db, capsys):
    url, engine = db
    _runs(engine)
    _runs(engine, status="failed", error="efetch: HTTP 503 after 6 tries", topics=("pain",))
    assert main(["--database-url", url, "status"]) == 3
    out = capsys.readouterr().out
    assert "pain: last run failed: efetch: HTTP 503 after 6 tries" in out


def test_stale_success_is_unhealthy(db, capsys):
    url, engine = db
    _runs(engine, finished_ago=timedelta(hours=50))
    assert main(["--database-url", url, "status", "--max-age-hours", "36"]) == 3
    assert main(["--database-url", url, "status", "--max-age-hours", "72"]) == 0


def test_json_counts_pending_extraction(db, capsys):
    url, engine = db
    _runs(engine)
    upsert_articles(engine, [ArticleRecord(pmid=1, title="a"), ArticleRecord(pmid=2, title="b")])
    capsys.readouterr()
    assert main(["--database-url", url, "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["healthy"] is True
    assert data["articles"]["articles"] == 2
    assert data["articles"]["pending_extraction"] == 2
    assert data["topics"]["pain"]["runs"][0]["new"] == 2


def test_status_on_a_missing_database_is_a_clear_error_and_creates_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["--database-url", url, "status"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_status_on_a_database_without_schema_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty.db").write_bytes(b"")
    assert main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "status"]) == 2
    assert "has no tracker schema" in capsys.readouterr().err
