"""``ketamine-tracker harvest [--topic T ...] [--batch-size N] [--full]``: fetch PubMed records.

Tuning variables (tests, benchmarks, slow networks):

| variable | default | meaning |
|---|---|---|
| ``KETAMINE_TRACKER_MAX_TRIES`` | 6 | tries per E-utilities request |
| ``KETAMINE_TRACKER_BACKOFF_BASE`` | 1.0 | seconds; backoff before try n+1 is up to base * 2**n |
| ``KETAMINE_TRACKER_HTTP_TIMEOUT`` | 120 | read timeout in seconds |
| ``KETAMINE_TRACKER_RATE_LIMIT`` | 3 (10 with a key) | requests per second; only lower it against NCBI |
"""

from __future__ import annotations

import argparse
import logging
import os

from sqlalchemy.exc import SQLAlchemyError
from contextlib import contextmanager

from db.lock import run_lock
from db.maintenance import group_trials, refresh_statistics
from harvester.eutils import EutilsClient, RetryPolicy
from harvester.harvest import HarvestOptions, TopicResult, harvest
from harvester.topics import Topic, load_topics, select_topics

from ..app import open_database
from ..argtypes import int_in_range
from ..errors import HarvestFailed, TrackerError, UsageError
from ..progress import Progress
from ..settings import Settings

log = logging.getLogger("ketamine_tracker.harvest")


_positive = int_in_range(1, 10_000)
_non_negative = int_in_range(0)


def add_harvest_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size", type=_positive, default=500, help="PMIDs per efetch request (default 500)")
    p.add_argument("--overlap-days", type=_non_negative, default=3,
                   help="incremental windows start this many days before the watermark (default 3)")
    p.add_argument("--workers", type=_positive, default=2, help="efetch requests in flight (default 2)")


def register(sub) -> None:
    p = sub.add_parser("harvest", help="fetch new and revised PubMed records of the configured topics",
                       description="Backfill each topic on its first run, then fetch records entered or revised "
                                   "since its watermark.")
    p.add_argument("--topic", action="append", dest="topic_names", metavar="TOPIC",
                   help="harvest only this topic (repeatable; default: every topic in the topics file)")
    p.add_argument("--full", action="store_true", help="backfill again even when a watermark exists")
    add_harvest_options(p)
    p.set_defaults(func=run)


def _env_number(name: str, default: float, kind=float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise UsageError(f"{name} must not be negative")
    return value


def build_client(settings: Settings) -> EutilsClient:
    """The E-utilities client configured from settings and the tuning variables."""
    retry = RetryPolicy(tries=max(1, int(_env_number("KETAMINE_TRACKER_MAX_TRIES", 6, int))),
                        base=_env_number("KETAMINE_TRACKER_BACKOFF_BASE", 1.0))
    rate = os.environ.get("KETAMINE_TRACKER_RATE_LIMIT")
    return EutilsClient(
        settings.eutils_url,
        api_key=settings.api_key,
        email=settings.email,
        tool=settings.tool,
        rate=_env_number("KETAMINE_TRACKER_RATE_LIMIT", 0) if rate else None,
        retry=retry,
        timeout=(10.0, _env_number("KETAMINE_TRACKER_HTTP_TIMEOUT", 120.0)),
    )


def options_from_args(args, *, full: bool = False) -> HarvestOptions:
    return HarvestOptions(
        batch_size=getattr(args, "batch_size", 500),
        overlap_days=getattr(args, "overlap_days", 3),
        workers=getattr(args, "workers", 2),
        full=full,
        progress=lambda total, desc, unit: Progress(total, desc, unit),
    )


def format_summary(results: list[TopicResult]) -> str:
    """A plain-text table, one line per topic."""
    head = ["topic", "kind", "window", "found", "new", "updated", "unchanged", "deleted", "requests", "status"]
    rows = []
    for r in results:
        window = f"{r.window_start or 'all'}..{r.window_end}" if r.window_end else "-"
        rows.append([r.topic, r.kind, window, r.found, r.new, r.updated, r.unchanged, r.deleted, r.requests, r.status])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    lines = ["  ".join(str(v).ljust(w) if i < 3 or i == 9 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths)))
             for row in [head, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def harvest_topics(engine, settings: Settings, topics: list[Topic], options: HarvestOptions) -> list[TopicResult]:
    """Harvest ``topics`` (caller holds the run lock); prints the summary; raises if a topic failed."""
    with build_client(settings) as client:
        try:
            results, failures = harvest(engine, client, topics, options)
            if any(r.new or r.updated or r.deleted for r in results):
                group_trials(engine)  # the dashboard counts trials from the stored keys (db.maintenance)
        except SQLAlchemyError as exc:  # disk full, database gone, connection killed...
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
            raise TrackerError(
                f"harvest stopped by a database error: {reason}; batches stored before it are kept, "
                "the unfinished topic's watermark was not moved and the next run fetches the rest"
            ) from exc
    print(format_summary(results))
    if failures:
        raise HarvestFailed(failure_message(failures, len(topics)), len(failures), len(topics))
    return results


#: What to do when PubMed cannot be reached at all (the first ten minutes without network).
UNREACHABLE_HINT = ("check the network, a proxy (HTTPS_PROXY) or NCBI_EUTILS_URL (--eutils-url); "
                    "without network, `make demo` runs the same job against a local fake PubMed")


def failure_message(failures: list[TopicResult], total: int) -> str:
    """The one line that reports failed topics.

    Parameters
    ----------
    failures : list[TopicResult]
        The failed topics (at least one).
    total : int
        Topics attempted.

    Returns
    -------
    str
        When no topic reached E-utilities at all (DNS, refused, proxy, TLS,
        connect timeout): the cause once and what to do next; otherwise each
        failed topic with its error.
    """
    if len(failures) == total and all(f.cause for f in failures):
        return f"{failures[0].error}; {UNREACHABLE_HINT}"
    detail = "; ".join(f"{f.topic}: {f.error}" for f in failures)
    return f"harvest failed for {len(failures)} of {total} topic(s): {detail}"


@contextmanager
def locked_database(settings: Settings):
    """Take the run lock first, then create/upgrade the schema under it and yield the engine.

    A second run is refused before it touches the schema, and two first runs
    cannot migrate the same database at once.
    """
    probe = open_database(settings, migrate=False, check_schema=False)
    try:
        with run_lock(probe):
            engine = open_database(settings, migrate=True)
            try:
                yield engine
            finally:
                engine.dispose()
    finally:
        probe.dispose()


def run(args, settings: Settings) -> int:
    topics = select_topics(load_topics(settings.topics_file), args.topic_names)  # before touching the database
    with locked_database(settings) as engine:
        harvest_topics(engine, settings, topics, options_from_args(args, full=args.full))
        refresh_statistics(engine)  # the dashboard's query plans depend on them (db.maintenance)
    return 0
