"""The database fails under a running harvest: disk full, database file removed, PostgreSQL backends killed.

Each scenario runs ``ketamine-tracker harvest`` in a subprocess against the fake
E-utilities server until the storage fails, then repairs the storage and runs
again. The failing run must exit 1 with one clear ``error:`` line (no Python
traceback), must not move the watermark of any topic it did not finish, and the
next run must end with exactly what an undisturbed run stores.

* ``disk-full``: SQLite on a real 2 MiB tmpfs (mounted for the test; skipped
  where mounting is not permitted). The empty schema, in 16 KB pages, takes
  0.8 MB of it, so the disk fills after a few batches are stored. The repair
  grows it to 64 MiB (``mount -o remount,size=64m``).
* ``file-removed``: the SQLite file (and its WAL) is unlinked after two stored
  batches; SQLite refuses to write to a moved/unlinked file
  (``SQLITE_READONLY_DBMOVED``). The repair is nothing: the next run recreates it.
* ``pg-terminated``: after two stored batches the test locks ``article`` so the
  next batch blocks inside its transaction, then ends every other session on
  the PostgreSQL database with ``pg_terminate_backend`` (as an administrator or
  a failover would), the run-lock session included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text

from db.engine import make_engine
from db.models import HarvestRun
from support.fake_eutils import FakeEutils
from harvester.topics import Topic

PER_TOPIC = 80
BATCH = 10
ARGS = ["harvest", "--batch-size", str(BATCH), "--workers", "1"]
SCENARIOS = ["disk-full", "file-removed", "pg-terminated"]


@dataclass
class Outcome:
    scenario: str
    failed: object = None  # CompletedProcess of the run the storage failed under
    stored_at_failure: int = 0
    runs_after_failure: list = field(default_factory=list)
    states_after_failure: dict = field(default_factory=dict)
    rerun: object = None
    dump: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    total: int = 0


def _snapshot_failure(ops, url, out: Outcome) -> None:
    engine = make_engine(url)
    try:
        out.stored_at_failure = ops.article_count(engine)
        with engine.connect() as conn:
            out.runs_after_failure = [dict(r) for r in conn.execute(select(HarvestRun).order_by(HarvestRun.id)).mappings()]
        out.states_after_failure = ops.topic_states(engine)
    finally:
        engine.dispose()


def _terminate_mid_transaction(ops, url: str, proc) -> int:
    """Hold ``article`` exclusively so the harvest's next batch blocks inside its transaction, then end
    every other session on the database (that batch's, the pool's idle ones and the run-lock session)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE article IN ACCESS EXCLUSIVE MODE"))
            waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            with engine.connect() as probe:
                blocked = ops.wait_until(lambda: probe.execute(text(waiting)).scalar() > 0 or proc.poll() is not None,
                                         timeout=60)
            assert blocked and proc.poll() is None, "the harvest never blocked on the locked table"
            ended = conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all()
            conn.rollback()
            return len(ended)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=SCENARIOS)
def outcome(request, tmp_path_factory):
    ops = request.getfixturevalue("ops")
    name = request.param
    tmp = tmp_path_factory.mktemp(name)
    topics_path = ops.write_topics_file(tmp / "topics.toml")
    out = Outcome(name)
    with FakeEutils(ops.QUERIES, rate_limit=None, rate_limit_with_key=None) as server:
        out.total = ops.add_corpus(server, PER_TOPIC)
        out.reference = ops.clean_reference(server, [Topic(n, q) for n, q in ops.QUERIES.items()], tmp,
                                            ("storage", PER_TOPIC))
        if name == "disk-full":
            mnt = tmp / "small-disk"
            with ops.tmpfs(mnt, "2m"):
                url = f"sqlite:///{mnt / 'tracker.db'}"
                env = ops.cli_env(server.url, url, topics_path)
                out.failed = ops.run_cli(ARGS, env)
                _snapshot_failure(ops, url, out)
                ops.remount(mnt, "size=64m")
                out.rerun = ops.run_cli(ARGS, env)
                out.dump = ops.content_dump(make_engine(url))
            return out
        if name == "file-removed":
            url = f"sqlite:///{tmp / 'tracker.db'}"
        else:
            url = ops.backend_url(request, "postgresql", tmp)
        env = ops.cli_env(server.url, url, topics_path, KETAMINE_TRACKER_RATE_LIMIT="20")
        proc = ops.spawn_cli(ARGS, env)
        ops.wait_until(lambda: ops.article_count(url) >= 2 * BATCH or proc.poll() is not None, timeout=90)
        if name == "file-removed":
            _snapshot_failure(ops, url, out)
            for suffix in ("", "-wal", "-shm"):
                (tmp / f"tracker.db{suffix}").unlink(missing_ok=True)
        else:
            _terminate_mid_transaction(ops, url, proc)
        stdout, stderr = proc.communicate(timeout=120)
        out.failed = type("Done", (), {"returncode": proc.returncode, "stdout": stdout, "stderr": stderr})()
        if name == "pg-terminated":
            _snapshot_failure(ops, url, out)
        out.rerun, _ = ops.run_until_not_locked(ARGS, ops.cli_env(server.url, url, topics_path))
        engine = make_engine(url)
        out.dump = ops.content_dump(engine)
        engine.dispose()
    return out


def test_failing_run_exits_1(outcome):
    assert outcome.failed.returncode == 1, outcome.failed.stderr[-1500:]


def test_failing_run_says_what_happened_without_a_traceback(outcome):
    last = outcome.failed.stderr.strip().splitlines()[-1]
    assert last.startswith("ketamine-tracker: error: harvest stopped by a database error")
    if outcome.scenario == "file-removed":  # db.engine refuses commits once the file is gone
        assert "was removed or moved during the run" in last
    assert "Traceback" not in outcome.failed.stderr, outcome.failed.stderr[-3000:]


def test_failure_came_mid_run(outcome):
    assert 0 < outcome.stored_at_failure < outcome.total


def test_watermark_only_for_topics_whose_run_succeeded(outcome, ops):
    if outcome.scenario == "file-removed":
        pytest.skip("the database the failing run wrote to is gone: there is no watermark to check")
    succeeded = {r["topic"] for r in outcome.runs_after_failure if r["status"] == "success"}
    assert set(outcome.states_after_failure) == succeeded != set(ops.QUERIES)


def test_next_run_succeeds(outcome):
    assert outcome.rerun.returncode == 0, outcome.rerun.stderr[-1500:]


def test_next_run_gives_the_clean_result(outcome):
    assert outcome.dump == outcome.reference
