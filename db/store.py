"""Writing harvested records: batched upserts keyed by PMID.

Each call to :func:`upsert_articles` is one transaction: a batch is either
stored completely (articles, MeSH, publication types, topic links) or not at
all, so a run killed at any moment leaves no half-written article behind and a
rerun converges on the same rows. A SHA-256 content hash tells real revisions
from re-deliveries; only real revisions touch ``updated`` and mark the article
for re-extraction. The citation details (volume, issue, pages) are outside the
hash: PubMed adds them when an ahead-of-print article gets its issue, and a
re-delivery that brings new ones only writes those three columns (one
executemany ``UPDATE`` per batch), leaving the article unchanged, unrevised
and not due for extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Sequence, TypeVar

from sqlalchemy import bindparam, delete, false, select, update
from sqlalchemy.engine import Connection, Dialect, Engine

from .models import Article, ArticleMesh, ArticlePubType, ArticleTopic, TopicState, utcnow
from .records import ArticleRecord, DeletedCitation
from .rows import ARTICLE_COLUMNS, CITATION_COLUMNS, MESH_COLUMNS, PUBTYPE_COLUMNS, PreparedBatch, prepare_batch


@dataclass
class UpsertCounts:
    """What one or more upserts did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    new_pmids: list[int] = field(default_factory=list)

    def add(self, other: "UpsertCounts") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.new_pmids.extend(other.new_pmids)

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged


T = TypeVar("T")

# Rows per IN (...) list: below SQLite's 32766 and psycopg's 65535 bound parameters.
_IDS_PER_STATEMENT = 5000
# Rows per executemany call of an INSERT.
_ROWS_PER_EXECUTE = 2000

_TOPIC_COLUMNS = ("pmid", "topic", "first_seen")
# Columns an upsert of a known PMID leaves alone.
_KEEP_ON_UPDATE = frozenset({"pmid", "first_seen"})
# Parameters of the citation update: "b_" + column (a bind parameter may not be named after a SET column).
_CITATION_PARAMS = ("b_pmid",) + tuple(f"b_{c}" for c in CITATION_COLUMNS)
_CITED = len(CITATION_COLUMNS)  # the citation values end every prepared article row (db.rows)


def _chunks(seq: Sequence, n: int = _IDS_PER_STATEMENT):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class _Statements:
    """The SQLAlchemy Core statements of an upsert, built once per dialect."""

    lookup: object
    upsert_article: object
    update_citation: object
    insert_mesh: object
    insert_pubtype: object
    link_topic: object
    delete_mesh: object
    delete_pubtype: object
    mark_deleted: object
    write_lock: object


def per_dialect(build: Callable[[Dialect], T]) -> Callable[[Connection], T]:
    """Decorator: ``build(dialect)`` runs once per dialect name; the wrapped
    function takes a connection and returns what was built for its dialect
    (statements compiled once, reused by every batch)."""
    built: dict[str, T] = {}

    def get(conn: Connection) -> T:
        name = conn.dialect.name
        made = built.get(name)
        if made is None:
            made = built[name] = build(conn.dialect)
        return made

    get.__doc__ = build.__doc__
    return get


def _in_statements_of_many_rows(dialect: Dialect, stmt, table):
    """SQLite: ``stmt`` with ``RETURNING pmid``, so that an executemany of it is sent as
    multi-row ``INSERT ... VALUES (...), (...)`` statements (up to 1,000 rows each;
    SQLAlchemy's "insertmanyvalues" mode, which it uses for ``INSERT ... RETURNING``
    only) instead of one statement per row. The returned rows are not read.

    ``article`` and ``article_mesh`` have triggers (the full-text index,
    :mod:`db.search_schema`), and SQLite runs each statement that fires a trigger
    with a statement journal: a copy of every page the statement changes (16 KB,
    see :data:`db.engine.SQLITE_PAGE_SIZE`), so that a failing statement can be undone
    alone. Row by row, every MeSH row copied ~3 pages; a trigger that does
    nothing cost as much. PostgreSQL has no such cost: its statements stay as they are.

    Parameters
    ----------
    dialect : Dialect
    stmt : Insert
    table : Table
        The table ``stmt`` inserts into (it has a ``pmid`` column).

    Returns
    -------
    Insert
    """
    return stmt.returning(table.c.pmid) if dialect.name == "sqlite" else stmt


@per_dialect
def _statements(dialect: Dialect) -> _Statements:
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    art = Article.__table__
    mesh_t, pt_t, link = ArticleMesh.__table__, ArticlePubType.__table__, ArticleTopic.__table__
    ids = bindparam("pmids", expanding=True)
    upsert = insert(art)
    upsert = upsert.on_conflict_do_update(
        index_elements=[art.c.pmid],
        set_={c.name: upsert.excluded[c.name] for c in art.columns if c.name not in _KEEP_ON_UPDATE},
    )
    topic_state = TopicState.__table__
    return _Statements(
        lookup=select(art.c.pmid, art.c.content_hash, art.c.is_deleted, *(art.c[c] for c in CITATION_COLUMNS))
        .where(art.c.pmid.in_(ids)),
        upsert_article=_in_statements_of_many_rows(dialect, upsert, art),
        update_citation=update(art)
        .where(art.c.pmid == bindparam("b_pmid"))
        .values({c: bindparam(f"b_{c}") for c in CITATION_COLUMNS}),
        insert_mesh=_in_statements_of_many_rows(dialect, insert(mesh_t), mesh_t),
        insert_pubtype=insert(pt_t),
        link_topic=insert(link).on_conflict_do_nothing(index_elements=[link.c.pmid, link.c.topic]),
        delete_mesh=delete(mesh_t).where(mesh_t.c.pmid.in_(ids)),
        delete_pubtype=delete(pt_t).where(pt_t.c.pmid.in_(ids)),
        mark_deleted=update(art)
        .where(art.c.pmid.in_(ids), art.c.is_deleted.is_(False))
        .values(is_deleted=True, updated=bindparam("now")),
        write_lock=update(topic_state).where(false()).values(topic=topic_state.c.topic),
    )


