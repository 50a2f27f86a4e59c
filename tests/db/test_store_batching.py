"""db.store writes a batch's articles and MeSH rows on SQLite as multi-row INSERTs, and every row arrives."""

from datetime import date

from sqlalchemy import event, func, select

from db.models import Article, ArticleMesh
from db.records import ArticleRecord, MeshHeading
from db.store import upsert_articles

_DESCRIPTORS = ("Ketamine", "Humans", "Depression")


def _batch(n):
    return [ArticleRecord(pmid=p, title=f"Ketamine {p}", entrez_date=date(2024, 1, 2),
                          mesh=[MeshHeading(d, None, False, []) for d in _DESCRIPTORS]) for p in range(1, n + 1)]


def test_every_mesh_row_of_a_batch_over_a_thousand_rows_is_stored(db_engine):
    upsert_articles(db_engine, _batch(700))
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ArticleMesh)).scalar_one() == 2100


def test_every_article_of_a_batch_over_a_thousand_articles_is_stored(db_engine):
    upsert_articles(db_engine, _batch(1500))
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Article)).scalar_one() == 1500


def test_sqlite_inserts_mesh_rows_in_statements_of_many_rows(engine):
    statements = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO article_mesh"):
            statements.append(statement.count("?") // 5)  # rows in the statement: 5 columns each

    upsert_articles(engine, _batch(700))
    assert statements == [1000, 1000, 100]
