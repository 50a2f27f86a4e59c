"""Bookkeeping of the nightly harvest: ``harvest_run`` rows and per-topic watermarks.

A :class:`~db.models.HarvestRun` row is inserted (status ``running``) and
committed before any article of that run is written, updated with counters in
the same transaction as every stored batch, and closed as ``success`` in the
same transaction that moves the topic's watermark, so the watermark can never
get ahead of the stored records. Rows left ``running`` by a killed process are
closed as ``failed`` by the next run (which holds the run lock, so no other run
can be live).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from .models import HarvestRun, TopicState, utcnow

RUN = HarvestRun.__table__
STATE = TopicState.__table__

COUNTERS = ("found", "new", "updated", "unchanged", "deleted", "failed", "requests")


@dataclass(frozen=True)
class TopicWatermark:
    """A topic's stored state."""

    topic: str
    query_hash: str
    watermark: Optional[date]
    last_success: Optional[datetime]


def get_topic_state(target: Engine | Connection, topic: str) -> TopicWatermark | None:
    """The stored watermark of ``topic`` (``None`` if it was never harvested)."""
    stmt = select(STATE.c.topic, STATE.c.query_hash, STATE.c.watermark, STATE.c.last_success).where(STATE.c.topic == topic)
    if isinstance(target, Engine):
        with target.connect() as conn:
            row = conn.execute(stmt).first()
    else:
        row = target.execute(stmt).first()
    return TopicWatermark(*row) if row else None


def set_topic_state(conn: Connection, topic: str, query_hash: str, watermark: date) -> None:
    """Insert or move ``topic``'s watermark (inside the caller's transaction)."""
    now = utcnow()
    done = conn.execute(
        update(STATE).where(STATE.c.topic == topic).values(query_hash=query_hash, watermark=watermark, last_success=now)
    )
    if not done.rowcount:
        conn.execute(insert(STATE).values(topic=topic, query_hash=query_hash, watermark=watermark, last_success=now))


def start_run(engine: Engine, topic: str, kind: str, window_start: date | None, window_end: date | None) -> int:
    """Insert and commit a ``running`` HarvestRun row; returns its id."""
    with engine.begin() as conn:
        result = conn.execute(
            insert(RUN).values(topic=topic, kind=kind, window_start=window_start, window_end=window_end,
                               started=utcnow(), status="running")
        )
        return int(result.inserted_primary_key[0])


def update_run(conn: Connection, run_id: int, **values) -> None:
    """Set columns of a run row (counters, window, ...) inside the caller's transaction."""
    if values:
        conn.execute(update(RUN).where(RUN.c.id == run_id).values(**values))


def finish_run(conn: Connection, run_id: int, status: str, error: str | None = None, **counters) -> None:
    """Close a run as ``success`` or ``failed`` with its final counters."""
    conn.execute(update(RUN).where(RUN.c.id == run_id).values(status=status, finished=utcnow(), error=error, **counters))


def close_orphaned_runs(engine: Engine) -> int:
    """Mark runs left ``running`` by a killed process as failed. Call only while holding the run lock."""
    with engine.begin() as conn:
        result = conn.execute(
            update(RUN)
            .where(RUN.c.status == "running")
            .values(status="failed", finished=utcnow(), error="interrupted: the process stopped before the run finished")
        )
        return result.rowcount or 0


def get_run(target: Engine | Connection, run_id: int) -> dict | None:
    """One run row as a dict."""
    stmt = select(RUN).where(RUN.c.id == run_id)
    if isinstance(target, Engine):
        with target.connect() as conn:
            row = conn.execute(stmt).mappings().first()
    else:
        row = target.execute(stmt).mappings().first()
    return dict(row) if row else None
