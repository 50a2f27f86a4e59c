"""`extract` over a database (SQLite and PostgreSQL) and `export` round trips."""

import csv
import io
import json

import pytest
from sqlalchemy import select, update

import db.models  # noqa: F401
from db.extractions import articles_to_extract, read_extractions, write_extractions
from db.models import Article, ExtractedDose, Extraction, ExtractionCondition
from db.records import ArticleRecord, MeshHeading, PubType
from db.store import upsert_articles
from db.export import FIELDS, csv_row, record
from ketamine_tracker.commands import export as export_cmd
from ketamine_tracker.commands.extract import run_extract
from nlp.extract import EXTRACTOR_VERSION


def _rec(pmid, abstract="METHODS: Forty patients with treatment-resistant depression were randomized to intravenous ketamine 0.5 mg/kg or midazolam.", **kw):
    return ArticleRecord(pmid=pmid, title=f"Ketamine study {pmid}", abstract=abstract, pub_year=2020, **kw)


@pytest.fixture
def engine(db_engine):
    return db_engine


def _seed(engine):
    upsert_articles(engine, [
        _rec(1, publication_types=[PubType("Randomized Controlled Trial")], mesh=[MeshHeading("Depressive Disorder, Treatment-Resistant")]),
        _rec(2),
        _rec(3, abstract="A narrative review of ketamine for migraine."),
    ], topic="depression")


def _versions(engine):
    with engine.connect() as c:
        return dict(c.execute(select(Extraction.pmid, Extraction.extracted_at)).all())


def test_extract_processes_pending_articles(engine):
    _seed(engine)
    counts = run_extract(engine, None, workers=1)
    assert (counts["pending"], counts["extracted"], counts["failed"]) == (3, 3, 0)


def test_extract_clears_needs_extraction(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    with engine.connect() as c:
        assert c.execute(select(Article.needs_extraction)).scalars().all() == [False, False, False]


def test_second_run_has_nothing_pending(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    assert run_extract(engine, None, workers=1)["pending"] == 0


def test_all_redoes_everything(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    assert run_extract(engine, None, all=True, workers=1)["extracted"] == 3


def test_changed_content_is_reextracted(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    upsert_articles(engine, [_rec(2, abstract="METHODS: Twelve adults with chronic pain received oral ketamine.")])
    assert articles_to_extract(engine, EXTRACTOR_VERSION) == [2]
    run_extract(engine, None, workers=1)
    row = read_extractions(engine, [2])[0]
    assert (row["sample_size"], row["conditions"], row["routes"]) == (12, ["pain"], ["oral"])


def test_old_version_is_pending(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    with engine.begin() as c:
        c.execute(update(Extraction.__table__).where(Extraction.pmid == 3).values(extractor_version="0.0.1"))
    assert articles_to_extract(engine, EXTRACTOR_VERSION) == [3]


def test_deleted_articles_are_not_extracted(engine):
    _seed(engine)
    with engine.begin() as c:
        c.execute(update(Article.__table__).where(Article.pmid == 2).values(is_deleted=True))
    assert articles_to_extract(engine, EXTRACTOR_VERSION, all=True) == [1, 3]


def test_reextraction_replaces_child_rows(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    run_extract(engine, None, all=True, workers=1)
    with engine.connect() as c:
        doses = c.execute(select(ExtractedDose.pmid)).scalars().all()
        conds = c.execute(select(ExtractionCondition.pmid, ExtractionCondition.condition)).all()
    assert sorted(doses) == [1, 2] and sorted(conds) == [(1, "depression"), (2, "depression"), (3, "migraine")]


def test_metadata_recorded_as_design_source(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    with engine.connect() as c:
        assert c.execute(select(Extraction.design, Extraction.design_source).where(Extraction.pmid == 1)).one() == ("rct", "pubtype")


def test_revision_during_extraction_stays_pending(engine):
    _seed(engine)
    write_extractions(engine, [{"pmid": 1, "extractor_version": EXTRACTOR_VERSION, "content_hash": "stale"}])
    with engine.connect() as c:
        assert c.execute(select(Article.needs_extraction).where(Article.pmid == 1)).scalar_one() is True


def test_export_jsonl_round_trip(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    out = io.StringIO()
    export_cmd.export(engine, "jsonl", stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records == [record(r) for r in read_extractions(engine)]


def test_export_jsonl_fields(engine):
    _seed(engine)
    run_extract(engine, None, workers=1)
    out = io.StringIO()
    export_cmd.export(engine, "jsonl", stdout=out)
    first = json.loads(out.getvalue().splitlines()[0])
    assert list(first) == FIELDS and first["topics"] == ["depression"]


def test_export_csv_round_trip(engine, tmp_path):
    _seed(engine)
    run_extract(engine, None, workers=1)
    target = tmp_path / "x.csv"
    export_cmd.export(engine, "csv", str(target))
    rows = list(csv.DictReader(open(target, newline="", encoding="utf-8")))
    expected = [{k: str(v) for k, v in csv_row(record(r)).items()} for r in read_extractions(engine)]
    assert rows == expected


def test_export_to_file_leaves_no_temp_file(engine, tmp_path):
    _seed(engine)
    run_extract(engine, None, workers=1)
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    export_cmd.export(engine, "jsonl", str(out_dir / "out.jsonl"))
    assert [p.name for p in out_dir.iterdir()] == ["out.jsonl"]


def test_review_keeps_pooled_participants_apart_from_sample_size(engine):
    upsert_articles(engine, [ArticleRecord(
        pmid=9, title="Ketamine in resistant depression: systematic review and meta-analysis of trials",
        abstract="RESULTS: We included 12 randomized trials with 1,015 patients. CONCLUSIONS: Ketamine reduced depressive symptoms.",
        pub_year=2021)], topic="depression")
    run_extract(engine, None, workers=1)
    with engine.connect() as c:
        row = c.execute(select(Extraction.design, Extraction.sample_size, Extraction.pooled_participants)).one()
    assert tuple(row) == ("review", None, 1015)


def test_export_carries_pooled_participants(engine):
    upsert_articles(engine, [ArticleRecord(
        pmid=9, title="Esketamine for depression: a meta-analysis",
        abstract="Eight trials (n = 1,488) were pooled. Esketamine improved MADRS scores.", pub_year=2022)], topic="depression")
    run_extract(engine, None, workers=1)
    rec = record(read_extractions(engine)[0])
    assert (rec["sample_size"], rec["pooled_participants"]) == (None, 1488)
