"""PubMed XML straight to prepared rows, with the C parser when it is built.

:func:`iter_prepared` yields, for each record of a PubMed XML document, what
:func:`harvester.pubmed_xml.iter_records` followed by :func:`db.rows._prepare`
gives: ``(pmid, (content_hash, article_values, mesh_rows, pubtype_rows))`` for
an article and ``(pmid, None)`` for a PMID of a ``<DeleteCitation>``.

Where the optional extension :mod:`harvester._pubmed_fast` is built (a C
compiler and the Python headers at install time; ``pip`` skips it otherwise),
it does this with its own XML scanner, without building a tree or calling
Python code per field: about six times less CPU per article than lxml's tree
plus the field extraction and preparation in Python (``bench/ingest.py``).
Its output is the same to the byte, content hash included
(``tests/harvester/test_fast_xml.py`` compares the two on every real PubMed
file in ``../shared/data``, on the tricky fixtures and on generated and
damaged documents, fed whole and cut anywhere).

The lxml parser stays the reference. Whatever the C parser does not handle
itself it hands over: a ``<PubmedBookArticle>``, the legacy
``MedlineCitationSet``, a record as the root element, an entity reference that
only the external DTD could define, a PMID that is not digits, a namespace
declaration outside captured text or with a name other than a plain http(s)
URI, another encoding than UTF-8, anything not well-formed, gzip damage. The input is then parsed again from its start by
:func:`harvester.pubmed_xml.iter_records`, the records already given are
skipped, and everything after them (or the error, worded as the lxml parser
words it) comes from there. Only paths and bytes can be read twice, so a
stream always goes to the lxml parser.

Set ``KETAMINE_TRACKER_XML_PARSER=lxml`` to use the lxml parser only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from itertools import islice
from pathlib import Path
from typing import Iterator, Optional

from db.rows import prepared_items
from harvester import pubmed_xml as px

try:
    from harvester import _pubmed_fast
except ImportError:  # not built: no compiler or no Python headers at install time
    _pubmed_fast = None
else:
    _pubmed_fast.configure(
        entrez_statuses=tuple(px._ENTREZ_STATUSES),
        retracted_refs=frozenset(px._RETRACTED_REFS),
        retracted_pubtypes=frozenset(px._RETRACTED_PUBTYPES),
        ignored_refs=frozenset(px._IGNORED_REFS),
        nct_findall=px.NCT_RE.findall,
        months=dict(px._MONTHS),
        month_abbr=dict(px._MONTH_ABBR),
        year_search=px._YEAR.search,
        sha256=hashlib.sha256,
    )

log = logging.getLogger(__name__)

ENV_PARSER = "KETAMINE_TRACKER_XML_PARSER"
_CHUNK = 1 << 16
Item = tuple[int, Optional[tuple]]


def available() -> bool:
    """True when the C parser is built and not switched off by ``KETAMINE_TRACKER_XML_PARSER=lxml``."""
    return _pubmed_fast is not None and os.environ.get(ENV_PARSER, "").strip().lower() != "lxml"


def iter_prepared_lxml(source: px.Source, skip: int = 0) -> Iterator[Item]:
    """The reference: :func:`harvester.pubmed_xml.iter_records` then :func:`db.rows._prepare`,
    after the first ``skip`` records (parsed, not prepared)."""
    return prepared_items(islice(px.iter_records(source), skip, None))


def iter_prepared(source: px.Source, *, fast: Optional[bool] = None, report: Optional[dict] = None) -> Iterator[Item]:
    """Prepared records of a PubMed XML document, in document order.

    Parameters
    ----------
    source : str | pathlib.Path | bytes | binary file object
        As for :func:`harvester.pubmed_xml.iter_records`.
    fast : bool, optional
        Use the C parser (default: when :func:`available`). Streams always use lxml.
    report : dict, optional
        Filled with ``parser`` (``"fast"`` or ``"lxml"``) and, when the C parser
        handed the input over, ``fallback`` (its reason) and ``fallback_after``
        (records given before it).

    Yields
    ------
    tuple
        ``(pmid, (content_hash, article_values, mesh_rows, pubtype_rows))`` or ``(pmid, None)``
        for a deleted citation.

    Raises
    ------
    PubmedXMLError
        As :func:`harvester.pubmed_xml.iter_records` raises it, with its message.
    """
    report = {} if report is None else report
    use_fast = available() if fast is None else (fast and _pubmed_fast is not None)
    if not use_fast or not isinstance(source, (str, Path, bytes, bytearray)):
        report["parser"] = "lxml"
        yield from iter_prepared_lxml(source)
        return
    report["parser"] = "fast"
    stream, name, to_close = px._open(source)  # the prolog checks: bad input is refused as by lxml
    given = 0
    reason = None
    try:
        parser = _pubmed_fast.Parser()
        while True:
            try:
                chunk = stream.read(_CHUNK)
                items = parser.feed(chunk) if chunk else parser.close()
            except _pubmed_fast.Fallback as exc:
                reason, items = exc.args  # the records completed before the reason are valid
                chunk = b""
            except (OSError, EOFError, zlib.error) as exc:
                reason, items = f"{type(exc).__name__}: {exc}", []
                chunk = b""
            for item in items:
                yield item
                given += 1
            if reason is not None:
                break
            if not chunk:
                return
    finally:
        px._close(to_close)
    report.update(fallback=reason, fallback_after=given)
    log.info("%s: the lxml parser takes over after %d records (%s)", name, given, reason)
    yield from iter_prepared_lxml(source, skip=given)
