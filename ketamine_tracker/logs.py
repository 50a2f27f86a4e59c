"""Logging: one line per step, as text or JSON (``--log-format json``).

Secrets never reach the output: every registered secret (the NCBI API key, a
database password) is replaced by ``***`` in messages and fields.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Make sure ``value`` is masked in every later log line."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def mask(text: str) -> str:
    """``text`` with every registered secret replaced by ``***`` (longest first, so a
    secret that contains another is masked whole)."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class _MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts": ..., "level": ..., "logger": ..., "msg": ..., **extra}`` per line."""

    _RESERVED = set(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._RESERVED and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return mask(json.dumps(payload, default=str, ensure_ascii=False))


def setup_logging(fmt: str = "text", level: int = logging.INFO, stream=None) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"))
    handler.addFilter(_MaskingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "alembic", "httpx", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
