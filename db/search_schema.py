"""The full-text search structures of each backend, and the triggers that keep them in sync.

Both backends index the same two things, so :mod:`db.search` can evaluate a
query the same way on each:

* every article that is not deleted, one document per article over its
  title, abstract and author keywords (``fts_article``);
* the vocabulary of MeSH descriptors, one document per distinct descriptor
  (``fts_mesh_term``); an article matches a MeSH term through its
  ``article_mesh`` rows.

MeSH is indexed as a vocabulary rather than inside each article's document
because the upsert (:mod:`db.store`) writes an article's MeSH rows after the
article itself: re-indexing the article's whole document for every MeSH row
would tokenise each abstract a dozen times per write (~180 us per MeSH row on
SQLite, measured with FTS5). A MeSH row now costs one unique-index probe.

SQLite (FTS5, ``porter unicode61`` tokenizer)
    ``fts_article``: an external-content FTS5 table over the view
    ``fts_article_source`` (title, abstract, keywords as text; rowid = PMID),
    so abstracts are not stored twice; triggers on ``article`` add, replace and
    remove its entries. ``fts_mesh_term`` (id, descriptor) with the FTS5 table
    ``fts_mesh`` over it; a trigger on ``article_mesh`` adds new descriptors.
PostgreSQL (``english`` configuration)
    ``fts_article(pmid, document tsvector)`` weighted A (title), B
    (keywords), C (abstract), and ``fts_mesh_term(descriptor, document)``,
    each with a GIN index, filled by row triggers on ``article`` and
    ``article_mesh`` (they fire for ``COPY`` too).

Every object is named ``fts_*``: :func:`include_name` tells Alembic's
autogenerate to leave them alone (the models do not describe them).

:func:`install` is what migration 0005 runs; it is idempotent and backfills,
so :func:`attach` also runs it after every ``SQLModel.metadata.create_all``
(the test fixtures, ``tests/support/synthetic_db.fill`` and the benches create schemas that way).
A later SQLite batch migration that rebuilds ``article`` or ``article_mesh``
drops their triggers: it must call :func:`install` again, which then indexes
the articles anew. PostgreSQL 14 or later (``CREATE OR REPLACE TRIGGER``).
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection

#: prefix of every table, view, trigger and function of the search structures
PREFIX = "fts_"

#: FTS5 tokenizer: Porter stemming over Unicode 6.1 word rules, diacritics folded
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
#: PostgreSQL text search configuration of documents and queries
PG_CONFIG = "english"

_SQLITE_KEYWORDS = "(SELECT group_concat(value, ' ; ') FROM json_each({row}.keywords))"

_SQLITE_CREATE = [
    # the text FTS5 reads for snippets and highlights: keywords decoded from JSON
    f"""CREATE VIEW IF NOT EXISTS fts_article_source AS
        SELECT pmid, title, abstract, {_SQLITE_KEYWORDS.format(row='article')} AS keywords FROM article""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS fts_article USING fts5(
        title, abstract, keywords,
        content='fts_article_source', content_rowid='pmid', tokenize='{SQLITE_TOKENIZER}')""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_article_insert AFTER INSERT ON article WHEN NOT new.is_deleted
        BEGIN
          INSERT INTO fts_article(rowid, title, abstract, keywords)
          VALUES (new.pmid, new.title, new.abstract, {_SQLITE_KEYWORDS.format(row='new')});
        END""",
    # an external-content entry is removed by handing FTS5 the values it indexed
    f"""CREATE TRIGGER IF NOT EXISTS fts_article_update
        AFTER UPDATE OF title, abstract, keywords, is_deleted ON article
        BEGIN
          INSERT INTO fts_article(fts_article, rowid, title, abstract, keywords)
          SELECT 'delete', old.pmid, old.title, old.abstract, {_SQLITE_KEYWORDS.format(row='old')}
          WHERE NOT old.is_deleted;
          INSERT INTO fts_article(rowid, title, abstract, keywords)
          SELECT new.pmid, new.title, new.abstract, {_SQLITE_KEYWORDS.format(row='new')}
          WHERE NOT new.is_deleted;
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_article_delete AFTER DELETE ON article WHEN NOT old.is_deleted
        BEGIN
          INSERT INTO fts_article(fts_article, rowid, title, abstract, keywords)
          VALUES ('delete', old.pmid, old.title, old.abstract, {_SQLITE_KEYWORDS.format(row='old')});
        END""",
    """CREATE TABLE IF NOT EXISTS fts_mesh_term (
        id INTEGER PRIMARY KEY, descriptor TEXT NOT NULL UNIQUE)""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS fts_mesh USING fts5(
        descriptor, content='fts_mesh_term', content_rowid='id', tokenize='{SQLITE_TOKENIZER}')""",
    """CREATE TRIGGER IF NOT EXISTS fts_mesh_term_insert AFTER INSERT ON fts_mesh_term
        BEGIN
          INSERT INTO fts_mesh(rowid, descriptor) VALUES (new.id, new.descriptor);
        END""",
    """CREATE TRIGGER IF NOT EXISTS fts_article_mesh_insert AFTER INSERT ON article_mesh
        BEGIN
          INSERT OR IGNORE INTO fts_mesh_term(descriptor) VALUES (new.descriptor);
        END""",
    """CREATE TRIGGER IF NOT EXISTS fts_article_mesh_update AFTER UPDATE OF descriptor ON article_mesh
        BEGIN
          INSERT OR IGNORE INTO fts_mesh_term(descriptor) VALUES (new.descriptor);
        END""",
]

_SQLITE_ARTICLE_TRIGGERS = ("fts_article_insert", "fts_article_update", "fts_article_delete")

_SQLITE_BACKFILL = [
    """INSERT INTO fts_mesh_term(descriptor) SELECT DISTINCT descriptor FROM article_mesh
       WHERE descriptor NOT IN (SELECT descriptor FROM fts_mesh_term)""",
]
# rebuilding from the view would index deleted articles too: insert the live ones
_SQLITE_BACKFILL_ARTICLES = """INSERT INTO fts_article(rowid, title, abstract, keywords)
    SELECT s.pmid, s.title, s.abstract, s.keywords FROM fts_article_source s
    JOIN article a ON a.pmid = s.pmid WHERE NOT a.is_deleted"""

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS fts_article_mesh_update",
    "DROP TRIGGER IF EXISTS fts_article_mesh_insert",
    "DROP TRIGGER IF EXISTS fts_mesh_term_insert",
    "DROP TRIGGER IF EXISTS fts_article_delete",
    "DROP TRIGGER IF EXISTS fts_article_update",
    "DROP TRIGGER IF EXISTS fts_article_insert",
    "DROP TABLE IF EXISTS fts_mesh",
    "DROP TABLE IF EXISTS fts_mesh_term",
    "DROP TABLE IF EXISTS fts_article",
    "DROP VIEW IF EXISTS fts_article_source",
]

_PG_DOCUMENT = (
    f"setweight(to_tsvector('{PG_CONFIG}', coalesce({{r}}.title, '')), 'A')"
    f" || setweight(json_to_tsvector('{PG_CONFIG}', coalesce({{r}}.keywords, '[]'::json), '[\"string\"]'), 'B')"
    f" || setweight(to_tsvector('{PG_CONFIG}', coalesce({{r}}.abstract, '')), 'C')"
)

_PG_CREATE = [
    """CREATE TABLE IF NOT EXISTS fts_article (
        pmid BIGINT PRIMARY KEY REFERENCES article(pmid) ON DELETE CASCADE,
        document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS fts_article_document ON fts_article USING gin (document)",
    """CREATE TABLE IF NOT EXISTS fts_mesh_term (
        descriptor VARCHAR PRIMARY KEY, document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS fts_mesh_term_document ON fts_mesh_term USING gin (document)",
    f"""CREATE OR REPLACE FUNCTION fts_article_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND new.is_deleted = old.is_deleted
             AND new.title IS NOT DISTINCT FROM old.title
             AND new.abstract IS NOT DISTINCT FROM old.abstract
             AND new.keywords::text IS NOT DISTINCT FROM old.keywords::text THEN
            RETURN NULL;
          END IF;
          IF new.is_deleted THEN
            DELETE FROM fts_article WHERE pmid = new.pmid;
          ELSE
            INSERT INTO fts_article(pmid, document) VALUES (new.pmid, {_PG_DOCUMENT.format(r='new')})
            ON CONFLICT (pmid) DO UPDATE SET document = excluded.document;
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE OR REPLACE TRIGGER fts_article_sync
        AFTER INSERT OR UPDATE OF title, abstract, keywords, is_deleted ON article
        FOR EACH ROW EXECUTE FUNCTION fts_article_sync()""",
    f"""CREATE OR REPLACE FUNCTION fts_mesh_term_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM fts_mesh_term WHERE descriptor = new.descriptor) THEN
            INSERT INTO fts_mesh_term(descriptor, document)
            VALUES (new.descriptor, to_tsvector('{PG_CONFIG}', new.descriptor))
            ON CONFLICT (descriptor) DO NOTHING;
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE OR REPLACE TRIGGER fts_mesh_term_add
        AFTER INSERT OR UPDATE OF descriptor ON article_mesh
        FOR EACH ROW EXECUTE FUNCTION fts_mesh_term_add()""",
]

_PG_BACKFILL = [
    f"""INSERT INTO fts_article(pmid, document)
        SELECT a.pmid, {_PG_DOCUMENT.format(r='a')} FROM article a
        WHERE NOT a.is_deleted AND NOT EXISTS (SELECT 1 FROM fts_article f WHERE f.pmid = a.pmid)
        ON CONFLICT (pmid) DO NOTHING""",
    f"""INSERT INTO fts_mesh_term(descriptor, document)
        SELECT DISTINCT descriptor, to_tsvector('{PG_CONFIG}', descriptor) FROM article_mesh m
        WHERE NOT EXISTS (SELECT 1 FROM fts_mesh_term t WHERE t.descriptor = m.descriptor)
        ON CONFLICT (descriptor) DO NOTHING""",
]

_PG_DROP = [
    "DROP TRIGGER IF EXISTS fts_mesh_term_add ON article_mesh",
    "DROP TRIGGER IF EXISTS fts_article_sync ON article",
    "DROP FUNCTION IF EXISTS fts_mesh_term_add()",
    "DROP FUNCTION IF EXISTS fts_article_sync()",
    "DROP TABLE IF EXISTS fts_mesh_term",
    "DROP TABLE IF EXISTS fts_article",
]


def install(conn: Connection) -> None:
    """Create the search structures and triggers if missing, and index what is stored.

    Idempotent: running it on a database that has them changes nothing.

    Parameters
    ----------
    conn : Connection
        A connection inside a transaction, to a database with ``article`` and
        ``article_mesh``.

    Raises
    ------
    NotImplementedError
        For a backend other than SQLite or PostgreSQL.
    """
    name = conn.dialect.name
    if name == "sqlite":
        # without its triggers (a batch migration rebuilt ``article``) the index may have missed
        # writes, and FTS5 must be told exactly what it indexed to forget an entry: index anew
        stale = _sqlite_has(conn, "fts_article") and not all(_sqlite_has(conn, t) for t in _SQLITE_ARTICLE_TRIGGERS)
        fresh = stale or not _sqlite_has(conn, "fts_article")
        for sql in _SQLITE_CREATE + _SQLITE_BACKFILL:
            conn.exec_driver_sql(sql)
        if stale:
            conn.exec_driver_sql("INSERT INTO fts_article(fts_article) VALUES ('delete-all')")
        if fresh:
            conn.exec_driver_sql(_SQLITE_BACKFILL_ARTICLES)
    elif name == "postgresql":
        stale = conn.exec_driver_sql(
            "SELECT to_regclass('fts_article') IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM pg_trigger WHERE tgname = 'fts_article_sync' AND tgrelid = 'article'::regclass)").scalar()
        if stale:  # written to without its trigger: index anew
            conn.exec_driver_sql("DELETE FROM fts_article")
        for sql in _PG_CREATE + _PG_BACKFILL:
            conn.exec_driver_sql(sql)
    else:  # pragma: no cover - engines refuse other backends
        raise NotImplementedError(f"full-text search is not implemented for {name}")


def uninstall(conn: Connection) -> None:
    """Drop every search structure and trigger (the articles stay).

    Parameters
    ----------
    conn : Connection
        A connection inside a transaction.
    """
    for sql in _SQLITE_DROP if conn.dialect.name == "sqlite" else _PG_DROP:
        conn.exec_driver_sql(sql)


def _sqlite_has(conn: Connection, name: str) -> bool:
    row = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).first()
    return row is not None


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name`` hook: False for the search tables, which the models do not describe.

    Parameters
    ----------
    name : str or None
        The reflected object's name.
    type_ : str
        ``"table"``, ``"column"``, ``"index"``, ...
    parent_names : dict
        Alembic's names of the enclosing objects (unused).

    Returns
    -------
    bool
        Whether autogenerate should compare the object.
    """
    return not (type_ == "table" and name is not None and name.startswith(PREFIX))


def _after_create(metadata, conn: Connection, **_kw) -> None:
    tables = set(inspect(conn).get_table_names())
    if {"article", "article_mesh"} <= tables:
        install(conn)


def _before_drop(metadata, conn: Connection, **_kw) -> None:
    uninstall(conn)


def attach(metadata) -> None:
    """Install the search structures after every ``metadata.create_all`` and drop them
    before every ``metadata.drop_all``.

    Parameters
    ----------
    metadata : MetaData
        The models' metadata (``SQLModel.metadata``).
    """
    if not event.contains(metadata, "after_create", _after_create):
        event.listen(metadata, "after_create", _after_create)
        event.listen(metadata, "before_drop", _before_drop)
