"""`ketamine-tracker harvest` / `update` in a subprocess against the fake server."""

from __future__ import annotations

import signal
import time
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from db.engine import make_engine
from db.lock import run_lock
from db.models import Article, HarvestRun, TopicState
from harvester.eutils import EutilsClient
from support.fake_eutils import make_articles
from harvester.harvest import HarvestOptions, harvest_topic

SECRET = "SECRETKEY0123456789abcdef"


@pytest.fixture
def sqlite_url(tmp_path):
    """For CLI behaviour that does not depend on the backend (lock and kill tests use ``db_url``)."""
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def _rows(url: str, model) -> list[dict]:
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(model.__tablename__):
            return []
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(model)).mappings()]
    finally:
        engine.dispose()


def _count_articles(engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Article)).scalar()
    except Exception:  # noqa: BLE001 - tables not created yet
        return 0


def test_unknown_topic_exits_2_listing_known_topics(run_main, cli, fake, topics_file, tmp_path):
    db = tmp_path / "t.db"
    code, out, err = run_main(["harvest", "--topic", "nope"], cli.env(fake.url, f"sqlite:///{db}", topics_file))
    assert code == 2
    assert "unknown topic 'nope'; known topics: pain, depression, migraine" in err


def test_unknown_topic_writes_nothing(run_main, cli, fake, topics_file, tmp_path):
    db = tmp_path / "t.db"
    run_main(["harvest", "--topic", "nope"], cli.env(fake.url, f"sqlite:///{db}", topics_file))
    assert not db.exists() and len(fake.log) == 0


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url at all"])
def test_bad_database_url_exits_2(run_main, cli, fake, topics_file, url):
    code, out, err = run_main(["harvest"], cli.env(fake.url, url, topics_file))
    assert code == 2 and "DATABASE_URL" in err and len(fake.log) == 0


def test_invalid_topics_file_exits_2(run_main, cli, fake, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[topics.pain\nquery = 'x'\n", encoding="utf-8")
    code, out, err = run_main(["harvest"], cli.env(fake.url, f"sqlite:///{tmp_path / 't.db'}", bad))
    assert code == 2 and "is not valid TOML" in err


def test_harvest_prints_summary_table(run_main, cli, fake, topics_file, sqlite_url):
    fake.add_articles(make_articles(30, "pain"))
    code, out, err = run_main(["harvest", "--topic", "pain", "--batch-size", "10"], cli.env(fake.url, sqlite_url, topics_file))
    assert code == 0, err
    header, rule, row = out.strip().splitlines()
    assert header.split()[:4] == ["topic", "kind", "window", "found"]
    assert row.split()[0:2] == ["pain", "backfill"] and row.split()[3:5] == ["30", "30"]


def test_non_interactive_harvest_logs_one_line_per_batch(run_main, cli, fake, topics_file, sqlite_url):
    fake.add_articles(make_articles(30, "pain"))
    code, out, err = run_main(["harvest", "--topic", "pain", "--batch-size", "10"], cli.env(fake.url, sqlite_url, topics_file))
    assert sum("harvest pain:" in line and "records" in line for line in err.splitlines()) == 3


def test_second_run_exits_75_while_lock_held(cli, fake, topics_file, db_url):
    engine = make_engine(db_url)
    with run_lock(engine):
        proc = cli.run(["harvest"], cli.env(fake.url, db_url, topics_file))
    engine.dispose()
    assert proc.returncode == 75
    assert "another ketamine-tracker run is in progress" in proc.stderr and len(fake.log) == 0


def test_exhausted_retries_exit_1_without_moving_watermark(run_main, cli, fake, topics_file, sqlite_url):
    fake.add_articles(make_articles(30, "pain"))
    fake.script("503", n=1000, endpoint="efetch")
    code, out, err = run_main(["harvest", "--topic", "pain"], cli.env(fake.url, sqlite_url, topics_file))
    assert code == 1
    assert "harvest failed for 1 of 1 topic(s): pain: efetch failed after 4 tries" in err
    assert _rows(sqlite_url, TopicState) == [] and [r["status"] for r in _rows(sqlite_url, HarvestRun)] == ["failed"]


def test_api_key_never_in_logs_or_database(run_main, cli, fake, topics_file, sqlite_url):
    fake.add_articles(make_articles(30, "pain"))
    fake.script("500", n=2)
    fake.script("503", n=1000, endpoint="efetch", skip=1)  # one batch stored, then the run fails
    env = cli.env(fake.url, sqlite_url, topics_file, NCBI_API_KEY=SECRET)
    code, out, err = run_main(["-v", "harvest", "--topic", "pain", "--batch-size", "10", "--workers", "1"], env)
    dumped = repr(_rows(sqlite_url, HarvestRun)) + repr(_rows(sqlite_url, TopicState)) + repr(_rows(sqlite_url, Article))
    assert code == 1 and all(e.has_api_key for e in fake.log)
    assert SECRET not in out + err + dumped


def test_update_migrates_an_empty_database_and_harvests_every_topic(cli, fake, topics_file, sqlite_url):
    for i, name in enumerate(["pain", "depression", "migraine"]):
        fake.add_articles(make_articles(5, name, start_pmid=30_000_000 + 100 * i))
    proc = cli.run(["update"], cli.env(fake.url, sqlite_url, topics_file), timeout=300)
    assert proc.returncode == 0, proc.stderr
    engine = make_engine(sqlite_url)
    has_version = inspect(engine).has_table("alembic_version")
    engine.dispose()
    assert has_version and {r["topic"] for r in _rows(sqlite_url, TopicState)} == {"pain", "depression", "migraine"}


def test_sigkill_then_rerun_equals_uninterrupted_run(cli, fake, topics_file, db_url, topics, tmp_path, snapshot_of):
    fake.add_articles(make_articles(240, "pain", start=date(2022, 1, 1), end=date(2024, 1, 1)))
    env = cli.env(fake.url, db_url, topics_file, KETAMINE_TRACKER_RATE_LIMIT="8")
    proc = cli.spawn(["harvest", "--topic", "pain", "--batch-size", "20", "--workers", "1"], env)
    engine = make_engine(db_url)
    try:
        deadline = time.monotonic() + 60
        while _count_articles(engine) < 40 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        still_running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    stored_at_kill = _count_articles(engine)
    rerun = cli.run(["harvest", "--topic", "pain"], cli.env(fake.url, db_url, topics_file))

    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(clean)
    with EutilsClient(fake.url, rate=0) as client:
        harvest_topic(clean, client, topics["pain"], HarvestOptions(batch_size=50))
    assert still_running and 40 <= stored_at_kill < 240 and rerun.returncode == 0, rerun.stderr
    assert snapshot_of(engine) == snapshot_of(clean)
    runs = _rows(db_url, HarvestRun)
    assert [(r["status"], (r["error"] or "")[:11]) for r in runs] == [("failed", "interrupted"), ("success", "")]
    engine.dispose()
    clean.dispose()


def test_harvest_stores_the_trial_of_every_registered_report(run_main, cli, fake, topics_file, sqlite_url):
    from db.trials import link_reports, trial_index

    fake.add_articles(make_articles(30, "pain"))
    code, out, err = run_main(["harvest", "--topic", "pain"], cli.env(fake.url, sqlite_url, topics_file))
    engine = make_engine(sqlite_url)
    try:
        stored, linked = trial_index(engine), link_reports(engine)
    finally:
        engine.dispose()
    assert (code, bool(linked), stored == linked) == (0, True, True)
