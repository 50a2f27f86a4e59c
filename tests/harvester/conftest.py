"""Fixtures for the harvester parser and ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def pubmed_fixture():
    """Path of a hand-written PubMed XML fixture in tests/fixtures/pubmed."""
    return lambda name: FIXTURES / "pubmed" / name


@pytest.fixture
def medline_fixture():
    """Path of a hand-written MEDLINE (.nbib) fixture in tests/fixtures/medline."""
    return lambda name: FIXTURES / "medline" / name


# --- E-utilities harvester fixtures --------------------------------------------------
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from datetime import date  # noqa: E402

from sqlalchemy import select  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2025, 1, 15)
QUERIES = {
    "pain": "ketamine AND pain (fake query)",
    "depression": "ketamine AND depression (fake query)",
    "migraine": "ketamine AND migraine (fake query)",
}


def _topics_toml() -> str:
    lines = ['ketamine = "ketamine"']
    for name, query in QUERIES.items():
        lines += [f"[topics.{name}]", f'label = "{name}"', f"query = '''{query}'''"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def topics_file(tmp_path):
    """A topics TOML whose queries the fake server knows."""
    path = tmp_path / "topics.toml"
    path.write_text(_topics_toml(), encoding="utf-8")
    return path


@pytest.fixture
def topics():
    from harvester.topics import Topic

    return {name: Topic(name=name, query=query) for name, query in QUERIES.items()}


@pytest.fixture
def fake():
    """A fake E-utilities server without rate limit (tests that need one set it)."""
    from support.fake_eutils import FakeEutils

    with FakeEutils(QUERIES, rate_limit=None, rate_limit_with_key=None, stall_seconds=1.0) as server:
        yield server


@pytest.fixture
def make_client(fake):
    """``make_client(**overrides)``: an EutilsClient on the fake server with fast retries."""
    from harvester.eutils import EutilsClient, RetryPolicy

    clients = []

    def _make(**kw):
        kw.setdefault("rate", 0)
        kw.setdefault("retry", RetryPolicy(tries=5, base=0.002, cap=0.02))
        kw.setdefault("timeout", (2.0, 0.4))
        kw.setdefault("seed", 1)
        c = EutilsClient(kw.pop("url", fake.url), **kw)
        clients.append(c)
        return c

    yield _make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def options():
    """``options(**overrides)``: small batches, fixed 'today'."""
    from harvester.harvest import HarvestOptions

    def _make(**kw):
        kw.setdefault("batch_size", 25)
        kw.setdefault("workers", 2)
        kw.setdefault("today", lambda: TODAY)
        return HarvestOptions(**kw)

    return _make


def snapshot(engine) -> dict:
    """What a harvest leaves behind, comparable across runs and backends."""
    from db.models import Article, ArticleMesh, ArticleTopic

    with engine.connect() as conn:
        articles = {p: (h, d) for p, h, d in conn.execute(select(Article.pmid, Article.content_hash, Article.is_deleted))}
        links = set(conn.execute(select(ArticleTopic.pmid, ArticleTopic.topic)).all())
        mesh = len(conn.execute(select(ArticleMesh.pmid)).all())
    return {"articles": articles, "links": links, "mesh": mesh}


def cli_env(fake_url: str, database_url: str, topics_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "KETAMINE_TRACKER_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        NCBI_EUTILS_URL=fake_url,
        KETAMINE_TRACKER_TOPICS=str(topics_path),
        KETAMINE_TRACKER_RATE_LIMIT="0",
        KETAMINE_TRACKER_BACKOFF_BASE="0.002",
        KETAMINE_TRACKER_MAX_TRIES="4",
        KETAMINE_TRACKER_HTTP_TIMEOUT="3",
        PYTHONPATH=str(REPO),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketamine_tracker.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def spawn_cli(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ketamine_tracker.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def snapshot_of():
    """``snapshot_of(engine)``: articles (pmid -> (content hash, deleted)), topic links, MeSH row count."""
    return snapshot


class _Cli:
    env = staticmethod(cli_env)
    run = staticmethod(run_cli)
    spawn = staticmethod(spawn_cli)


@pytest.fixture
def cli():
    """``cli.env(fake_url, database_url, topics_path, **vars)``, ``cli.run(args, env)``, ``cli.spawn(args, env)``."""
    return _Cli


@pytest.fixture
def run_main(monkeypatch, capsys):
    """``run_main(argv, env) -> (exit code, stdout, stderr)``: the CLI in-process (fast; no lock or kill tests)."""
    from ketamine_tracker import cli as cli_module

    def _run(argv: list[str], env: dict) -> tuple[int, str, str]:
        for key in list(os.environ):
            if key.startswith(("NCBI_", "KETAMINE_TRACKER_")) or key == "DATABASE_URL":
                monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith(("NCBI_", "KETAMINE_TRACKER_")) or key == "DATABASE_URL":
                monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = cli_module.main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return _run
