"""Alembic migrations bring an existing database forward without losing rows."""

from sqlalchemy import inspect, insert, select

from db.engine import make_engine
from db.migrate import current_revision, ensure_schema, head_revision, upgrade
from db.models import Article, Extraction
from db.records import ArticleRecord
from db.store import upsert_articles


def _columns(eng, table):
    return {c["name"] for c in inspect(eng).get_columns(table)}


def test_0002_adds_pooled_participants_and_keeps_extractions(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng, "0001")
        assert "pooled_participants" not in _columns(eng, "extraction")
        upsert_articles(eng, [ArticleRecord(pmid=7, title="A review of ketamine", abstract="a")])
        with eng.begin() as c:
            c.execute(insert(Extraction.__table__).values(
                pmid=7, extractor_version="1.1.0", design="review", sample_size=None, conditions=[],
                condition_subtypes=[], routes=[], ketamine_forms=[], comparators=[], spans=[]))
        assert ensure_schema(eng) is True
        assert current_revision(eng) == head_revision()
        with eng.connect() as c:
            row = c.execute(select(Extraction.pmid, Extraction.design, Extraction.pooled_participants)).one()
        assert tuple(row) == (7, "review", None)
    finally:
        eng.dispose()


def test_migrations_at_head_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    eng = make_engine(db_url)
    try:
        ensure_schema(eng)
        with eng.connect() as c:
            assert compare_metadata(MigrationContext.configure(c), SQLModel.metadata) == []
    finally:
        eng.dispose()


def test_0003_drops_the_content_hash_index_and_keeps_articles(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng, "0002")
        assert "ix_article_content_hash" in {ix["name"] for ix in inspect(eng).get_indexes("article")}
        upsert_articles(eng, [ArticleRecord(pmid=8, title="Ketamine and migraine", abstract="b")])
        assert ensure_schema(eng) is True
        assert "ix_article_content_hash" not in {ix["name"] for ix in inspect(eng).get_indexes("article")}
        with eng.connect() as c:
            assert c.execute(select(Article.pmid, Article.title)).all() == [(8, "Ketamine and migraine")]
    finally:
        eng.dispose()
