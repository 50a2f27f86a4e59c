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
                      journal="J Psychiatr Res", doi="10.1000/x.7", pub_year=2024, authors=AUTHORS, is_retracted=True,
                      volume="12", issue="3 Suppl 1", pages="101-9"),
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


#: the export's fields before volume, issue and pages were added: the contract only ever appends
FIELDS_BEFORE_CITATIONS = [
    "pmid", "title", "year", "topics", "conditions", "design", "sample_size", "pooled_participants", "routes", "doses",
    "comparators", "efficacy_direction", "serious_ae", "adverse_events", "outcomes", "extractor_version",
    "doi", "journal", "authors", "abstract", "is_retracted",
]


def test_citation_fields_are_appended_to_the_contract():
    assert FIELDS == FIELDS_BEFORE_CITATIONS + ["volume", "issue", "pages"]


def test_record_carries_volume_issue_and_pages_as_pubmed_writes_them(stored):
    rec = records(stored, [7])[0]
    assert (rec["volume"], rec["issue"], rec["pages"]) == ("12", "3 Suppl 1", "101-9")


def test_record_without_citation_details_has_nulls(stored):
    rec = records(stored, [8])[0]
    assert (rec["volume"], rec["issue"], rec["pages"]) == (None, None, None)


def test_records_of_every_article_carry_their_citation_details(stored):
    assert [r["pages"] for r in records(stored)] == ["101-9", None]


def test_csv_writes_citation_details_and_empty_cells(stored):
    out = io.StringIO()
    write_csv(records(stored), out)
    rows = _csv_rows(out.getvalue())
    assert [(r["volume"], r["issue"], r["pages"]) for r in rows] == [("12", "3 Suppl 1", "101-9"), ("", "", "")]


def test_reference_manager_rows_carry_the_citation_details(stored):
    from db.queries import export_articles

    row = {r["pmid"]: r for r in export_articles(stored)}[7]
    assert (row["volume"], row["issue"], row["pages"]) == ("12", "3 Suppl 1", "101-9")


def test_ris_download_of_stored_articles_cites_volume_issue_and_pages(stored):
    import rispy

    from dashboard.exports import to_ris
    from db.queries import export_articles

    entry = {e["accession_number"]: e for e in rispy.loads(to_ris(export_articles(stored)))}["7"]
    assert (entry["volume"], entry["number"], entry["start_page"], entry["end_page"]) == ("12", "3 Suppl 1", "101", "109")


def test_bibtex_download_of_stored_articles_cites_volume_number_and_pages(stored):
    import bibtexparser

    from dashboard.exports import to_bibtex
    from db.queries import export_articles

    entry = {e.key: e for e in bibtexparser.parse_string(to_bibtex(export_articles(stored))).entries}["pmid7"]
    assert (entry["volume"], entry["number"], entry["pages"]) == ("12", "3 Suppl 1", "101--109")
