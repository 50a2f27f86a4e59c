"""Fixtures and helpers of the operations reliability suite (faults, SIGKILL, full disks, concurrency, bad input).

The fake E-utilities fixtures (``fake``, ``make_client``, ``options``, ``topics``,
``topics_file``, ``cli`` ...) are the harvester suite's own, re-exported from
``tests/harvester/conftest.py`` rather than copied.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import DateTime, func, inspect, select
from sqlmodel import SQLModel

import db.models  # noqa: F401 - registers every table
from db.engine import make_engine
from db.models import Article, ArticleMesh, ArticlePubType, ArticleTopic, TopicState

REPO = Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location("_ops_harvester_fixtures", REPO / "tests" / "harvester" / "conftest.py")
_harvester = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_harvester)

# re-exported fixtures (pytest registers whatever fixture objects a conftest's namespace holds)
fake = _harvester.fake
make_client = _harvester.make_client
client = _harvester.client
options = _harvester.options
topics = _harvester.topics
topics_file = _harvester.topics_file
pubmed_fixture = _harvester.pubmed_fixture
medline_fixture = _harvester.medline_fixture
cli = _harvester.cli
run_main = _harvester.run_main

QUERIES = _harvester.QUERIES
TODAY = _harvester.TODAY
cli_env = _harvester.cli_env
run_cli = _harvester.run_cli

#: Tables a harvest writes, compared between a disturbed run and a clean one.
ARTICLE_TABLES = (Article, ArticleMesh, ArticlePubType, ArticleTopic)


# --------------------------------------------------------------------------- corpus and reference runs
def add_corpus(server, per_topic: int, seed: int = 0) -> int:
    """Give ``server`` ``per_topic`` articles in each of the three topics (plus 10% shared by two); returns the total."""
    from support.fake_eutils import make_articles

    names = list(QUERIES)
    for i, name in enumerate(names):
        server.add_articles(make_articles(per_topic, name, start_pmid=30_000_000 + 100_000 * i, seed=seed + i,
                                          start=date(2018, 1, 1), end=date(2024, 12, 31)))
    shared = max(1, per_topic // 10)
    server.add_articles(make_articles(shared, names[:2], start_pmid=39_000_000, seed=seed + 7,
                                      start=date(2020, 1, 1), end=date(2024, 12, 31)))
    return per_topic * len(names) + shared


def _plain(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def _is_timestamp(column) -> bool:
    kind = column.type
    impl = getattr(kind, "impl", kind)  # SQLModel's UTCDateTime decorates DateTime
    return isinstance(impl, DateTime) or isinstance(kind, DateTime)


def content_dump(engine, tables=ARTICLE_TABLES) -> dict[str, list[tuple]]:
    """Every row of ``tables``, every column except timestamps (which differ between runs), sorted.

    Two harvests of the same corpus, on either backend, give equal dumps.
    """
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for model in tables:
            table = model.__table__
            cols = [c for c in table.columns if not _is_timestamp(c)]
            rows = conn.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
    return out


def full_dump(engine, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table that exists (all columns, timestamps included), sorted; for 'unchanged' checks."""
    present = set(inspect(engine).get_table_names())
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in present and table.name not in exclude:
                out[table.name] = sorted((tuple(_plain(v) for v in r) for r in conn.execute(select(table))), key=repr)
    return out


def dump_size(dump: dict[str, list]) -> int:
    return sum(len(rows) for rows in dump.values())


_REFERENCE: dict = {}


def clean_reference(server, topic_list, tmp_dir: Path, key) -> dict[str, list[tuple]]:
    """The content dump of an undisturbed in-process harvest of ``server``'s corpus (cached per ``key``)."""
    if key not in _REFERENCE:
        from harvester.eutils import EutilsClient
        from harvester.harvest import HarvestOptions, harvest

        engine = make_engine(f"sqlite:///{tmp_dir / f'clean-{abs(hash(key))}.db'}")
        SQLModel.metadata.create_all(engine)
        with EutilsClient(server.url, rate=0) as c:
            _, failures = harvest(engine, c, topic_list, HarvestOptions(batch_size=50, today=lambda: TODAY))
        assert not failures
        _REFERENCE[key] = content_dump(engine)
        engine.dispose()
    return _REFERENCE[key]


def article_count(url_or_engine) -> int:
    """Articles visible now (0 while the schema does not exist yet)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Article)).scalar() or 0
    except Exception:  # noqa: BLE001 - no schema yet, or a transient open failure while polling
        return 0
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def topic_states(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {t: (h, w) for t, h, w in conn.execute(select(TopicState.topic, TopicState.query_hash, TopicState.watermark))}


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


# --------------------------------------------------------------------------- processes
def spawn_cli(args: list[str], env: dict) -> subprocess.Popen:
    """The CLI in its own session, so a SIGKILL reaches it and any worker it started."""
    return subprocess.Popen([sys.executable, "-m", "ketamine_tracker.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL ``proc``'s process group (it was started by :func:`spawn_cli`) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=30)


def wait_until(predicate, timeout: float = 60.0, every: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


# --------------------------------------------------------------------------- small real filesystems
@contextmanager
def tmpfs(path: Path, size: str):
    """A real tmpfs of ``size`` mounted on ``path`` (skips the test when mounting is not permitted)."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root/CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, mode: str) -> None:
    """``mount -o remount,<mode>`` (``ro`` makes the filesystem refuse writes, as after a disk error)."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True)


@pytest.fixture(scope="session")
def ops():
    """This module's helpers (``ops.content_dump``, ``ops.add_corpus``, ``ops.spawn_cli``, ``ops.tmpfs`` ...).

    Test modules cannot import a conftest by name under ``--import-mode=importlib``.
    """
    return sys.modules[__name__]


def drop_all_tables(url: str) -> None:
    """Empty a PostgreSQL test database (every table of the public schema), for module-scoped scenarios."""
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
        if names:
            conn.execute(text("DROP TABLE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
    engine.dispose()


def backend_url(request, backend: str, tmp_dir: Path) -> str:
    """A fresh database URL on ``backend`` for a module-scoped scenario (PostgreSQL skips without TEST_DATABASE_URL)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / 'tracker.db'}"
    url = request.getfixturevalue("postgres_url")
    drop_all_tables(url)
    return url


def write_topics_file(path: Path) -> Path:
    path.write_text(_harvester._topics_toml(), encoding="utf-8")
    return path


def run_until_not_locked(args: list[str], env: dict, tries: int = 50, timeout: float = 180) -> tuple[subprocess.CompletedProcess, int]:
    """Run the CLI; while it exits 75 (the killed holder's PostgreSQL session is not reaped yet) wait and retry.

    Returns the last result and how many times it was refused.
    """
    for refused in range(tries):
        done = run_cli(args, env, timeout=timeout)
        if done.returncode != 75:
            return done, refused
        time.sleep(0.2)
    return done, tries
