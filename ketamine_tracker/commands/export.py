"""``ketamine-tracker export --format jsonl|csv [--output FILE]``.

One record per article with an extraction; the contract is documented in
``docs/export.md``. Writing to ``--output`` is atomic (a temporary file in the
same directory, renamed over the target when complete).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterable

from db.extractions import read_extractions
from db.models import ae_arm, ae_status

from ..app import open_database
from ..errors import UsageError
from ..settings import Settings

FIELDS = [
    "pmid", "title", "year", "topics", "conditions", "design", "sample_size", "pooled_participants", "routes", "doses",
    "comparators", "efficacy_direction", "serious_ae", "adverse_events", "outcomes", "extractor_version",
]
AE_KEYS = ["term", "organ_class", "negated", "frequency", "frequency_pct", "sentence", "start", "end", "status", "arm"]
#: CSV suffix of an adverse event by status: ``term`` when it occurred, ``term[negated]`` when it did not (as
#: before statuses existed), ``term[<status>]`` for mentions that report no event of the study
AE_CSV_SUFFIX = {"occurred": "", "not_occurred": "[negated]"}
OUTCOME_KEYS = ["measure", "direction", "numbers", "sentence", "start", "end"]
DOSE_KEYS = ["amount", "amount_high", "unit", "form", "route", "text"]


def register(sub) -> None:
    p = sub.add_parser("export", help="export extractions as JSON Lines or CSV (contract: docs/export.md)")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default jsonl)")
    p.add_argument("--output", "-o", help="file to write (default: standard output); written atomically")
    p.set_defaults(func=run)


def record(row: dict) -> dict:
    """The exported record of one extraction row from :func:`db.extractions.read_extractions`."""
    return {
        "pmid": row["pmid"],
        "title": row["title"],
        "year": row["year"],
        "topics": list(row.get("topics") or []),
        "conditions": list(row["conditions"] or []),
        "design": row["design"],
        "sample_size": row["sample_size"],
        "pooled_participants": row.get("pooled_participants"),
        "routes": list(row["routes"] or []),
        "doses": [{k: d.get(k) for k in DOSE_KEYS} for d in row.get("doses") or []],
        "comparators": list(row["comparators"] or []),
        "efficacy_direction": row["efficacy_direction"],
        "serious_ae": row["serious_ae"],
        "adverse_events": [_adverse_event(a) for a in row.get("adverse_events") or []],
        "outcomes": [{k: o.get(k) for k in OUTCOME_KEYS} for o in row.get("outcomes") or []],
        "extractor_version": row["extractor_version"],
    }


def _adverse_event(a: dict) -> dict:
    """An exported adverse event; rows written before statuses existed read as occurred / not_occurred."""
    out = {k: a.get(k) for k in AE_KEYS}
    out["status"], out["arm"] = ae_status(a), ae_arm(a)
    return out


def _ae_text(a: dict) -> str:
    return a["term"] + AE_CSV_SUFFIX.get(a["status"], f"[{a['status']}]")


def _dose_text(d: dict) -> str:
    amount = f"{d['amount']:g}" + (f"-{d['amount_high']:g}" if d.get("amount_high") is not None else "")
    extra = ",".join(x for x in (d.get("form"), d.get("route")) if x)
    return f"{amount} {d['unit']}" + (f" ({extra})" if extra else "")


def csv_row(rec: dict) -> dict:
    """Flatten a record for CSV: lists ``;``-joined, adverse events as ``term``
    when they occurred, ``term[negated]`` when they did not and ``term[planned]``,
    ``term[background]`` or ``term[other_drug]`` otherwise, outcomes as
    ``measure:direction``, doses as ``amount[-high] unit (form,route)``; None -> empty cell."""
    def j(xs):
        return ";".join(str(x) for x in xs)

    return {
        "pmid": rec["pmid"],
        "title": rec["title"],
        "year": "" if rec["year"] is None else rec["year"],
        "topics": j(rec["topics"]),
        "conditions": j(rec["conditions"]),
        "design": rec["design"],
        "sample_size": "" if rec["sample_size"] is None else rec["sample_size"],
        "pooled_participants": "" if rec["pooled_participants"] is None else rec["pooled_participants"],
        "routes": j(rec["routes"]),
        "doses": j(_dose_text(d) for d in rec["doses"]),
        "comparators": j(rec["comparators"]),
        "efficacy_direction": rec["efficacy_direction"],
        "serious_ae": rec["serious_ae"],
        "adverse_events": j(_ae_text(a) for a in rec["adverse_events"]),
        "outcomes": j(f"{o['measure']}:{o['direction'] or ''}" for o in rec["outcomes"]),
        "extractor_version": rec["extractor_version"],
    }


def write(records: Iterable[dict], fmt: str, out: IO[str]) -> int:
    """Write records to ``out`` in ``fmt``; returns how many were written."""
    n = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    else:
        w = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for rec in records:
            w.writerow(csv_row(rec))
            n += 1
    return n


def export(engine, fmt: str, output: str | None = None, stdout: IO[str] | None = None) -> int:
    """Export every extraction; atomic when ``output`` is a path."""
    records = (record(r) for r in read_extractions(engine))
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
