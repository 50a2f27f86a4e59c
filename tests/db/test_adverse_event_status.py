"""Adverse-event status and arm: written, read back, defaulted for older extractions (both backends)."""

import pytest
from sqlmodel import SQLModel, select

from db.engine import make_engine
from db.extractions import read_extractions, write_extractions
from db.models import ExtractedAdverseEvent
from db.records import ArticleRecord
from db.store import upsert_articles


def _event(term, **kw):
    return {"term": term, "organ_class": "Psychiatric disorders", "negated": False, "frequency": None,
            "frequency_pct": None, "sentence": f"{term} was seen.", "start": 0, "end": len(term), **kw}


def _write(engine, *events):
    upsert_articles(engine, [ArticleRecord(pmid=5, title="Ketamine", abstract="a")])
    write_extractions(engine, [{"pmid": 5, "extractor_version": "t", "content_hash": "", "adverse_events": list(events)}])


@pytest.fixture
def both(db_url):
    """An engine with every table, once per backend."""
    eng = make_engine(db_url)
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


def test_status_and_arm_round_trip(both):
    _write(both, _event("dissociation", status="background", arm="ketamine"))
    ae = read_extractions(both, [5])[0]["adverse_events"][0]
    assert (ae["status"], ae["arm"]) == ("background", "ketamine")


def test_missing_status_of_a_present_event_is_occurred(both):
    _write(both, _event("dissociation"))
    ae = read_extractions(both, [5])[0]["adverse_events"][0]
    assert (ae["status"], ae["arm"]) == ("occurred", "unstated")


def test_missing_status_of_a_negated_event_is_not_occurred(both):
    _write(both, _event("nausea", negated=True))
    ae = read_extractions(both, [5])[0]["adverse_events"][0]
    assert (ae["status"], ae["negated"]) == ("not_occurred", True)


def test_stated_status_wins_over_negated_default(engine, session):
    _write(engine, _event("sedation", status="planned", arm="both"))
    row = session.exec(select(ExtractedAdverseEvent)).one()
    assert (row.status, row.arm, row.negated) == ("planned", "both", False)


def test_new_event_row_defaults_to_occurred_and_unstated():
    assert (ExtractedAdverseEvent(pmid=1, term="x", organ_class="y").status,
            ExtractedAdverseEvent(pmid=1, term="x", organ_class="y").arm) == ("occurred", "unstated")
