"""Reliability at a larger scale than the test suite: fault mixes and SIGKILL-and-rerun, counted.

For every fault mix, each seed runs a full three-topic harvest against the fake
E-utilities server with seeded random faults (and a lowered id cap, so searches
are split and many esearch requests can be disturbed), then compares every
column of every article, MeSH, publication-type and topic-link row with an
undisturbed run's. The kill scenario starts ``ketamine-tracker harvest`` in a
subprocess, SIGKILLs its process group after a seeded random number of stored
batches or a random delay, reruns it, and after the last kill lets a rerun
finish before comparing. Prints one Markdown table (pasted into
docs/reliability.md) and exits 1 if any record was lost or differed.

    .venv/bin/python bench/reliability.py [--per-topic 300] [--seeds 5] [--kills 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import DateTime, func, select, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import db.models  # noqa: E402,F401
from db.engine import make_engine, redact  # noqa: E402
from db.models import Article, ArticleMesh, ArticlePubType, ArticleTopic, HarvestRun  # noqa: E402
from harvester.eutils import EutilsClient, RetryPolicy  # noqa: E402
from tests.support.fake_eutils import FakeEutils, make_articles  # noqa: E402
from harvester.harvest import HarvestOptions, harvest  # noqa: E402
from harvester.topics import Topic  # noqa: E402

QUERIES = {"pain": "ketamine AND pain (bench)", "depression": "ketamine AND depression (bench)",
           "migraine": "ketamine AND migraine (bench)"}
TODAY = date(2025, 1, 15)
MIXES = {
    "5xx 10% + reset 5% + truncate 5%": ({"500": 0.034, "502": 0.033, "503": 0.033, "reset": 0.05, "truncate": 0.05}, None),
    "esearch backend 30% + flaky zero 10%": ({"backend": 0.3, "errorlist": 0.1}, ["esearch"]),
    "429 30% (storms)": ({"429": 0.3}, None),
    "everything 3-5% each": ({"500": 0.03, "503": 0.03, "429": 0.03, "reset": 0.03, "truncate": 0.03, "stall": 0.01,
                              "backend": 0.05, "errorlist": 0.03, "short": 0.05}, None),
}
TABLES = (Article, ArticleMesh, ArticlePubType, ArticleTopic)


def add_corpus(server: FakeEutils, per_topic: int, seed: int) -> int:
    names = list(QUERIES)
    for i, name in enumerate(names):
        server.add_articles(make_articles(per_topic, name, start_pmid=30_000_000 + 1_000_000 * i, seed=seed + i,
                                          start=date(2010, 1, 1), end=date(2024, 12, 31)))
    shared = max(1, per_topic // 10)
    server.add_articles(make_articles(shared, names[:2], start_pmid=39_000_000, seed=seed + 7))
    return per_topic * len(names) + shared


def dump(engine) -> dict[str, list]:
    """Every row of the article tables, timestamps left out, sorted."""
    out = {}
    with engine.connect() as conn:
        for model in TABLES:
            cols = [c for c in model.__table__.columns if not isinstance(getattr(c.type, "impl", c.type), DateTime)]
            rows = conn.execute(select(*cols)).all()
            out[model.__tablename__] = sorted((tuple(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v
                                                     for v in r) for r in rows), key=repr)
    return out


def losses(got: dict, want: dict) -> tuple[int, int]:
    """(rows missing or different, rows compared) over every table."""
    missing = sum(len(set(want[t]) - set(got.get(t, []))) + len(set(got.get(t, [])) - set(want[t])) for t in want)
    return missing, sum(len(v) for v in want.values())


def fresh_engine(url: str | None, tmp: Path, name: str):
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            names = [r[0] for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public'"))]
            if names:
                conn.execute(text("DROP TABLE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
        SQLModel.metadata.create_all(engine)
        return engine
    engine = make_engine(f"sqlite:///{tmp / name}.db")
    SQLModel.metadata.create_all(engine)
    return engine


def run_harvest(engine, server, id_cap: int, workers: int = 2):
    topics = [Topic(n, q) for n, q in QUERIES.items()]
    with EutilsClient(server.url, rate=0, retry=RetryPolicy(tries=10, base=0.002, cap=0.02), timeout=(2.0, 0.5)) as c:
        _, failures = harvest(engine, c, topics, HarvestOptions(batch_size=20, workers=workers, id_cap=id_cap,
                                                                today=lambda: TODAY))
        return failures, c.total_requests


def fault_rows(args, tmp: Path) -> list[list]:
    rows = []
    for m, (mix, (rates, endpoints)) in enumerate(MIXES.items()):
        served, runs, compared, lost, failed, requests = Counter(), 0, 0, 0, 0, 0
        for seed in range(args.seeds):
            with FakeEutils(QUERIES, rate_limit=None, rate_limit_with_key=None, stall_seconds=1.0) as server:
                add_corpus(server, args.per_topic, seed)
                clean = fresh_engine(None, tmp, f"clean-{m}-{seed}")
                run_harvest(clean, server, 9_999)
                want = dump(clean)
                clean.dispose()
                server.id_cap = 60
                server.reset_log()
                server.set_fault_rates(rates, seed=seed, endpoints=endpoints)
                engine = fresh_engine(args.database_url, tmp, f"faulty-{m}-{seed}")
                failures, n = run_harvest(engine, server, 60)
                miss, total = losses(dump(engine), want)
                engine.dispose()
                served.update(server.faults_served())
                runs, compared, lost, failed, requests = runs + 1, compared + total, lost + miss, failed + len(failures), requests + n
        faults = ", ".join(f"{k} {v}" for k, v in sorted(served.items()))
        rows.append([mix, runs, requests, sum(served.values()), faults, compared, lost, failed])
    return rows


def kill_row(args, tmp: Path) -> list:
    rng = random.Random(args.seed)
    with FakeEutils(QUERIES, rate_limit=None, rate_limit_with_key=None) as server:
        total = add_corpus(server, args.per_topic, args.seed)
        clean = fresh_engine(None, tmp, "kill-clean")
        run_harvest(clean, server, 9_999)
        want = dump(clean)
        clean.dispose()
        url = args.database_url or f"sqlite:///{tmp / 'killed.db'}"
        if args.database_url:  # the CLI migrates a database with no tables itself
            fresh_engine(args.database_url, tmp, "killed")
            with make_engine(args.database_url).begin() as conn:
                conn.execute(text("DROP TABLE " + ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
                                  + " CASCADE"))
        topics = tmp / "topics.toml"
        topics.write_text("\n".join(f"[topics.{n}]\nquery = '''{q}'''" for n, q in QUERIES.items()) + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "KETAMINE_TRACKER_", "DATABASE_URL"))}
        env.update(DATABASE_URL=url, NCBI_EUTILS_URL=server.url, KETAMINE_TRACKER_TOPICS=str(topics),
                   KETAMINE_TRACKER_RATE_LIMIT="40", KETAMINE_TRACKER_BACKOFF_BASE="0.002",
                   KETAMINE_TRACKER_MAX_TRIES="4", PYTHONPATH=str(REPO))
        cmd = [sys.executable, "-m", "ketamine_tracker.cli", "harvest", "--batch-size", "20", "--workers", "1"]
        engine = make_engine(url)

        def stored() -> int:
            try:
                with engine.connect() as conn:
                    return conn.execute(select(func.count()).select_from(Article)).scalar() or 0
            except Exception:  # noqa: BLE001 - schema not there yet
                return 0

        mid_run = 0
        for _ in range(args.kills):
            before = stored()
            proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            deadline = time.monotonic() + (rng.uniform(0.3, 4.0) if rng.random() < 0.5 else 120)
            goal = before + 20 * rng.randint(1, max(1, (total - before) // 20 - 1))
            while proc.poll() is None and time.monotonic() < deadline and stored() < goal:
                time.sleep(0.02)
            mid_run += proc.poll() is None and 0 < stored() < total
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        refused = 0
        while True:
            done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
            if done.returncode != 75 or refused > 50:
                break
            refused += 1
            time.sleep(0.2)
        miss, compared = losses(dump(engine), want)
        with engine.connect() as conn:
            statuses = Counter(conn.execute(select(HarvestRun.status)).scalars())
        engine.dispose()
    return [f"SIGKILL x{args.kills} then rerun", args.kills + 1 + refused, "-", args.kills,
            f"kills mid-run {mid_run}; runs closed as failed {statuses['failed']}, left running {statuses['running']}; "
            f"final rerun exit {done.returncode}", compared, miss, int(done.returncode != 0)]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--per-topic", type=int, default=300)
    p.add_argument("--seeds", type=int, default=5, help="runs per fault mix")
    p.add_argument("--kills", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--database-url", help="PostgreSQL URL for the disturbed runs (default: SQLite files); its tables are dropped")
    args = p.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rows = fault_rows(args, Path(tmp)) + [kill_row(args, Path(tmp))]
    print(f"backend: {redact(args.database_url) if args.database_url else 'sqlite'}; corpus {args.per_topic} "
          f"records x 3 topics (+10% in two); {args.seeds} seeded runs per fault mix; "
          f"{time.perf_counter() - started:.0f} s wall\n")
    head = ["scenario", "runs", "requests", "faults injected", "by type", "rows compared", "rows lost/different",
            "failed topic runs"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    return 1 if any(row[6] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
