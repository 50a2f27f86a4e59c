"""``ketamine-tracker export --format jsonl|csv [--output FILE]``.

One record per article with an extraction (:mod:`db.export`, the schema the
dashboard's CSV download shares); the contract is documented in
``docs/export.md``. Writing to ``--output`` is atomic (a temporary file in the
same directory, renamed over the target when complete).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterable

from db.export import records as export_records
from db.export import write_csv

from ..app import open_database
from ..errors import UsageError
from ..settings import Settings


def register(sub) -> None:
    p = sub.add_parser("export", help="export extractions as JSON Lines or CSV (contract: docs/export.md)")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default jsonl)")
    p.add_argument("--output", "-o", help="file to write (default: standard output); written atomically")
    p.set_defaults(func=run)


def write(records: Iterable[dict], fmt: str, out: IO[str]) -> int:
    """Write records to ``out`` in ``fmt``; returns how many were written."""
    if fmt == "csv":
        return write_csv(records, out)
    n = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def export(engine, fmt: str, output: str | None = None, stdout: IO[str] | None = None) -> int:
    """Export every extraction; atomic when ``output`` is a path."""
    records = iter(export_records(engine))
    if output is None:
        return write(records, fmt, stdout or sys.stdout)
    target = Path(output)
    if not target.parent.exists():
        raise UsageError(f"output directory does not exist: {target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            n = write(records, fmt, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return n


def run(args, settings: Settings) -> int:
    engine = open_database(settings, migrate=False, read_only=True)
    try:
        n = export(engine, args.format, args.output)
    except BrokenPipeError:
        # the reader went away (`export | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        engine.dispose()
    if args.output:
        print(f"exported {n} articles to {args.output}", file=sys.stderr)
    return 0
