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

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from .models import Article, ArticleMesh, ArticlePubType, ArticleTopic, utcnow
from .records import ArticleRecord, DeletedCitation

# SQLite allows 32766 bound parameters; an article row has ~25 columns.
_ROWS_PER_STATEMENT = 500


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


def _insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _chunks(seq: Sequence, n: int = _ROWS_PER_STATEMENT):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


_ARTICLE_FIELDS = [
    "version", "title", "abstract", "abstract_sections", "journal", "journal_iso", "pub_year",
    "pub_date", "entrez_date", "revised_date", "language", "doi", "pmcid", "authors", "keywords",
    "nct_ids", "comments_corrections", "is_book", "is_retracted",
]


def _article_row(rec: ArticleRecord, digest: str, now) -> dict:
    row = {name: getattr(rec, name) for name in _ARTICLE_FIELDS}
    row.update(
        pmid=rec.pmid,
        content_hash=digest,
        first_seen=now,
        updated=now,
        is_deleted=False,
        needs_extraction=True,
    )
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
    insert = _insert(conn)
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
        for pmid, digest, is_deleted in conn.execute(
            select(Article.pmid, Article.content_hash, Article.is_deleted).where(Article.pmid.in_(chunk))
        ):
            existing[pmid] = (digest, is_deleted)

    changed_rows: list[dict] = []
    changed: list[ArticleRecord] = []
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
        changed.append(rec)
        changed_rows.append(_article_row(rec, digest, now))

    art = Article.__table__
    for chunk in _chunks(changed_rows):
        stmt = insert(art).values(chunk)
        keep = {"pmid", "first_seen"}
        stmt = stmt.on_conflict_do_update(
            index_elements=[art.c.pmid],
            set_={c.name: stmt.excluded[c.name] for c in art.columns if c.name not in keep},
        )
        conn.execute(stmt)

    changed_pmids = [r.pmid for r in changed]
    mesh_t, pt_t = ArticleMesh.__table__, ArticlePubType.__table__
    for chunk in _chunks(changed_pmids):
        conn.execute(delete(mesh_t).where(mesh_t.c.pmid.in_(chunk)))
        conn.execute(delete(pt_t).where(pt_t.c.pmid.in_(chunk)))
    mesh_rows, pt_rows = [], []
    for rec in changed:
        seen_mesh: set[str] = set()
        for m in rec.mesh:
            if m.descriptor in seen_mesh:
                continue
            seen_mesh.add(m.descriptor)
            mesh_rows.append(
                {"pmid": rec.pmid, "descriptor": m.descriptor, "descriptor_ui": m.descriptor_ui,
                 "major_topic": m.major_topic, "qualifiers": m.qualifiers}
            )
        seen_pt: set[str] = set()
        for p in rec.publication_types:
            if p.name in seen_pt:
                continue
            seen_pt.add(p.name)
            pt_rows.append({"pmid": rec.pmid, "pub_type": p.name, "ui": p.ui})
    for chunk in _chunks(mesh_rows):
        conn.execute(insert(mesh_t).values(chunk))
    for chunk in _chunks(pt_rows):
        conn.execute(insert(pt_t).values(chunk))

    if topic is not None and pmids:
        link = ArticleTopic.__table__
        for chunk in _chunks(pmids):
            rows = [{"pmid": p, "topic": topic, "first_seen": now} for p in chunk]
            conn.execute(insert(link).values(rows).on_conflict_do_nothing(index_elements=[link.c.pmid, link.c.topic]))

    for chunk in _chunks(deleted):
        result = conn.execute(
            update(art)
            .where(art.c.pmid.in_(chunk), art.c.is_deleted.is_(False))
            .values(is_deleted=True, updated=now)
        )
        counts.deleted += result.rowcount or 0
    return counts
