"""A PubMed file as prepared batches, ready for :func:`db.store.store_prepared`.

``ketamine-tracker ingest`` reads a PubMed XML or MEDLINE file with its parser
(:func:`harvester.pubmed_xml.iter_records`, :func:`harvester.medline.iter_medline_records`),
hashes and flattens each record into rows (:func:`db.rows.prepared_items`) and
groups them into :class:`db.rows.PreparedBatch` es of a fixed number of records.
Everything runs in the calling process, one record at a time, so memory is
bounded by the batch size whatever the size of the file.
"""

from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from db.records import ArticleRecord, DeletedCitation
from db.rows import PreparedBatch, prepared_items
from harvester.medline import iter_medline_records
from harvester.pubmed_xml import iter_records


def iter_file_records(path: Path, fmt: str) -> Iterator[ArticleRecord | DeletedCitation]:
    """Records of a PubMed XML or MEDLINE file, gzip or not.

    Parameters
    ----------
    path : Path
        The file.
    fmt : {"xml", "medline"}
        Its format.

    Yields
    ------
    ArticleRecord | DeletedCitation
        In file order.

    Raises
    ------
    PubmedXMLError, MedlineError
        Bad input (both are :class:`harvester.limits.InputRejected`).
    """
    if fmt == "xml":
        yield from iter_records(path)
        return
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if gz:
        with gzip.open(path, "rt", encoding="utf-8-sig") as stream:
            yield from iter_medline_records(stream)
    else:
        yield from iter_medline_records(path)


def prepared_item_chunks(items: Iterable[tuple[int, tuple | None]], size: int,
                         parsed: list[int]) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` for consecutive runs of ``size`` prepared items.

    Items (:func:`db.rows.prepared_items`) are batched as they come, never
    collected in a list first: a prepared row is a fraction of a parsed
    record's size.

    Parameters
    ----------
    items : iterable of (int, tuple | None)
        ``(pmid, prepared)`` pairs.
    size : int
        Records per batch (the last batch may be shorter).
    parsed : list[int]
        ``parsed[0]`` counts the items taken, also when the source fails.

    Yields
    ------
    tuple[int, PreparedBatch]
    """
    it = iter(items)
    while True:
        batch = PreparedBatch()
        n = 0
        for pmid, prepared in islice(it, size):
            n += 1
            parsed[0] += 1
            batch.add(pmid, prepared)
        if not n:
            return
        yield n, batch


def prepared_chunks(records: Iterable[ArticleRecord | DeletedCitation], size: int) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` for consecutive runs of ``size`` records (the last one shorter)."""
    return prepared_item_chunks(prepared_items(records), size, [0])


def prepared_batches(path: Path, fmt: str, batch_size: int, parsed: list[int]) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` pairs of a PubMed XML (``"xml"``) or MEDLINE (``"medline"``) file.

    Parameters
    ----------
    path : Path
        The file (gzip or not).
    fmt : {"xml", "medline"}
        Its format.
    batch_size : int
        Records per batch.
    parsed : list[int]
        ``parsed[0]`` counts the records parsed so far, also when parsing fails.

    Yields
    ------
    tuple[int, PreparedBatch]

    Raises
    ------
    PubmedXMLError, MedlineError
        Bad input.
    """
    return prepared_item_chunks(prepared_items(iter_file_records(path, fmt)), batch_size, parsed)
