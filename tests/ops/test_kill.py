"""SIGKILL a backfill at seeded random moments, rerun, and get exactly the clean result.

Each scenario starts ``ketamine-tracker harvest`` in a subprocess against the
fake E-utilities server on a fresh database, kills its process group with
SIGKILL at a seeded random point (after a random number of committed batches,
or after a random delay that may fall in start-up, migration or search), kills
the next two reruns the same way, then lets a final rerun finish. The database must
then hold exactly what an undisturbed run stores, every killed run must be
closed as failed, and every watermark must be today's. (One kill after 40
stored records, on both backends, is in ``tests/harvester/test_harvest_cli.py``.)
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.models import HarvestRun
from support.fake_eutils import FakeEutils
from harvester.topics import Topic

PER_TOPIC = 80
BATCH = 10
ARGS = ["harvest", "--batch-size", str(BATCH), "--workers", "1"]
KILLS = 3  # the first run and the first two reruns are each killed; the third rerun finishes
SCENARIOS = [("sqlite", 1), ("postgresql", 2)]


@dataclass
class Scenario:
    url: str
    total: int
    reference: dict
    kills: list[dict] = field(default_factory=list)  # what each kill hit
    final_code: int = -1
    final_stderr: str = ""
    refused: int = 0  # reruns refused with 75 while a killed holder's lock was being reaped
    dump: dict = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)
    states: dict = field(default_factory=dict)


def _kill_at_random_point(ops, url: str, env: dict, rng: random.Random, total: int) -> dict:
    """Start a harvest and SIGKILL it after a seeded random number of stored batches or a random delay."""
    before = ops.article_count(url)
    proc = ops.spawn_cli(ARGS, env)
    if rng.random() < 0.5:
        remaining = (total - before) // BATCH
        k = rng.randint(1, max(1, remaining - 1))
        point = f"after {k} more committed batch(es)"
        ops.wait_until(lambda: ops.article_count(url) >= before + k * BATCH or proc.poll() is not None, timeout=90)
    else:
        delay = rng.uniform(0.2, 3.0)
        point = f"after {delay:.2f}s"
        ops.wait_until(lambda: proc.poll() is not None, timeout=delay)
    alive = proc.poll() is None
    ops.kill9(proc)
    return {"point": point, "alive_at_kill": alive, "stored_before": before, "stored_at_kill": ops.article_count(url)}


@pytest.fixture(scope="module", params=SCENARIOS, ids=[f"{b}-seed{s}" for b, s in SCENARIOS])
def scenario(request, tmp_path_factory):
    ops = request.getfixturevalue("ops")
    backend, seed = request.param
    tmp = tmp_path_factory.mktemp(f"kill-{backend}-{seed}")
    url = ops.backend_url(request, backend, tmp)
    topics_path = ops.write_topics_file(tmp / "topics.toml")
    with FakeEutils(ops.QUERIES, rate_limit=None, rate_limit_with_key=None) as server:
        total = ops.add_corpus(server, PER_TOPIC, seed=seed)
        topic_list = [Topic(n, q) for n, q in ops.QUERIES.items()]
        reference = ops.clean_reference(server, topic_list, tmp, ("kill", PER_TOPIC, seed))
        env = ops.cli_env(server.url, url, topics_path, KETAMINE_TRACKER_RATE_LIMIT="25")
        sc = Scenario(url=url, total=total, reference=reference)
        rng = random.Random(seed)
        for _ in range(KILLS):
            sc.kills.append(_kill_at_random_point(ops, url, env, rng, total))
        done, sc.refused = ops.run_until_not_locked(ARGS, ops.cli_env(server.url, url, topics_path))
    sc.final_code, sc.final_stderr = done.returncode, done.stderr
    engine = make_engine(url)
    sc.dump = ops.content_dump(engine)
    with engine.connect() as conn:
        sc.runs = [dict(r) for r in conn.execute(select(HarvestRun).order_by(HarvestRun.id)).mappings()]
    sc.states = ops.topic_states(engine)
    engine.dispose()
    return sc


def test_final_rerun_succeeds(scenario):
    assert scenario.final_code == 0, scenario.final_stderr[-2000:]


def test_database_after_kills_and_rerun_equals_clean_run(scenario):
    assert scenario.dump == scenario.reference


def test_no_run_is_left_running(scenario):
    assert [r for r in scenario.runs if r["status"] == "running"] == []


def test_killed_runs_are_closed_as_interrupted_failures(scenario):
    failed = [r for r in scenario.runs if r["status"] == "failed"]
    mid_run_kills = sum(k["stored_at_kill"] > k["stored_before"] for k in scenario.kills)
    assert len(failed) >= mid_run_kills
    assert all(r["error"].startswith("interrupted") and r["finished"] for r in failed)


def test_every_topic_ends_with_a_successful_run(scenario, ops):
    last = {r["topic"]: r["status"] for r in scenario.runs}
    assert last == {name: "success" for name in ops.QUERIES}


def test_watermarks_are_today_with_the_topic_query_hash(scenario, ops):
    today = ops.utc_today()
    expected = {n: (Topic(n, q).query_hash, today) for n, q in ops.QUERIES.items()}
    assert scenario.states == expected


def test_kills_landed_while_the_harvest_was_running(scenario):
    assert all(k["alive_at_kill"] for k in scenario.kills), scenario.kills
