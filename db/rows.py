"""Records flattened into table rows, without a database.

:func:`prepare_batch` does everything an upsert needs that does not depend on
what is already stored: the content hash of each record, the JSON columns
serialised exactly as SQLAlchemy's ``JSON`` type serialises them
(``json.dumps`` with default settings), and the MeSH and publication-type child
rows. The result is plain tuples, cheap to pickle, so the ``ingest`` command
can prepare batches in a parser process while another process writes them
(:func:`db.store.store_prepared`). This module imports nothing but the records,
so that process starts in a fraction of a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .records import ArticleRecord, DeletedCitation

# Layout of a prepared article row: the record's columns in ``article`` table
# order, then what the store adds (is_deleted, content_hash, first_seen,
# updated, needs_extraction).
RECORD_COLUMNS = (
    "pmid", "version", "title", "abstract", "abstract_sections", "journal", "journal_iso", "pub_year",
    "pub_date", "entrez_date", "revised_date", "language", "doi", "pmcid", "authors", "keywords",
    "nct_ids", "comments_corrections", "is_book", "is_retracted",
)
ARTICLE_COLUMNS = RECORD_COLUMNS + ("is_deleted", "content_hash", "first_seen", "updated", "needs_extraction")
MESH_COLUMNS = ("pmid", "descriptor", "descriptor_ui", "major_topic", "qualifiers")
PUBTYPE_COLUMNS = ("pmid", "pub_type", "ui")

try:  # json.dumps builds a new C encoder on every call; one built once gives the same text
    from json.encoder import c_make_encoder as _c_make_encoder
    from json.encoder import encode_basestring_ascii as _ascii
except ImportError:  # pragma: no cover - CPython always has _json
    _c_make_encoder = None

if _c_make_encoder is not None:
    _encode = _c_make_encoder(None, json.JSONEncoder().default, _ascii, None, ": ", ", ", False, False, True)

    def _dumps(value) -> str:
        return "".join(_encode(value, 0))
else:  # pragma: no cover
    _dumps = json.dumps


def _json(value) -> str:
    """A JSON column's value exactly as SQLAlchemy's ``JSON`` type serialises it
    (``json.dumps`` with default settings); the empty list, most columns of most
    records, without encoding anything."""
    return "[]" if value == [] else _dumps(value)


# --------------------------------------------------------------------------- prepared batches


@dataclass
class PreparedBatch:
    """One batch of records reduced to plain, picklable row tuples.

    What :func:`prepare_batch` computes needs no database (content hashes, JSON
    columns, MeSH and publication-type rows), so a parsing process can do it
    while another one writes; :func:`store_prepared` only compares hashes and
    writes.

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
        pmid, rec.version, rec.title, rec.abstract, _json(rec.abstract_sections), rec.journal, rec.journal_iso,
        rec.pub_year, rec.pub_date, rec.entrez_date, rec.revised_date, rec.language, rec.doi, rec.pmcid,
        _json(rec.authors), _json(rec.keywords), _json(rec.nct_ids), _json(rec.comments_corrections),
        rec.is_book, rec.is_retracted,
    )
    mesh_rows = []
    if rec.mesh:
        seen: set[str] = set()
        for m in rec.mesh:
            if m.descriptor in seen:
                continue
            seen.add(m.descriptor)
            mesh_rows.append((pmid, m.descriptor, m.descriptor_ui, m.major_topic, _json(m.qualifiers)))
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
    article, None for a deleted citation (the C parser's items have this shape)."""
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
