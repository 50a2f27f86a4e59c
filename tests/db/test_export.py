"""One export schema (db.export) for `export --format csv|jsonl` and the dashboard's CSV download."""

import csv
import io

import pytest

from dashboard.exports import to_csv
from db.export import FIELDS, author_name, records, write_csv
from db.extractions import write_extractions
from db.records import ArticleRecord
from db.store import upsert_articles
from ketamine_tracker.commands import export as export_cmd

AUTHORS = [{"last": "Smith", "fore": "Jane A", "initials": "JA"}, {"collective": "KET Study Group"}, {"fore": "Nameless"}]


@pytest.fixture
def stored(engine):
    upsert_articles(engine, [
        ArticleRecord(pmid=7, title="Intranasal esketamine in depression", abstract="Esketamine; placebo, n = 40.",
                      journal="J Psychiatr Res", doi="10.1000/x.7", pub_year=2024, authors=AUTHORS, is_retracted=True),
        ArticleRecord(pmid=8, title="Ketamine for migraine", abstract="Migraine, line one.\nLine two."),
    ])
    write_extractions(engine, [
        {"pmid": 7, "extractor_version": "t", "content_hash": "", "design": "rct", "sample_size": 40,
         "routes": ["intranasal"], "conditions": ["depression"]},
        {"pmid": 8, "extractor_version": "t", "content_hash": "", "design": "case_report", "sample_size": 1},
    ])
    return engine


def _csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_author_name_is_pubmeds_display_form():
    assert [author_name(a) for a in AUTHORS] == ["Smith JA", "KET Study Group", None]


def test_record_carries_the_bibliographic_fields(stored):
    rec = records(stored, [7])[0]
    assert (rec["doi"], rec["journal"], rec["authors"], rec["is_retracted"]) == (
        "10.1000/x.7", "J Psychiatr Res", ["Smith JA", "KET Study Group"], True)


def test_record_carries_the_abstract(stored):
    assert records(stored, [8])[0]["abstract"] == "Migraine, line one.\nLine two."


def test_record_keys_follow_the_schema(stored):
    assert list(records(stored)[0]) == FIELDS


def test_csv_header_is_the_schema(stored):
    out = io.StringIO()
    write_csv(records(stored), out)
    assert out.getvalue().splitlines()[0].split(",") == FIELDS


def test_csv_marks_retraction_and_joins_authors(stored):
    out = io.StringIO()
    write_csv(records(stored, [7]), out)
    row = _csv_rows(out.getvalue())[0]
    assert (row["is_retracted"], row["authors"], row["topics"]) == ("yes", "Smith JA;KET Study Group", "")


def test_dashboard_csv_is_the_cli_csv_of_the_same_articles(stored):
    cli = io.StringIO()
    export_cmd.export(stored, "csv", stdout=cli)
    assert to_csv(stored, [7, 8]) == cli.getvalue()


def test_dashboard_csv_holds_only_the_selection(stored):
    assert [r["pmid"] for r in _csv_rows(to_csv(stored, [8]))] == ["8"]
