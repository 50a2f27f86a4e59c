"""``ketamine-tracker extract [--all] [--workers N]``: NLP extraction of stored articles."""

from __future__ import annotations

import logging

from db.lock import run_lock
from db.maintenance import refresh_statistics

from ..app import open_database
from ..errors import UsageError
from ..progress import ProgressCallback
from ..settings import Settings

log = logging.getLogger("ketamine_tracker")


def register(sub) -> None:
    p = sub.add_parser("extract", help="extract study facts from articles that are new, changed or extracted by an older version")
    p.add_argument("--all", action="store_true", help="re-extract every article")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count, at most 4)")
    p.set_defaults(func=run)


def run_extract(engine, settings: Settings | None = None, all: bool = False, workers: int | None = None) -> dict:
    """Extract pending articles (``update`` calls this while it holds the run lock).

    Returns
    -------
    dict
        ``pending``, ``extracted``, ``failed`` and the extractor ``version``.
    """
    from nlp.runner import run_extraction  # here, not at the top: it loads spaCy, which other commands never need

    with ProgressCallback("extract", "articles") as on_progress:
        counts = run_extraction(engine, all=all, workers=workers, on_progress=on_progress)
    if counts.extracted:
        refresh_statistics(engine)  # the dashboard's plans depend on them (db.maintenance)
    log.info(
        "extraction: %d pending, %d extracted, %d failed (extractor %s)",
        counts.pending, counts.extracted, counts.failed, counts.version,
        extra=counts.as_dict(),
    )
    return counts.as_dict()


def run(args, settings: Settings) -> int:
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    engine = open_database(settings, migrate=True)
    try:
        with run_lock(engine):
            counts = run_extract(engine, settings, all=args.all, workers=args.workers)
    finally:
        engine.dispose()
    print(f"extracted {counts['extracted']} of {counts['pending']} pending articles ({counts['failed']} failed; extractor {counts['version']})")
    return 1 if counts["failed"] and not counts["extracted"] else 0
