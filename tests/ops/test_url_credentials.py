"""Credentials written into NCBI_EUTILS_URL (``http://user:password@proxy/...``) are masked like the
API key: in log lines, in ``harvest_run.error`` and in the webhook payload (issue 14)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.models import HarvestRun
from harvester.eutils import display_url, url_secrets

PASSWORD = "s3cret-pw"


def _with_credentials(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://proxyuser:{PASSWORD}@{rest}"


@pytest.fixture
def failing(fake, cli, topics_file, db_url):
    """A harvest of one topic whose esearch always answers 503, through a URL carrying credentials."""
    fake.script("503", n=1000, endpoint="esearch")
    env = cli.env(_with_credentials(fake.url), db_url, topics_file, KETAMINE_TRACKER_MAX_TRIES="2")
    return env, db_url


@pytest.fixture
def webhook():
    """A local webhook receiver; yields its URL and the JSON bodies it received."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_display_url_masks_user_and_password():
    assert display_url("http://me:pw@proxy:3128/entrez/eutils/") == "http://***@proxy:3128/entrez/eutils/"


def test_url_secrets_include_the_percent_decoded_password():
    assert "p@ss" in url_secrets("http://me:p%40ss@proxy/")


def test_url_without_credentials_has_no_secrets():
    assert url_secrets("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/") == []


def test_log_lines_mask_credentials_of_the_eutils_url(failing, run_main):
    env, _ = failing
    code, out, err = run_main(["harvest", "--topic", "pain"], env)
    assert code == 1 and "***@127.0.0.1" in err and PASSWORD not in err


def test_harvest_run_error_masks_credentials_of_the_eutils_url(failing, run_main):
    env, url = failing
    run_main(["harvest", "--topic", "pain"], env)
    engine = make_engine(url)
    with engine.connect() as conn:
        errors = conn.execute(select(HarvestRun.error).where(HarvestRun.status == "failed")).scalars().all()
    engine.dispose()
    assert len(errors) == 1 and "***@127.0.0.1" in errors[0] and PASSWORD not in errors[0]


def test_webhook_payload_masks_credentials_of_the_eutils_url(failing, run_main, webhook):
    env, _ = failing
    hook, received = webhook
    run_main(["harvest", "--topic", "pain"], {**env, "KETAMINE_TRACKER_WEBHOOK": hook})
    body = json.dumps(received)
    assert len(received) == 1 and "***@127.0.0.1" in body and PASSWORD not in body
