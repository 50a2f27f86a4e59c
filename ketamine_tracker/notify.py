"""Failure notification: POST a short JSON summary to a webhook.

Set ``KETAMINE_TRACKER_WEBHOOK`` (or ``--webhook-url``) to a URL that accepts a
JSON POST (Slack/Teams/Mattermost incoming webhooks, ntfy, a monitoring
endpoint). A failed ``update``/``harvest`` posts
``{"text", "command", "exit_code", "error", "host", "finished"}``; the post is
retried briefly and can never block or change the run's own exit code.
"""

from __future__ import annotations

import logging
import socket
import time
from datetime import datetime, timezone

import requests

from .logs import mask

log = logging.getLogger("ketamine_tracker.notify")


def failure_payload(command: str, exit_code: int, error: str | None) -> dict:
    error = mask(error or "")[:2000]
    return {
        "text": f"ketamine-tracker {command} failed on {socket.gethostname()} (exit {exit_code}): {error}".strip(),
        "command": command,
        "exit_code": exit_code,
        "error": error,
        "host": socket.gethostname(),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def post_webhook(url: str, payload: dict, *, tries: int = 3, timeout: float = 5.0, backoff: float = 1.0) -> bool:
    """POST ``payload`` as JSON; True if a 2xx answer came back. Never raises.

    Parameters
    ----------
    url:
        The webhook URL (never logged: it often embeds a token).
    tries, timeout, backoff:
        At most ``tries`` attempts of ``timeout`` seconds each, sleeping
        ``backoff * 2**i`` between them — about 20 s in the worst case.
    """
    for attempt in range(tries):
        try:
            resp = requests.post(url, json=payload, timeout=timeout)
            if 200 <= resp.status_code < 300:
                log.info("failure notification sent")
                return True
            reason = f"HTTP {resp.status_code}"
        except requests.RequestException as exc:
            reason = type(exc).__name__
        if attempt + 1 < tries:
            time.sleep(backoff * 2**attempt)
    log.warning("failure notification could not be delivered (%s)", reason)
    return False
