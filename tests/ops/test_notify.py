import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ketamine_tracker.cli import main
from ketamine_tracker.notify import failure_payload, post_webhook


@pytest.fixture
def webhook():
    """A local webhook receiver that answers with scripted status codes."""
    received: list[dict] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(statuses.pop(0) if statuses else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, statuses
    server.shutdown()
    server.server_close()


def test_post_webhook_retries_then_delivers(webhook):
    url, received, statuses = webhook
    statuses.extend([503, 502])
    assert post_webhook(url, {"text": "x"}, tries=3, backoff=0.01) is True
    assert len(received) == 3


def test_post_webhook_gives_up_without_raising():
    assert post_webhook("http://127.0.0.1:9/nothing-listens", {"text": "x"}, tries=2, timeout=0.5, backoff=0.01) is False


def test_failure_payload_masks_registered_secrets():
    from ketamine_tracker.logs import register_secret

    register_secret("key-abcdef-99")
    payload = failure_payload("update", 1, "GET ...&api_key=key-abcdef-99 failed")
    assert "key-abcdef-99" not in json.dumps(payload)
    assert payload["exit_code"] == 1


def test_failed_update_posts_a_summary(webhook, tmp_path, capsys):
    url, received, _ = webhook
    code = main(["--database-url", "mysql://nope/x", "--webhook-url", url, "update"])
    assert code == 2
    assert len(received) == 1
    assert received[0]["command"] == "update"
    assert received[0]["exit_code"] == 2
    assert "mysql" in received[0]["error"]


def test_successful_commands_post_nothing(webhook, tmp_path, capsys):
    url, received, _ = webhook
    assert main(["--webhook-url", url, "schedule", "--cron"]) == 0
    assert received == []
