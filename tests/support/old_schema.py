"""Storing articles in a database at an older migration, for the migration tests.

:func:`db.store.upsert_articles` writes the ``article`` columns of the head
revision; a database upgraded only to an earlier revision lacks the later
ones (volume, issue and pages came with 0007). :func:`store_records` writes
what the upsert writes, restricted to the columns the stored table has, so a
test can fill a database as that revision's tracker would have.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import column, delete, inspect, table, update
from sqlalchemy.engine import Engine

from db.models import Article, ArticleMesh, ArticlePubType, utcnow
from db.records import ArticleRecord, DeletedCitation
from db.rows import ARTICLE_COLUMNS, MESH_COLUMNS, PUBTYPE_COLUMNS, prepare_batch


def store_records(engine: Engine, records: Iterable[ArticleRecord | DeletedCitation]) -> None:
    """Insert or replace articles (with MeSH and publication types) and flag deleted citations.

    Parameters
    ----------
    engine : Engine
        A database at any revision since 0001.
    records : iterable of ArticleRecord or DeletedCitation
        What to store; an article already stored is replaced and marked for extraction.
    """
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    batch = prepare_batch(records)
    have = {c["name"] for c in inspect(engine).get_columns("article")}
    names = [n for n in ARTICLE_COLUMNS if n in have]
    art = table("article", *(column(n, Article.__table__.c[n].type) for n in names))
    now = utcnow()
    rows = []
    for digest, values, _, _ in batch.articles.values():
        full = dict(zip(ARTICLE_COLUMNS, values + (False, digest, now, now, True)))
        rows.append({n: full[n] for n in names})
    stmt = insert(art)
    stmt = stmt.on_conflict_do_update(index_elements=["pmid"],
                                      set_={n: stmt.excluded[n] for n in names if n not in ("pmid", "first_seen")})
    mesh, pubtypes = ArticleMesh.__table__, ArticlePubType.__table__
    pmids = list(batch.articles)
    with engine.begin() as conn:
        if rows:
            conn.execute(stmt, rows)
            conn.execute(delete(mesh).where(mesh.c.pmid.in_(pmids)))
            conn.execute(delete(pubtypes).where(pubtypes.c.pmid.in_(pmids)))
        mesh_rows = [dict(zip(MESH_COLUMNS, m)) for _, _, ms, _ in batch.articles.values() for m in ms]
        if mesh_rows:
            conn.execute(mesh.insert(), mesh_rows)
        pt_rows = [dict(zip(PUBTYPE_COLUMNS, p)) for _, _, _, ps in batch.articles.values() for p in ps]
        if pt_rows:
            conn.execute(pubtypes.insert(), pt_rows)
        if batch.deleted:
            conn.execute(update(art).where(art.c.pmid.in_(batch.deleted)).values(is_deleted=True, updated=now))
