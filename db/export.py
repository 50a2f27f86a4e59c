"""The export record: one schema for ``ketamine-tracker export`` and the dashboard's downloads.

One record per article with an extraction, its fields in the order of
:data:`FIELDS`; the contract is documented in ``docs/export.md``. Fields are
only ever added at the end. JSON Lines writes the records as they are; CSV
flattens them with :func:`csv_row` (lists ``;``-joined).
"""

from __future__ import annotations

import csv
from typing import IO, Iterable, Sequence

from sqlalchemy.engine import Engine

from .extractions import read_extractions
from .models import ae_arm, ae_status

FIELDS = [
    "pmid", "title", "year", "topics", "conditions", "design", "sample_size", "pooled_participants", "routes", "doses",
    "comparators", "efficacy_direction", "serious_ae", "adverse_events", "outcomes", "extractor_version",
    # added with the one CSV schema (issue 15): the bibliographic fields a reviewer screens on
    "doi", "journal", "authors", "abstract", "is_retracted",
    # added for RIS/BibTeX-grade citations (issue 15, migration 0007): as PubMed writes them
    "volume", "issue", "pages",
]
AE_KEYS = ["term", "organ_class", "negated", "frequency", "frequency_pct", "sentence", "start", "end", "status", "arm"]
#: CSV suffix of an adverse event by status: ``term`` when it occurred, ``term[negated]`` when it did not (as
#: before statuses existed), ``term[<status>]`` for mentions that report no event of the study
AE_CSV_SUFFIX = {"occurred": "", "not_occurred": "[negated]"}
OUTCOME_KEYS = ["measure", "direction", "numbers", "sentence", "start", "end"]
DOSE_KEYS = ["amount", "amount_high", "unit", "form", "route", "text"]


def author_name(author: dict) -> str | None:
    """PubMed's display form of one author: "Smith JA", or the collective name.

    Parameters
    ----------
    author : dict
        A stored author (``last``, ``fore``, ``initials``, ``collective``).

    Returns
    -------
    str or None
        None when the entry has neither a last name nor a collective name (or is no dict).
    """
    if not isinstance(author, dict):
        return None
    if author.get("collective"):
        return str(author["collective"])
    if not author.get("last"):
        return None
    return f"{author['last']} {author.get('initials') or ''}".strip()


def record(row: dict) -> dict:
    """The exported record of one row of :func:`db.extractions.read_extractions`.

    Parameters
    ----------
    row : dict
        Extraction columns with the article's bibliographic columns and child rows.

    Returns
    -------
    dict
        The record, keys in the order of :data:`FIELDS`.
    """
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
        "doi": row.get("doi"),
        "journal": row.get("journal"),
        "authors": [n for n in (author_name(a) for a in row.get("authors") or []) if n],
        "abstract": row.get("abstract") or "",
        "is_retracted": bool(row.get("is_retracted")),
        "volume": row.get("volume"),
        "issue": row.get("issue"),
        "pages": row.get("pages"),
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


def _cell(value) -> object:
    return "" if value is None else value


def csv_row(rec: dict) -> dict:
    """Flatten a record for CSV.

    Lists are ``;``-joined; adverse events read ``term`` when they occurred,
    ``term[negated]`` when they did not and ``term[planned]``,
    ``term[background]`` or ``term[other_drug]`` otherwise; outcomes
    ``measure:direction``; doses ``amount[-high] unit (form,route)``;
    ``is_retracted`` ``yes``/``no``; None becomes an empty cell (``volume``,
    ``issue``, ``pages`` of an article PubMed has not given them for).

    Parameters
    ----------
    rec : dict
        A record of :func:`record`.

    Returns
    -------
    dict
        One CSV row, keys in the order of :data:`FIELDS`.
    """
    def j(xs):
        return ";".join(str(x) for x in xs)

    return {
        "pmid": rec["pmid"],
        "title": rec["title"],
        "year": _cell(rec["year"]),
        "topics": j(rec["topics"]),
        "conditions": j(rec["conditions"]),
        "design": rec["design"],
        "sample_size": _cell(rec["sample_size"]),
        "pooled_participants": _cell(rec["pooled_participants"]),
        "routes": j(rec["routes"]),
        "doses": j(_dose_text(d) for d in rec["doses"]),
        "comparators": j(rec["comparators"]),
        "efficacy_direction": rec["efficacy_direction"],
        "serious_ae": rec["serious_ae"],
        "adverse_events": j(_ae_text(a) for a in rec["adverse_events"]),
        "outcomes": j(f"{o['measure']}:{o['direction'] or ''}" for o in rec["outcomes"]),
        "extractor_version": rec["extractor_version"],
        "doi": _cell(rec["doi"]),
        "journal": _cell(rec["journal"]),
        "authors": j(rec["authors"]),
        "abstract": rec["abstract"],
        "is_retracted": "yes" if rec["is_retracted"] else "no",
        "volume": _cell(rec["volume"]),
        "issue": _cell(rec["issue"]),
        "pages": _cell(rec["pages"]),
    }


def records(engine: Engine, pmids: Sequence[int] | None = None) -> list[dict]:
    """The export records of every extraction, or of ``pmids``, ordered by PMID.

    Parameters
    ----------
    engine : Engine
    pmids : sequence of int, optional
        Restrict to these articles (the dashboard's current selection).

    Returns
    -------
    list of dict
    """
    return [record(r) for r in read_extractions(engine, pmids)]


def write_csv(recs: Iterable[dict], out: IO[str]) -> int:
    """Write records as CSV with a header row; returns how many were written."""
    w = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    w.writeheader()
    n = 0
    for rec in recs:
        w.writerow(csv_row(rec))
        n += 1
    return n
