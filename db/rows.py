"""Records flattened into table rows, without a database.

:func:`prepare_batch` does everything an upsert needs that does not depend on
what is already stored: the content hash of each record, its ``article`` row
and its MeSH and publication-type child rows, as plain tuples in column order
(:data:`RECORD_COLUMNS`, :data:`MESH_COLUMNS`, :data:`PUBTYPE_COLUMNS`). JSON
columns hold the Python lists and dicts; SQLAlchemy's ``JSON`` type serialises
them when :func:`db.store.store_prepared` writes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .records import CITATION_FIELDS, ArticleRecord, DeletedCitation

# Layout of a prepared article row: the record's columns, the citation details last
# (:data:`CITATION_COLUMNS`, outside the content hash), then what the store adds
# (is_deleted, content_hash, first_seen, updated, needs_extraction).
CITATION_COLUMNS = CITATION_FIELDS
RECORD_COLUMNS = (
    "pmid", "version", "title", "abstract", "abstract_sections", "journal", "journal_iso", "pub_year",
    "pub_date", "entrez_date", "revised_date", "language", "doi", "pmcid", "authors", "keywords",
    "nct_ids", "comments_corrections", "is_book", "is_retracted",
) + CITATION_COLUMNS
ARTICLE_COLUMNS = RECORD_COLUMNS + ("is_deleted", "content_hash", "first_seen", "updated", "needs_extraction")
MESH_COLUMNS = ("pmid", "descriptor", "descriptor_ui", "major_topic", "qualifiers")
PUBTYPE_COLUMNS = ("pmid", "pub_type", "ui")

# --------------------------------------------------------------------------- prepared batches


@dataclass
class PreparedBatch:
    """One batch of records reduced to row tuples.

    What :func:`prepare_batch` computes needs no database (content hashes,
    MeSH and publication-type rows); :func:`db.store.store_prepared` only
    compares hashes and writes.

    Attributes
    ----------
    articles : dict[int, tuple]
        PMID -> ``(content_hash, article_values, mesh_rows, pubtype_rows)``;
        ``article_values`` follows ``RECORD_COLUMNS``; the last occurrence of a
        PMID in the batch wins.
    deleted : list[int]
        PMIDs of :class:`DeletedCitation` entries, in order.
    """

    articles: dict[int, tuple] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.articles) + len(self.deleted)

    def add(self, pmid: int, prepared: tuple | None) -> None:
        """Add one record: what :func:`_prepare` returns for an article, None for a deleted citation.

        The last occurrence of a PMID wins, in its first place (update files can
        repeat a PMID); a deletion drops an earlier article of the batch.
        """
        if prepared is None:
            self.deleted.append(pmid)
            self.articles.pop(pmid, None)
        else:
            self.articles[pmid] = prepared


def _prepare(rec: ArticleRecord) -> tuple:
    pmid = rec.pmid
    values = (
        pmid, rec.version, rec.title, rec.abstract, rec.abstract_sections, rec.journal, rec.journal_iso,
        rec.pub_year, rec.pub_date, rec.entrez_date, rec.revised_date, rec.language, rec.doi, rec.pmcid,
        rec.authors, rec.keywords, rec.nct_ids, rec.comments_corrections, rec.is_book, rec.is_retracted,
        rec.volume, rec.issue, rec.pages,
    )
    mesh_rows = []
    if rec.mesh:
        seen: set[str] = set()
        for m in rec.mesh:
            if m.descriptor in seen:
                continue
            seen.add(m.descriptor)
            mesh_rows.append((pmid, m.descriptor, m.descriptor_ui, m.major_topic, m.qualifiers))
    pt_rows = []
    if rec.publication_types:
        seen = set()
        for pt in rec.publication_types:
            if pt.name in seen:
                continue
            seen.add(pt.name)
            pt_rows.append((pmid, pt.name, pt.ui))
    return rec.content_hash(), values, mesh_rows, pt_rows


def prepared_items(records: Iterable[ArticleRecord | DeletedCitation]) -> Iterator[tuple[int, tuple | None]]:
    """``(pmid, prepared)`` per record, as it arrives: :func:`_prepare` of an
    article, None for a deleted citation."""
    for rec in records:
        yield rec.pmid, None if isinstance(rec, DeletedCitation) else _prepare(rec)


def prepare_batch(records: Iterable[ArticleRecord | DeletedCitation]) -> PreparedBatch:
    """Hash and flatten a batch of records (no database needed).

    Parameters
    ----------
    records:
        Parsed articles and deleted citations, in document order. Each is
        prepared as it arrives, so a generator is consumed one record at a
        time: a parser feeding it never holds a batch of parsed records.

    Returns
    -------
    PreparedBatch
        Ready for :func:`store_prepared`.
    """
    batch = PreparedBatch()
    for pmid, prepared in prepared_items(records):
        batch.add(pmid, prepared)
    return batch