# --------------------------------------------------------------------------- writing


def upsert_articles(
    target: Engine | Connection,
    records: Iterable[ArticleRecord | DeletedCitation],
    topic: str | None = None,
) -> UpsertCounts:
    """Store one batch of records atomically.

    Parameters
    ----------
    target:
        An engine (a transaction is opened) or a connection inside a transaction.
    records:
        Parsed articles; :class:`DeletedCitation` entries flag existing articles
        as deleted (they are never removed).
    topic:
        If given, every article of the batch is linked to this topic.

    Returns
    -------
    UpsertCounts
        How many articles were new, really changed, unchanged re-deliveries, deleted.
    """
    return store_prepared(target, prepare_batch(records), topic)


def _take_write_lock(conn: Connection, stmts: _Statements) -> None:
    """SQLite: take the write lock before the batch's first read.

    Transactions start with a deferred ``BEGIN``; a batch reads existing hashes
    and then writes, and in WAL mode upgrading a read transaction while another
    connection writes fails at once (SQLITE_BUSY, no busy-timeout wait). A
    no-op write as the first statement makes SQLite wait for the lock instead,
    as ``BEGIN IMMEDIATE`` would (SQLite documentation, "Transaction", §2.1).
    A no-op where the transaction already holds it.
    """
    if conn.dialect.name == "sqlite":
        conn.execute(stmts.write_lock)


def store_prepared(target: Engine | Connection, batch: PreparedBatch, topic: str | None = None) -> UpsertCounts:
    """Write a :class:`PreparedBatch` atomically (see :func:`upsert_articles`).

    Returns
    -------
    UpsertCounts
    """
    if isinstance(target, Engine):
        with target.begin() as conn:
            return store_prepared(conn, batch, topic)
    conn: Connection = target
    stmts = _statements(conn)
    _take_write_lock(conn, stmts)
    now = utcnow()
    counts = UpsertCounts()
    articles = batch.articles

    pmids = list(articles)
    existing: dict[int, tuple] = {}  # pmid -> (content_hash, is_deleted, volume, issue, pages)
    for chunk in _chunks(pmids):
        for row in conn.execute(stmts.lookup, {"pmids": chunk}):
            existing[row[0]] = tuple(row[1:])

    changed: list[tuple] = []  # (values, digest, mesh, pubtypes) in batch order
    revised: list[int] = []  # known PMIDs whose child rows are replaced
    cited: list[tuple] = []  # (pmid, volume, issue, pages) of unchanged articles with new citation details
    for pmid, (digest, values, mesh, pubtypes) in articles.items():
        old = existing.get(pmid) if existing else None
        if old is None:
            counts.new += 1
            counts.new_pmids.append(pmid)
            changed.append((values, digest, mesh, pubtypes))
        elif old[0] == digest and not old[1]:
            counts.unchanged += 1
            citation = values[-_CITED:]
            if citation != old[2:]:
                cited.append((pmid, *citation))
        else:
            counts.updated += 1
            revised.append(pmid)
            changed.append((values, digest, mesh, pubtypes))
    _write(conn, stmts, changed, revised, pmids if topic is not None else [], topic, now)
    execute_rows(conn, stmts.update_citation, _CITATION_PARAMS, cited)

    for chunk in _chunks(batch.deleted):
        result = conn.execute(stmts.mark_deleted, {"pmids": chunk, "now": now})
        counts.deleted += result.rowcount or 0
    return counts


def execute_rows(conn: Connection, stmt, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Execute ``stmt`` once per row, as executemany batches of at most :data:`_ROWS_PER_EXECUTE` rows.

    Parameters
    ----------
    conn : Connection
        A connection inside a transaction.
    stmt : Executable
        A SQLAlchemy Core statement whose parameters are named by ``columns``.
    columns : tuple of str
        The parameter names, in the order of each row's values.
    rows : iterable of tuple
        One tuple of values per execution.
    """
    it = iter(rows)
    while True:
        chunk = [dict(zip(columns, row)) for row in islice(it, _ROWS_PER_EXECUTE)]
        if not chunk:
            return
        conn.execute(stmt, chunk)


def _write(conn: Connection, stmts: _Statements, rows: list[tuple], revised: list[int],
           linked: list[int], topic: str | None, now) -> None:
    """Upsert articles and insert their child rows and topic links (any dialect)."""
    execute_rows(conn, stmts.upsert_article, ARTICLE_COLUMNS,
         (values + (False, digest, now, now, True) for values, digest, _, _ in rows))
    # A new article has no child rows yet (they cascade with the article), so
    # only revisions need the old MeSH and publication types removed.
    for chunk in _chunks(revised):
        conn.execute(stmts.delete_mesh, {"pmids": chunk})
        conn.execute(stmts.delete_pubtype, {"pmids": chunk})
    execute_rows(conn, stmts.insert_mesh, MESH_COLUMNS, (m for _, _, mesh, _ in rows for m in mesh))
    execute_rows(conn, stmts.insert_pubtype, PUBTYPE_COLUMNS, (p for _, _, _, pubtypes in rows for p in pubtypes))
    execute_rows(conn, stmts.link_topic, _TOPIC_COLUMNS, ((p, topic, now) for p in linked))
