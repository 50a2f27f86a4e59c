"""Adverse-event status and arm: written, read back, defaulted for older extractions, exported (db_engine backends)."""

import csv
import io
import json

import pytest
from sqlmodel import select

from db.extractions import read_extractions, write_extractions
from db.models import ExtractedAdverseEvent
from db.records import ArticleRecord
from db.store import upsert_articles
from db.export import record
from ketamine_tracker.commands import export as export_cmd


def _event(term, **kw):
    return {"term": term, "organ_class": "Psychiatric disorders", "negated": False, "frequency": None,
            "frequency_pct": None, "sentence": f"{term} was seen.", "start": 0, "end": len(term), **kw}


def _write(engine, *events):
    upsert_articles(engine, [ArticleRecord(pmid=5, title="Ketamine", abstract="a")])
    write_extractions(engine, [{"pmid": 5, "extractor_version": "t", "content_hash": "", "adverse_events": list(events)}])


def test_status_and_arm_round_trip(db_engine):
    _write(db_engine, _event("dissociation", status="background", arm="ketamine"))
    ae = read_extractions(db_engine, [5])[0]["adverse_events"][0]
    assert (ae["status"], ae["arm"]) == ("background", "ketamine")


def test_missing_status_of_a_present_event_is_occurred(db_engine):
    _write(db_engine, _event("dissociation"))
    ae = read_extractions(db_engine, [5])[0]["adverse_events"][0]
    assert (ae["status"], ae["arm"]) == ("occurred", "unstated")


def test_missing_status_of_a_negated_event_is_not_occurred(db_engine):
    _write(db_engine, _event("nausea", negated=True))
    ae = read_extractions(db_engine, [5])[0]["adverse_events"][0]
    assert (ae["status"], ae["negated"]) == ("not_occurred", True)


def test_stated_status_wins_over_negated_default(engine, session):
    _write(engine, _event("sedation", status="planned", arm="both"))
    row = session.exec(select(ExtractedAdverseEvent)).one()
    assert (row.status, row.arm, row.negated) == ("planned", "both", False)


def test_new_event_row_defaults_to_occurred_and_unstated():
    assert (ExtractedAdverseEvent(pmid=1, term="x", organ_class="y").status,
            ExtractedAdverseEvent(pmid=1, term="x", organ_class="y").arm) == ("occurred", "unstated")


# --------------------------------------------------------------------------- export


def _exported(engine, fmt):
    out = io.StringIO()
    export_cmd.export(engine, fmt, stdout=out)
    return out.getvalue()


def test_jsonl_export_ends_each_event_with_status_and_arm(db_engine):
    _write(db_engine, _event("sedation", status="planned", arm="both"))
    ae = json.loads(_exported(db_engine, "jsonl").splitlines()[0])["adverse_events"][0]
    assert list(ae)[-2:] == ["status", "arm"] and (ae["status"], ae["arm"]) == ("planned", "both")


def test_csv_export_marks_each_status(db_engine):
    _write(db_engine, _event("dissociation", start=0), _event("nausea", negated=True, start=1), _event("sedation", status="planned", start=2),
           _event("dizziness", status="background", start=3), _event("constipation", status="other_drug", start=4))
    row = next(csv.DictReader(io.StringIO(_exported(db_engine, "csv"))))
    assert row["adverse_events"] == "dissociation;nausea[negated];sedation[planned];dizziness[background];constipation[other_drug]"


def test_exported_event_without_status_reads_from_negated():
    row = {"pmid": 1, "title": "t", "year": None, "conditions": [], "design": "rct", "sample_size": None, "routes": [],
           "comparators": [], "efficacy_direction": "not_applicable", "serious_ae": "unstated", "extractor_version": "old",
           "adverse_events": [_event("nausea", negated=True)]}
    ae = record(row)["adverse_events"][0]
    assert (ae["status"], ae["arm"]) == ("not_occurred", "unstated")
