"""Property tests: whatever the PubMed XML parser accepts, both databases store and give back unchanged.

Crash-freeness of the parsers and extractors on arbitrary input is already
property-tested elsewhere and not repeated here:
``tests/harvester/test_pubmed_xml_hostile.py`` (arbitrary bytes/text, damaged
documents), ``tests/harvester/test_medline.py`` (arbitrary MEDLINE lines),
``tests/nlp/test_extract_robust.py`` and ``tests/nlp/test_adverse_robustness.py``
(``nlp.extract.extract_article`` on arbitrary text, offsets inside the text).
What was missing is the step after them: every character XML 1.0 allows
(astral planes, combining marks, RTL, U+FFFD, CR/LF/TAB) going through
``upsert_articles`` into SQLite and PostgreSQL, and the extractor's output for
such text going through ``write_extractions``.
"""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.engine import make_engine
from db.extractions import write_extractions
from db.migrate import upgrade
from db.models import Article, Extraction
from db.store import upsert_articles
from harvester.pubmed_xml import parse_records

# Characters XML 1.0 allows (W3C XML 1.0, 5th ed., production [2] Char), surrogates excluded.
_xml_char = st.characters(blacklist_categories=("Cs",)).filter(
    lambda c: c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) >= 0x10000)
_xml_text = st.text(_xml_char, max_size=300)
_pmids = itertools.count(42_000_000)

_DOC = (
    '<?xml version="1.0" encoding="UTF-8"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
    '<PMID Version="1">{pmid}</PMID><Article><Journal><Title>{journal}</Title><JournalIssue><PubDate>'
    "<Year>2022</Year></PubDate></JournalIssue></Journal><ArticleTitle>{title}</ArticleTitle>"
    '<Abstract><AbstractText Label="RESULTS">{abstract}</AbstractText></Abstract></Article>'
    '<MeshHeadingList><MeshHeading><DescriptorName UI="D000001" MajorTopicYN="N">{mesh}</DescriptorName>'
    "</MeshHeading></MeshHeadingList></MedlineCitation></PubmedArticle></PubmedArticleSet>"
)


@pytest.fixture
def schema_engine(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _record(title: str, abstract: str, journal: str, mesh: str):
    doc = _DOC.format(pmid=next(_pmids), title=escape(title), abstract=escape(abstract), journal=escape(journal),
                      mesh=escape(mesh or "x"))
    (record,) = parse_records(doc.encode("utf-8"))
    return record


_settings = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@_settings
@given(title=_xml_text, abstract=_xml_text, journal=_xml_text, mesh=_xml_text)
def test_any_parsed_text_is_stored_and_read_back_unchanged(schema_engine, title, abstract, journal, mesh):
    record = _record(title, abstract, journal, mesh)
    upsert_articles(schema_engine, [record], topic="pain")
    with schema_engine.connect() as conn:
        row = conn.execute(select(Article.title, Article.abstract, Article.journal, Article.content_hash)
                           .where(Article.pmid == record.pmid)).one()
    assert tuple(row) == (record.title, record.abstract, record.journal, record.content_hash())


@_settings
@given(title=_xml_text, abstract=_xml_text)
def test_storing_the_same_parsed_record_twice_is_unchanged(schema_engine, title, abstract):
    record = _record(title, abstract, "J", "Ketamine")
    upsert_articles(schema_engine, [record])
    again = upsert_articles(schema_engine, [_record_same(record)])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def _record_same(record):
    from dataclasses import replace

    return replace(record)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=_xml_text, abstract=st.one_of(_xml_text, st.lists(st.sampled_from([
    "Ketamine 0.5 mg/kg", "intravenous", "(n = 24)", "placebo", "nausea", "dissociation", "p < 0.05", "—", "\U0001F600",
    "treatment-resistant depression", "؟", "\u0301", "\r\n", "METHODS:"]), max_size=40).map(" ".join)))
def test_extractor_output_for_any_stored_text_is_stored(schema_engine, title, abstract):
    from nlp.extract import extract_article

    record = _record(title, abstract, "J", "Ketamine")
    upsert_articles(schema_engine, [record])
    result = extract_article(record.pmid, record.title, record.abstract)
    result["content_hash"] = record.content_hash()
    assert write_extractions(schema_engine, [result]) == 1
    with schema_engine.connect() as conn:
        pending = conn.execute(select(Article.needs_extraction).where(Article.pmid == record.pmid)).scalar()
        stored = conn.execute(select(Extraction.pmid).where(Extraction.pmid == record.pmid)).scalar()
    assert (stored, pending) == (record.pmid, False)
