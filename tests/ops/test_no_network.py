"""The first ten minutes without network (issue 15): ``update`` names the cause in one line, points to
``make demo`` and NCBI_EUTILS_URL, gives up after a short retry and skips extraction."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Article, HarvestRun
from db.records import ArticleRecord
from db.store import upsert_articles
from harvester.errors import EutilsUnreachable
from harvester.eutils import UNREACHABLE_TRIES

ERROR_PREFIX = "ketamine-tracker: error:"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_proxy(monkeypatch):
    """No proxy from the environment, so each test decides which network path it takes."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")


@pytest.fixture
def unreachable(request, fake, monkeypatch, no_proxy):
    """An E-utilities URL that cannot be reached, by cause, and the phrase that names the cause."""
    if request.param == "refused":
        return f"http://127.0.0.1:{_closed_port()}/entrez/eutils/", "connection refused by 127.0.0.1"
    if request.param == "dns":
        return "http://eutils.no-such-host.invalid/entrez/eutils/", "DNS failure: cannot resolve 'eutils.no-such-host.invalid'"
    if request.param == "tls":  # https to a server that speaks plain HTTP
        return fake.url.replace("http://", "https://"), "TLS error"
    if request.param == "proxy":
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{_closed_port()}")
        return "http://eutils.example.org/entrez/eutils/", "proxy error"
    raise AssertionError(request.param)


CAUSES = ["refused", "dns", "tls", "proxy"]


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def _update(run_main, cli, url, db_url, topics_file, tries="6"):
    env = cli.env(url, db_url, topics_file, KETAMINE_TRACKER_MAX_TRIES=tries, KETAMINE_TRACKER_BACKOFF_BASE="0.01")
    return run_main(["update"], env)


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(ERROR_PREFIX)]


@pytest.mark.parametrize("unreachable", CAUSES, indirect=True)
def test_update_without_network_exits_1(unreachable, run_main, cli, topics_file, sqlite_url):
    code, _, _ = _update(run_main, cli, unreachable[0], sqlite_url, topics_file)
    assert code == 1


@pytest.mark.parametrize("unreachable", CAUSES, indirect=True)
def test_update_without_network_names_the_cause_in_one_line(unreachable, run_main, cli, topics_file, sqlite_url):
    url, cause = unreachable
    _, _, err = _update(run_main, cli, url, sqlite_url, topics_file)
    lines = _error_lines(err)
    assert len(lines) == 1 and cause in lines[0]


@pytest.mark.parametrize("unreachable", ["refused"], indirect=True)
def test_update_without_network_points_to_make_demo_and_the_url_variable(unreachable, run_main, cli, topics_file,
                                                                        sqlite_url):
    _, _, err = _update(run_main, cli, unreachable[0], sqlite_url, topics_file)
    (line,) = _error_lines(err)
    assert "make demo" in line and "NCBI_EUTILS_URL" in line


@pytest.mark.parametrize("unreachable", ["refused", "dns"], indirect=True)
def test_unreachable_server_is_tried_briefly_then_once_per_topic(unreachable, run_main, cli, topics_file, sqlite_url):
    _update(run_main, cli, unreachable[0], sqlite_url, topics_file, tries="6")
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        requests = conn.execute(select(HarvestRun.requests).order_by(HarvestRun.id)).scalars().all()
    engine.dispose()
    assert requests == [UNREACHABLE_TRIES, 1, 1]


def test_a_server_that_answers_again_gets_its_retries_back(make_client, fake, no_proxy):
    client = make_client(url=f"http://127.0.0.1:{_closed_port()}/entrez/eutils/")
    with pytest.raises(EutilsUnreachable):
        client.esearch("ketamine")
    client.base_url = fake.url  # the network is back
    fake.script("503", n=2, endpoint="esearch")
    client.esearch("ketamine")
    assert client.requests["esearch"] == UNREACHABLE_TRIES + 3


@pytest.mark.parametrize("unreachable", ["refused"], indirect=True)
def test_update_skips_extraction_when_every_topic_failed(unreachable, run_main, cli, topics_file, db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    upsert_articles(engine, [ArticleRecord(pmid=1, title="Ketamine for migraine", abstract="An RCT of 40 patients.")])
    _, _, err = _update(run_main, cli, unreachable[0], db_url, topics_file)
    with engine.connect() as conn:
        pending = conn.execute(select(Article.needs_extraction).where(Article.pmid == 1)).scalar_one()
    engine.dispose()
    assert pending is True and "extraction skipped" in err


def test_a_reset_connection_still_gets_every_retry(make_client, fake):
    fake.script("reset", n=2, endpoint="esearch")
    client = make_client()
    client.esearch("ketamine")
    assert client.requests["esearch"] == 3


def test_a_refused_connection_raises_eutils_unreachable(make_client, no_proxy):
    client = make_client(url=f"http://127.0.0.1:{_closed_port()}/entrez/eutils/")
    with pytest.raises(EutilsUnreachable) as caught:
        client.esearch("ketamine")
    assert caught.value.cause == "refused"


def test_a_topic_that_reached_the_server_keeps_the_full_message(run_main, cli, fake, topics_file, sqlite_url):
    fake.script("503", n=1000, endpoint="esearch")
    _, _, err = _update(run_main, cli, fake.url, sqlite_url, topics_file, tries="2")
    (line,) = _error_lines(err)
    assert "harvest failed for 3 of 3 topic(s)" in line and "make demo" not in line
