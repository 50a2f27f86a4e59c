"""``ketamine-tracker ingest FILE... [--topic T] [--batch-size N]``: load PubMed files offline.

Each file is PubMed XML (efetch output, baseline/update files, ``.xml`` or
``.xml.gz``) or MEDLINE text (PubMed "Save → PubMed format", ``.nbib``/``.txt``);
the format is recognised from the content, not the name. Records go through
the same upsert path as the harvester (:func:`db.store.upsert_articles` is
:func:`db.store.prepare_batch` followed by :func:`db.store.store_prepared`).

Every file is one database transaction: a file that fails half-way (truncated,
malformed, hostile) leaves the database exactly as it was. Each file gets a
``harvest_run`` row (``kind="ingest"``) written in its own transaction after
the file succeeded or failed, so failures are on record too.

Large files are pipelined over two processes: a parser child process
(:mod:`harvester.ingest_worker`) reads the file, hashes and flattens batches
(:func:`db.rows.prepare_batch`) and streams them back, and this process writes
batch N (:func:`db.store.store_prepared`) while batch N+1 is parsed. The
transaction stays in this process, so a parse error reported by the child
rolls the whole file back exactly as before.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.models import HarvestRun, utcnow
from db.store import UpsertCounts, store_prepared
from harvester.ingest_worker import ParserProcessError, prepared_batches
from harvester.medline import MedlineError
from harvester.pubmed_xml import PubmedXMLError

from ..app import open_database
from ..argtypes import int_in_range
from ..errors import TrackerError, UsageError
from ..progress import Progress

try:  # the run lock is optional: ingest still works where db.lock is not installed
    from db.lock import run_lock
except ImportError:  # pragma: no cover - depends on the checkout
    run_lock = None

log = logging.getLogger("ketamine_tracker.ingest")

DEFAULT_BATCH_SIZE = 2000
# Files at least this large (bytes on disk) are parsed in a child process when
# there is a second CPU; below it the child's start costs more than the overlap saves.
PIPELINE_MIN_BYTES = 4 * 1024 * 1024
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
    p.add_argument("--pipeline", choices=("auto", "on", "off"), default="auto",
                   help="parse in a second process while this one writes: auto (files of "
                   f"{PIPELINE_MIN_BYTES // 2**20} MiB or more while a second CPU is idle), on, off "
                   "(default auto)")
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


def use_pipeline(path: Path, mode: str = "auto") -> bool:
    """Whether ``path`` is parsed in a child process.

    Parameters
    ----------
    path : Path
        The file to ingest.
    mode : {"auto", "on", "off"}
        ``auto`` pipelines files of :data:`PIPELINE_MIN_BYTES` or more when a
        second CPU is idle (1-minute load average below CPUs - 1): the split
        costs 10-25% more CPU in total (prepared rows are pickled across, and
        the two processes share the CPU caches), which only pays when the
        second process gets a core of its own.

    Returns
    -------
    bool
    """
    if mode != "auto":
        return mode == "on"
    try:
        size = path.stat().st_size
    except OSError:
        return False
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - platforms without a load average
        load = 0.0
    return size >= PIPELINE_MIN_BYTES and cpus > 1 and load < cpus - 1


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
                fmt: str | None = None, interactive: bool | None = None, pipeline: str = "auto") -> FileResult:
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
    pipeline : {"auto", "on", "off"}
        Parse in a second process while this one writes (see :func:`use_pipeline`).

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
                batches = prepared_batches(path, fmt, batch_size, parsed, in_process=use_pipeline(path, pipeline))
                try:
                    for n, prepared in batches:
                        done = store_prepared(conn, prepared, topic=topic)
                        counts.add(done)
                        progress.update(n, new=counts.new, updated=counts.updated)
                finally:
                    batches.close()  # stop the parser process now if writing failed
    except (PubmedXMLError, MedlineError) as exc:
        error = str(exc)
        raise UsageError(f"{exc}; nothing from this file was written (database unchanged)") from exc
    except ParserProcessError as exc:
        error = str(exc)
        raise TrackerError(f"{path}: not ingested, database unchanged: {exc}") from exc
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
    lock = run_lock(engine) if run_lock is not None else nullcontext()
    total = UpsertCounts()
    try:
        with lock:
            for path in paths:
                result = ingest_file(engine, path, topic=args.topic, batch_size=args.batch_size, fmt=formats[path],
                                     pipeline=getattr(args, "pipeline", "auto"))
                total.add(result.counts)
                print(result.summary())
                sys.stdout.flush()
    finally:
        engine.dispose()
    if len(paths) > 1:
        print(f"total: {len(paths)} files (new {total.new}, updated {total.updated}, "
              f"unchanged {total.unchanged}, deleted {total.deleted})")
    return 0
