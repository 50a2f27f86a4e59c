"""``ketamine-tracker ingest`` end to end on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import gzip
import threading

import pytest
from sqlalchemy import func, select

from db.engine import make_engine
from db.lock import run_lock
from db.models import Article, ArticleMesh, ArticleTopic, HarvestRun
from support.synthetic import write_synthetic_xml
from ketamine_tracker.cli import main


def _ingest(db_url, *args) -> int:
    return main(["--quiet", "--database-url", db_url, "ingest", *map(str, args)])


def _scalar(db_url, stmt):
    eng = make_engine(db_url)
    try:
        with eng.connect() as conn:
            return conn.execute(stmt).scalar()
    finally:
        eng.dispose()


def _rows(db_url, stmt) -> list:
    eng = make_engine(db_url)
    try:
        with eng.connect() as conn:
            return list(conn.execute(stmt))
    finally:
        eng.dispose()


def _article_count(db_url) -> int:
    return _scalar(db_url, select(func.count()).select_from(Article))


def _snapshot(db_url) -> list:
    return _rows(db_url, select(Article.pmid, Article.content_hash, Article.is_deleted).order_by(Article.pmid))


def test_xml_file_is_stored(db_url, pubmed_fixture):
    assert _ingest(db_url, pubmed_fixture("structured.xml")) == 0
    assert _scalar(db_url, select(Article.title).where(Article.pmid == 39000001)) == (
        "Intranasal esketamine and the 5-HT2A receptor in treatment-resistant depression."
    )


def test_ingest_stores_the_trial_of_a_registered_report(db_url, pubmed_fixture):
    from db.trials import trial_index

    _ingest(db_url, pubmed_fixture("structured.xml"))
    eng = make_engine(db_url)
    try:
        assert trial_index(eng) == {39000001: "NCT01234567"}  # the abstract's number and the accession: one trial
    finally:
        eng.dispose()


def test_xml_mesh_rows_are_stored(db_url, pubmed_fixture):
    _ingest(db_url, pubmed_fixture("structured.xml"))
    assert _scalar(db_url, select(func.count()).select_from(ArticleMesh).where(ArticleMesh.pmid == 39000001)) == 3


def test_medline_file_is_stored(db_url, medline_fixture):
    assert _ingest(db_url, medline_fixture("ketamine.nbib")) == 0
    assert _rows(db_url, select(Article.pmid, Article.doi, Article.is_retracted).order_by(Article.pmid)) == [
        (39100001, "10.9999/npp.2019.0101", False), (39100002, None, True)
    ]


def test_summary_line(db_url, pubmed_fixture, capsys):
    path = pubmed_fixture("edge_cases.xml")
    _ingest(db_url, path)
    assert capsys.readouterr().out.strip() == f"{path}: 6 records (new 4, updated 0, unchanged 0, deleted 0)"


def test_reingest_is_unchanged(db_url, pubmed_fixture, capsys):
    path = pubmed_fixture("edge_cases.xml")
    _ingest(db_url, path)
    capsys.readouterr()
    _ingest(db_url, path)
    assert capsys.readouterr().out.strip() == f"{path}: 6 records (new 0, updated 0, unchanged 4, deleted 0)"


def test_revised_record_counts_as_updated(db_url, pubmed_fixture, tmp_path, capsys):
    _ingest(db_url, pubmed_fixture("structured.xml"))
    revised = tmp_path / "revised.xml"
    revised.write_bytes(pubmed_fixture("structured.xml").read_bytes().replace(b"Esketamine was effective.", b"Esketamine helped."))
    capsys.readouterr()
    _ingest(db_url, revised)
    assert "(new 0, updated 1, unchanged 0, deleted 0)" in capsys.readouterr().out


def test_delete_citation_flags_an_existing_article(db_url, pubmed_fixture, tmp_path):
    doomed = tmp_path / "doomed.xml"
    doomed.write_bytes(pubmed_fixture("structured.xml").read_bytes().replace(b">39000001<", b">38000001<"))
    _ingest(db_url, doomed)
    _ingest(db_url, pubmed_fixture("edge_cases.xml"))
    assert _scalar(db_url, select(Article.is_deleted).where(Article.pmid == 38000001)) is True


def test_topic_links_every_article(db_url, pubmed_fixture):
    _ingest(db_url, "--topic", "pain", pubmed_fixture("edge_cases.xml"))
    assert _rows(db_url, select(ArticleTopic.pmid).where(ArticleTopic.topic == "pain").order_by(ArticleTopic.pmid)) == [
        (39000002,), (39000003,), (39000004,), (39000005,)
    ]


def test_gzip_is_detected_by_content(db_url, pubmed_fixture, tmp_path):
    packed = tmp_path / "edge.bin"
    packed.write_bytes(gzip.compress(pubmed_fixture("edge_cases.xml").read_bytes()))
    assert _ingest(db_url, packed) == 0
    assert _article_count(db_url) == 4


def test_small_batches_store_everything(db_url, pubmed_fixture):
    assert _ingest(db_url, "--batch-size", "1", pubmed_fixture("edge_cases.xml")) == 0
    assert _article_count(db_url) == 4


def test_successful_run_is_recorded(db_url, pubmed_fixture):
    _ingest(db_url, pubmed_fixture("edge_cases.xml"))
    assert _rows(db_url, select(HarvestRun.topic, HarvestRun.kind, HarvestRun.status, HarvestRun.found, HarvestRun.new)) == [
        ("ingest", "ingest", "success", 6, 4)
    ]


def _truncated(pubmed_fixture, tmp_path):
    data = pubmed_fixture("edge_cases.xml").read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: data.index(b"<PubmedBookArticle>") + 40])
    return path


def test_truncated_xml_exits_2(db_url, pubmed_fixture, tmp_path, capsys):
    path = _truncated(pubmed_fixture, tmp_path)
    assert _ingest(db_url, "--batch-size", "1", path) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "truncated" in err


def test_truncated_xml_leaves_database_unchanged(db_url, pubmed_fixture, tmp_path):
    _ingest(db_url, pubmed_fixture("structured.xml"))
    before = _snapshot(db_url)
    _ingest(db_url, "--batch-size", "1", _truncated(pubmed_fixture, tmp_path))  # three batches were upserted first
    assert _snapshot(db_url) == before


def test_failed_run_is_recorded(db_url, pubmed_fixture, tmp_path):
    _ingest(db_url, "--batch-size", "1", _truncated(pubmed_fixture, tmp_path))
    (row,) = _rows(db_url, select(HarvestRun.status, HarvestRun.found, HarvestRun.new, HarvestRun.error))
    assert (row.status, row.found, row.new, "truncated" in row.error) == ("failed", 3, 0, True)


def test_non_xml_exits_2_naming_the_file(db_url, tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes about ketamine.\n")
    assert _ingest(db_url, path) == 2
    assert f"{path}: neither PubMed XML nor MEDLINE text" in capsys.readouterr().err


def test_xxe_exits_2_and_leaves_database_unchanged(db_url, pubmed_fixture, tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("kt-secret-91aa")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&x;</ArticleTitle>"
        "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    _ingest(db_url, pubmed_fixture("structured.xml"))
    before = _snapshot(db_url)
    assert _ingest(db_url, path) == 2
    err = capsys.readouterr().err
    assert ("internal DTD subset" in err, "kt-secret-91aa" in err, _snapshot(db_url) == before) == (True, False, True)


def test_billion_laughs_exits_2(db_url, tmp_path, capsys):
    ents = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = tmp_path / "lol.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY l0 "lol">{ents}]><PubmedArticleSet>&l9;</PubmedArticleSet>')
    assert _ingest(db_url, path) == 2
    assert str(path) in capsys.readouterr().err


def test_broken_medline_exits_2_naming_the_record(db_url, medline_fixture, capsys):
    assert _ingest(db_url, medline_fixture("broken.nbib")) == 2
    assert "broken.nbib: record 2 (line 6): PMID is missing" in capsys.readouterr().err


def test_broken_medline_leaves_database_unchanged(db_url, medline_fixture):
    _ingest(db_url, "--batch-size", "1", medline_fixture("broken.nbib"))
    assert _article_count(db_url) == 0


def test_missing_file_exits_2_before_anything_is_written(db_url, pubmed_fixture, tmp_path, capsys):
    _ingest(db_url, pubmed_fixture("structured.xml"))
    before = _snapshot(db_url)
    missing = tmp_path / "absent.xml"
    assert _ingest(db_url, pubmed_fixture("edge_cases.xml"), missing) == 2
    assert (f"{missing}: no such file" in capsys.readouterr().err, _snapshot(db_url)) == (True, before)


def test_locked_database_exits_75(db_url, pubmed_fixture):
    _ingest(db_url, pubmed_fixture("structured.xml"))  # creates the schema
    eng = make_engine(db_url)
    held, release = threading.Event(), threading.Event()

    def holder():  # another thread: the lock is re-entrant only within one thread
        with run_lock(eng):
            held.set()
            release.wait(30)

    t = threading.Thread(target=holder)
    t.start()
    try:
        held.wait(30)
        code = _ingest(db_url, pubmed_fixture("edge_cases.xml"))
    finally:
        release.set()
        t.join()
        eng.dispose()
    assert code == 75


@pytest.mark.parametrize("bad", ["0", "x"])
def test_bad_batch_size_is_a_usage_error(db_url, pubmed_fixture, bad):
    with pytest.raises(SystemExit) as info:
        _ingest(db_url, "--batch-size", bad, pubmed_fixture("structured.xml"))
    assert info.value.code == 2


def test_large_synthetic_file_stores_every_article(db_url, tmp_path):
    path = write_synthetic_xml(tmp_path / "large.xml", 2500, seed=3)
    assert _ingest(db_url, "--batch-size", "500", path) == 0
    assert _article_count(db_url) == 2500


def test_pipeline_option_is_gone(db_url, pubmed_fixture):
    with pytest.raises(SystemExit) as info:
        _ingest(db_url, "--pipeline", "on", pubmed_fixture("structured.xml"))
    assert info.value.code == 2
