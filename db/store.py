"""Writing harvested records: batched upserts keyed by PMID.

Each call to :func:`upsert_articles` is one transaction: a batch is either
stored completely (articles, MeSH, publication types, topic links) or not at
all, so a run killed at any moment leaves no half-written article behind and a
rerun converges on the same rows. A SHA-256 content hash tells real revisions
from re-deliveries; only real revisions touch ``updated`` and mark the article
for re-extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection, Engine

from .models import Article, ArticleMesh, ArticlePubType, ArticleTopic, utcnow
from .records import ArticleRecord, DeletedCitation


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


# Rows per IN (...) list: below SQLite's 32766 and psycopg's 65535 bound parameters.
_IDS_PER_STATEMENT = 5000

_ARTICLE_FIELDS = (
    "version", "title", "abstract", "abstract_sections", "journal", "journal_iso", "pub_year",
    "pub_date", "entrez_date", "revised_date", "language", "doi", "pmcid", "authors", "keywords",
    "nct_ids", "comments_corrections", "is_book", "is_retracted",
)
# Columns an upsert of a known PMID leaves alone.
_KEEP_ON_UPDATE = frozenset({"pmid", "first_seen"})


def _chunks(seq: Sequence, n: int = _IDS_PER_STATEMENT):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


@dataclass(frozen=True)
class _Statements:
    """The statements of an upsert, built once per dialect.

    Every statement has a fixed shape and is executed with a list of parameter
    dicts (DBAPI ``executemany``) or one expanding ``IN`` parameter, so
    SQLAlchemy compiles it once and serves it from its compiled cache; the
    previous multi-row ``insert().values(rows)`` compiled a new ~90k-parameter
    statement for every chunk, which cost more than the database work.
    """

    lookup: object
    upsert_article: object
    insert_mesh: object
    insert_pubtype: object
    delete_mesh: object
    delete_pubtype: object
    link_topic: object
    mark_deleted: object


_STATEMENTS: dict[str, _Statements] = {}


def _statements(conn: Connection) -> _Statements:
    name = conn.dialect.name
    stmts = _STATEMENTS.get(name)
    if stmts is not None:
        return stmts
    if name == "postgresql":
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
    stmts = _Statements(
        lookup=select(art.c.pmid, art.c.content_hash, art.c.is_deleted).where(art.c.pmid.in_(ids)),
        upsert_article=upsert,
        insert_mesh=insert(mesh_t),
        insert_pubtype=insert(pt_t),
        delete_mesh=delete(mesh_t).where(mesh_t.c.pmid.in_(ids)),
        delete_pubtype=delete(pt_t).where(pt_t.c.pmid.in_(ids)),
        link_topic=insert(link).on_conflict_do_nothing(index_elements=[link.c.pmid, link.c.topic]),
        mark_deleted=update(art)
        .where(art.c.pmid.in_(ids), art.c.is_deleted.is_(False))
        .values(is_deleted=True, updated=bindparam("now")),
    )
    _STATEMENTS[name] = stmts
    return stmts


def _article_row(rec: ArticleRecord, digest: str, now) -> dict:
    row = {name: getattr(rec, name) for name in _ARTICLE_FIELDS}
    row["pmid"] = rec.pmid
    row["content_hash"] = digest
    row["first_seen"] = now
    row["updated"] = now
    row["is_deleted"] = False
    row["needs_extraction"] = True
    return row


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
    if isinstance(target, Engine):
        with target.begin() as conn:
            return upsert_articles(conn, records, topic)
    conn: Connection = target
    stmts = _statements(conn)
    now = utcnow()

    # Last occurrence of a PMID in a batch wins (update files can repeat one).
    latest: dict[int, ArticleRecord] = {}
    deleted: list[int] = []
    for rec in records:
        if isinstance(rec, DeletedCitation):
            deleted.append(rec.pmid)
            latest.pop(rec.pmid, None)
        else:
            latest[rec.pmid] = rec
    counts = UpsertCounts()

    pmids = list(latest)
    existing: dict[int, tuple[str, bool]] = {}
    for chunk in _chunks(pmids):
        for pmid, digest, is_deleted in conn.execute(stmts.lookup, {"pmids": chunk}):
            existing[pmid] = (digest, is_deleted)

    article_rows: list[dict] = []
    changed: list[ArticleRecord] = []
    revised: list[int] = []  # known PMIDs whose child rows are replaced
    for pmid, rec in latest.items():
        digest = rec.content_hash()
        old = existing.get(pmid)
        if old is None:
            counts.new += 1
            counts.new_pmids.append(pmid)
        elif old[0] == digest and not old[1]:
            counts.unchanged += 1
            continue
        else:
            counts.updated += 1
            revised.append(pmid)
        changed.append(rec)
        article_rows.append(_article_row(rec, digest, now))

    if article_rows:
        conn.execute(stmts.upsert_article, article_rows)

    # A new article has no child rows yet (they cascade with the article), so
    # only revisions need the old MeSH and publication types removed.
    for chunk in _chunks(revised):
        conn.execute(stmts.delete_mesh, {"pmids": chunk})
        conn.execute(stmts.delete_pubtype, {"pmids": chunk})
    mesh_rows: list[dict] = []
    pt_rows: list[dict] = []
    for rec in changed:
        pmid = rec.pmid
        if rec.mesh:
            seen: set[str] = set()
            for m in rec.mesh:
                if m.descriptor in seen:
                    continue
                seen.add(m.descriptor)
                mesh_rows.append({"pmid": pmid, "descriptor": m.descriptor, "descriptor_ui": m.descriptor_ui,
                                  "major_topic": m.major_topic, "qualifiers": m.qualifiers})
        if rec.publication_types:
            seen = set()
            for p in rec.publication_types:
                if p.name in seen:
                    continue
                seen.add(p.name)
                pt_rows.append({"pmid": pmid, "pub_type": p.name, "ui": p.ui})
    if mesh_rows:
        conn.execute(stmts.insert_mesh, mesh_rows)
    if pt_rows:
        conn.execute(stmts.insert_pubtype, pt_rows)

    if topic is not None and pmids:
        conn.execute(stmts.link_topic, [{"pmid": p, "topic": topic, "first_seen": now} for p in pmids])

    for chunk in _chunks(deleted):
        result = conn.execute(stmts.mark_deleted, {"pmids": chunk, "now": now})
        counts.deleted += result.rowcount or 0
    return counts
