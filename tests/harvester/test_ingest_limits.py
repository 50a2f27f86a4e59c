"""``ketamine-tracker ingest`` of files over a bound of harvester.limits or with a bad PMID:
one line on stderr, exit 2, the article tables unchanged (SQLite and PostgreSQL)."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Article, ArticleMesh, ArticlePubType, ArticleTopic
from harvester import limits
from ketamine_tracker.cli import main

HEAD = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n'
TAIL = b"</PubmedArticleSet>\n"


def _article(pmid: bytes) -> bytes:
    return (b"<PubmedArticle><MedlineCitation><PMID>" + pmid + b"</PMID><Article><ArticleTitle>Ketamine"
            b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")


def _ingest(db_url, *args) -> int:
    return main(["--quiet", "--database-url", db_url, "ingest", "--batch-size", "1", "--topic", "pain", *map(str, args)])


def _counts(db_url) -> tuple[int, ...]:
    eng = make_engine(db_url)
    try:
        with eng.connect() as conn:
            return tuple(conn.execute(select(func.count()).select_from(t)).scalar()
                         for t in (Article, ArticleMesh, ArticlePubType, ArticleTopic))
    finally:
        eng.dispose()


@pytest.fixture
def stored(db_url, pubmed_fixture, capsys):
    """The database with the structured fixture stored; its row counts."""
    assert _ingest(db_url, pubmed_fixture("structured.xml")) == 0
    capsys.readouterr()
    return _counts(db_url)


def _refused(db_url, path, capsys, before) -> tuple:
    code = _ingest(db_url, path)
    err = capsys.readouterr().err.strip().splitlines()
    return code, len(err), str(path) in err[0], _counts(db_url) == before


def test_file_over_the_tag_cap_is_refused_after_stored_batches(db_url, stored, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TAGS", 1_000_000)
    path = tmp_path / "junk.xml.gz"
    records = b"".join(_article(str(p).encode()) for p in range(5001, 5011))  # ten batches written first
    path.write_bytes(gzip.compress(HEAD + records + b"<x/>" * 2_000_000 + TAIL))
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)


def test_file_over_the_byte_cap_is_refused(db_url, stored, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 << 20)
    path = tmp_path / "big.xml.gz"
    path.write_bytes(gzip.compress(HEAD + _article(b"5001") + b" " * (2 << 20) + TAIL))
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)


def test_file_with_a_giant_attribute_is_refused(db_url, stored, tmp_path, capsys):
    path = tmp_path / "attr.xml.gz"
    attr = b'<x a="' + b"A" * (limits.MAX_TAG_BYTES + 1024) + b'"/>'
    path.write_bytes(gzip.compress(HEAD + _article(b"5001") + attr + TAIL))
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)


def test_medline_file_with_a_giant_field_is_refused(db_url, stored, tmp_path, capsys):
    path = tmp_path / "field.nbib"
    path.write_text("PMID- 5001\nTI  - Ketamine\n\nPMID- 5002\nAB  - " + "a" * (limits.MAX_FIELD_CHARS + 10) + "\n")
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)


BAD_PMIDS = ["²³", "１２３", "0", "9" * 5000, str(2**63)]


@pytest.mark.parametrize("raw", BAD_PMIDS)
def test_bad_pmid_in_xml_is_refused(db_url, stored, tmp_path, capsys, raw):
    path = tmp_path / "pmid.xml"
    path.write_bytes(HEAD + _article(b"5001") + _article(raw.encode()) + TAIL)
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)


@pytest.mark.parametrize("raw", BAD_PMIDS)
def test_bad_pmid_in_medline_is_refused(db_url, stored, tmp_path, capsys, raw):
    path = tmp_path / "pmid.nbib"
    path.write_text(f"PMID- 5001\nTI  - Ketamine\n\nPMID- {raw}\nTI  - Ketamine\n", encoding="utf-8")
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)


def test_largest_pmid_is_stored(db_url, tmp_path):
    path = tmp_path / "max.xml"
    path.write_bytes(HEAD + _article(str(2**63 - 1).encode()) + TAIL)
    assert _ingest(db_url, path) == 0
    eng = make_engine(db_url)
    try:
        with eng.connect() as conn:
            assert conn.execute(select(Article.pmid)).scalars().all() == [2**63 - 1]
    finally:
        eng.dispose()


def test_doctype_with_internal_subset_behind_a_quoted_gt_is_refused(db_url, stored, tmp_path, capsys):
    path = tmp_path / "doctype.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "x>y" '
                     b'[<!ATTLIST ArticleTitle Lang CDATA "injected">]>\n<PubmedArticleSet>'
                     + _article(b"5001") + TAIL)
    assert _refused(db_url, path, capsys, stored) == (2, 1, True, True)
