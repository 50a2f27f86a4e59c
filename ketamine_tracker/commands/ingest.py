"""``ketamine-tracker ingest FILE... [--topic T] [--batch-size N]``: load PubMed files offline.

Each file is PubMed XML (efetch output, baseline/update files, ``.xml`` or
``.xml.gz``) or MEDLINE text (PubMed "Save → PubMed format", ``.nbib``/``.txt``);
the format is recognised from the content, not the name. Records go through
the same upsert path as the harvester (:func:`db.store.upsert_articles` is
:func:`db.store.prepare_batch` followed by :func:`db.store.store_prepared`).

Every file is one database transaction: a file that fails half-way (truncated,
malformed, hostile, over a bound of :mod:`harvester.limits`, a PMID that is
not ASCII digits in 1..2**63-1) is refused with one line and exit code 2 and
leaves the database exactly as it was. Each file gets a
``harvest_run`` row (``kind="ingest"``) written in its own transaction after
the file succeeded or failed, so failures are on record too.

A file is parsed, hashed and flattened into batches one record at a time
(:func:`harvester.file_batches.prepared_batches`) and each batch is written
(:func:`db.store.store_prepared`) inside the file's transaction, so a parse
error anywhere rolls the whole file back.
"""

from __future__ import annotations

import gzip
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.lock import run_lock
from db.maintenance import group_trials, refresh_statistics
from db.models import HarvestRun, utcnow
from db.store import UpsertCounts, store_prepared
from harvester.file_batches import prepared_batches
from harvester.errors import InputRejected

from ..app import open_database
from ..argtypes import int_in_range
from ..errors import TrackerError, UsageError
from ..progress import Progress

log = logging.getLogger("ketamine_tracker.ingest")

DEFAULT_BATCH_SIZE = 2000
_SNIFF_BYTES = 4096
_MEDLINE_LINE = re.compile(rb"^[A-Z][A-Z0-9]{0,3} {0,3}- ")


_batch_size = int_in_range(1, 100_000)


def register(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="load PubMed XML or MEDLINE (.nbib) files into the database, offline",
        description="Load PubMed XML (.xml, .xml.gz) or MEDLINE text (.nbib, .txt) files; the format is detected "
        "from the content. Each file is one transaction: a bad file changes nothing.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="PubMed XML or MEDLINE files")
    p.add_argument("--topic", help="link every ingested article to this topic (the run is recorded under it)")
    p.add_argument("--batch-size", type=_batch_size, default=DEFAULT_BATCH_SIZE,
                   help=f"records per upsert batch (default {DEFAULT_BATCH_SIZE})")
    p.set_defaults(func=run)


# --------------------------------------------------------------------------- format detection


def detect_format(path: Path) -> str:
    """``"xml"`` or ``"medline"`` from the first bytes of ``path`` (gzip is looked through).

    Raises
    ------
    UsageError
        The file is missing, unreadable, empty, or neither format.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as gz:
                head = gz.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except (OSError, EOFError) as exc:
        raise UsageError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise UsageError(f"{path}: empty file; expected PubMed XML or MEDLINE text")
    if text.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "xml"
    if _MEDLINE_LINE.match(text):
        return "medline"
    raise UsageError(f"{path}: neither PubMed XML nor MEDLINE text (starts with {text[:30]!r})")


# --------------------------------------------------------------------------- ingest


@dataclass
class FileResult:
    """What ingesting one file did."""

    path: Path
    records: int
    counts: UpsertCounts

    def summary(self) -> str:
        c = self.counts
        return (f"{self.path}: {self.records} records (new {c.new}, updated {c.updated}, "
                f"unchanged {c.unchanged}, deleted {c.deleted})")


def ingest_file(engine: Engine, path: Path, *, topic: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                fmt: str | None = None, interactive: bool | None = None) -> FileResult:
    """Load one file in one transaction and record the run.

    Parameters
    ----------
    engine : Engine
        Database with the tracker schema.
    path : Path
        PubMed XML or MEDLINE file.
    topic : str, optional
        Link every article to this topic; the run row's topic ("ingest" if None).
    batch_size : int
        Records per prepared and stored batch.
    fmt : {"xml", "medline"}, optional
        Skip detection.

    Returns
    -------
    FileResult

    Raises
    ------
    UsageError
        Bad input; nothing of the file was written.
    TrackerError
        The database failed; nothing of the file was written.
    """
    fmt = fmt or detect_format(path)
    started = utcnow()
    counts = UpsertCounts()
    parsed = [0]
    error: str | None = None

    try:
        with Progress(None, f"ingest {path.name}", "records", interactive=interactive) as progress:
            with engine.begin() as conn:
                for n, prepared in prepared_batches(path, fmt, batch_size, parsed):
                    done = store_prepared(conn, prepared, topic=topic)
                    counts.add(done)
                    progress.update(n, new=counts.new, updated=counts.updated)
    except InputRejected as exc:
        error = str(exc)
        raise UsageError(f"{exc}; nothing from this file was written (database unchanged)") from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        error = f"database error: {reason}"
        raise TrackerError(f"{path}: not ingested, database unchanged: {error}") from exc
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _record_run(engine, topic or "ingest", started, parsed[0], counts if error is None else UpsertCounts(), error)
    return FileResult(path=path, records=parsed[0], counts=counts)


def _record_run(engine: Engine, topic: str, started, found: int, counts: UpsertCounts, error: str | None) -> None:
    row = {
        "topic": topic,
        "kind": "ingest",
        "started": started,
        "finished": utcnow(),
        "status": "failed" if error else "success",
        "found": found,
        "new": counts.new,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "deleted": counts.deleted,
        "failed": 1 if error else 0,
        "requests": 0,
        "error": error[:2000] if error else None,
    }
    try:
        with engine.begin() as conn:
            conn.execute(insert(HarvestRun.__table__).values(row))
    except SQLAlchemyError as exc:  # the ingest outcome matters more than its log row
        log.warning("could not record the ingest run: %s", str(getattr(exc, "orig", None) or exc).splitlines()[0])


def run(args, settings) -> int:
    paths = [Path(f) for f in args.files]
    formats = {p: detect_format(p) for p in paths}  # every file checked before anything is written
    engine = open_database(settings)
    total = UpsertCounts()
    try:
        with run_lock(engine):
            for path in paths:
                result = ingest_file(engine, path, topic=args.topic, batch_size=args.batch_size, fmt=formats[path])
                total.add(result.counts)
                print(result.summary())
                sys.stdout.flush()
            if total.new or total.updated or total.deleted:
                group_trials(engine)  # the dashboard counts trials from the stored keys
                refresh_statistics(engine)
    finally:
        engine.dispose()
    if len(paths) > 1:
        print(f"total: {len(paths)} files (new {total.new}, updated {total.updated}, "
              f"unchanged {total.unchanged}, deleted {total.deleted})")
    return 0
