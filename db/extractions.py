"""Writing and reading NLP extractions.

:func:`write_extractions` stores one batch in one transaction: for every
article of the batch the previous extraction and its child rows are deleted
and the new ones inserted, so a killed run leaves each article either with its
old extraction or with its new one, never half of each. ``needs_extraction``
is cleared only when the article's content hash still equals the hash the
extraction was computed from (an article revised meanwhile stays pending).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import and_, bindparam, delete, exists, false, insert, or_, select, update
from sqlalchemy.engine import Connection, Dialect, Engine

from .models import (
    Article,
    ArticleMesh,
    ArticlePubType,
    ArticleTopic,
    ExtractedAdverseEvent,
    ExtractedDose,
    ExtractedOutcome,
    Extraction,
    ExtractionCondition,
    ExtractionRoute,
    ae_arm,
    ae_status,
    utcnow,
)
from .store import execute_rows, per_dialect

_CHUNK = 500
_CHILDREN = (ExtractionCondition, ExtractionRoute, ExtractedAdverseEvent, ExtractedOutcome, ExtractedDose)


def _chunks(seq: Sequence, n: int = _CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def articles_to_extract(engine: Engine | Connection, version: str, all: bool = False) -> list[int]:
    """PMIDs of the articles that need (re-)extraction.

    Parameters
    ----------
    engine : Engine or Connection
        The database.
    version : str
        The current ``EXTRACTOR_VERSION``.
    all : bool
        Every article that is not deleted, regardless of state.

    Returns
    -------
    list of int
        Sorted PMIDs: not deleted, and (``all`` or flagged ``needs_extraction``
        or without an extraction at ``version`` for the current content hash).
    """
    a, e = Article.__table__, Extraction.__table__
    stmt = select(a.c.pmid).where(a.c.is_deleted.is_(False))
    if not all:
        current = exists().where(
            and_(e.c.pmid == a.c.pmid, e.c.extractor_version == version, e.c.content_hash == a.c.content_hash)
        )
        stmt = stmt.where(or_(a.c.needs_extraction.is_(True), ~current))
    stmt = stmt.order_by(a.c.pmid)
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(stmt)]
    return [r[0] for r in engine.execute(stmt)]


def load_articles(engine: Engine, pmids: Sequence[int]) -> list[dict]:
    """Title, abstract, content hash, publication types and MeSH of ``pmids``.

    Returns
    -------
    list of dict
        ``{"pmid", "title", "abstract", "content_hash", "pub_types", "mesh"}``
        in the order of ``pmids`` (missing PMIDs are skipped).
    """
    a, pt, mh = Article.__table__, ArticlePubType.__table__, ArticleMesh.__table__
    rows: dict[int, dict] = {}
    with engine.connect() as conn:
        for chunk in _chunks(list(pmids)):
            for pmid, title, abstract, digest in conn.execute(
                select(a.c.pmid, a.c.title, a.c.abstract, a.c.content_hash).where(a.c.pmid.in_(chunk))
            ):
                rows[pmid] = {"pmid": pmid, "title": title, "abstract": abstract, "content_hash": digest, "pub_types": [], "mesh": []}
            for pmid, name in conn.execute(select(pt.c.pmid, pt.c.pub_type).where(pt.c.pmid.in_(chunk))):
                rows[pmid]["pub_types"].append(name)
            for pmid, name in conn.execute(select(mh.c.pmid, mh.c.descriptor).where(mh.c.pmid.in_(chunk))):
                rows[pmid]["mesh"].append(name)
    return [rows[p] for p in pmids if p in rows]


def _str(x, limit: int | None = None) -> str:
    s = "" if x is None else str(x)
    return s[:limit] if limit else s


# --------------------------------------------------------------------------- statements

# Column order of the row tuples built by :func:`_rows`.
_EXTRACTION_COLUMNS = (
    "pmid", "extractor_version", "content_hash", "extracted_at", "design", "design_source", "sample_size",
    "sample_size_basis", "pooled_participants", "conditions", "condition_subtypes", "routes", "ketamine_forms", "comparators",
    "efficacy_direction", "serious_ae", "spans",
)
_CONDITION_COLUMNS = ("pmid", "condition")
_ROUTE_COLUMNS = ("pmid", "route")
_AE_COLUMNS = ("pmid", "term", "organ_class", "negated", "frequency", "frequency_pct", "sentence", "start", "end", "status", "arm")
_OUTCOME_COLUMNS = ("pmid", "measure", "direction", "numbers", "sentence", "start", "end")
_DOSE_COLUMNS = ("pmid", "amount", "amount_high", "unit", "form", "route", "text", "sentence", "start", "end")
_CHILD_COLUMNS = (
    (ExtractionCondition, _CONDITION_COLUMNS),
    (ExtractionRoute, _ROUTE_COLUMNS),
    (ExtractedAdverseEvent, _AE_COLUMNS),
    (ExtractedOutcome, _OUTCOME_COLUMNS),
    (ExtractedDose, _DOSE_COLUMNS),
)


@dataclass(frozen=True)
class _Statements:
    """The SQLAlchemy Core statements of :func:`write_extractions`, built once per dialect."""

    insert_extraction: object
    insert_children: tuple  # one INSERT per table, in _CHILD_COLUMNS order
    deletes: tuple  # child tables first, then extraction
    clear: object  # needs_extraction cleared for (b_pmid, b_hash)


@per_dialect
def _statements(dialect: Dialect) -> _Statements:
    ids = bindparam("pmids", expanding=True)
    deletes = tuple(delete(m.__table__).where(m.__table__.c.pmid.in_(ids)) for m in _CHILDREN)
    deletes += (delete(Extraction.__table__).where(Extraction.__table__.c.pmid.in_(ids)),)
    a = Article.__table__
    clear = (
        update(a)
        .where(a.c.pmid == bindparam("b_pmid"), a.c.content_hash == bindparam("b_hash"))
        .values(needs_extraction=false())
    )
    return _Statements(
        insert_extraction=insert(Extraction.__table__),
        insert_children=tuple(insert(m.__table__) for m, _ in _CHILD_COLUMNS),
        deletes=deletes,
        clear=clear,
    )


# --------------------------------------------------------------------------- writing


def _rows(result: dict, extracted_at, children: tuple[list, ...]) -> tuple:
    """One result as an ``extraction`` row tuple (``_EXTRACTION_COLUMNS``); its child
    rows are appended to ``children`` (lists in ``_CHILD_COLUMNS`` order)."""
    get = result.get
    pmid = int(result["pmid"])
    conditions = list(get("conditions") or [])
    routes = list(get("routes") or [])
    ext = (
        pmid,
        result["extractor_version"],
        get("content_hash") or "",
        extracted_at,
        get("design") or "other",
        get("design_source") or "text",
        get("sample_size"),
        get("sample_size_basis"),
        get("pooled_participants"),
        conditions,
        list(get("condition_subtypes") or []),
        routes,
        list(get("ketamine_forms") or []),
        list(get("comparators") or []),
        get("efficacy_direction") or "not_applicable",
        get("serious_ae") or "unstated",
        list(get("spans") or []),
    )
    cond_rows, route_rows, ae_rows, outcome_rows, dose_rows = children
    for c in dict.fromkeys(conditions):
        cond_rows.append((pmid, c))
    for r in dict.fromkeys(routes):
        route_rows.append((pmid, r))
    for ae in get("adverse_events") or ():
        ae_rows.append((
            pmid,
            _str(ae.get("term"), 255),
            _str(ae.get("organ_class") or "unclassified", 255),
            bool(ae.get("negated", False)),
            ae.get("frequency"),
            ae.get("frequency_pct"),
            _str(ae.get("sentence")),
            int(ae.get("start") or 0),
            int(ae.get("end") or 0),
            # extractions made before the NLP stage said them: status from negated, arm unstated
            _str(ae_status(ae), 32),
            _str(ae_arm(ae), 32),
        ))
    for o in get("outcomes") or ():
        outcome_rows.append((
            pmid,
            _str(o.get("measure"), 255),
            o.get("direction"),
            [str(n) for n in o.get("numbers") or []],
            _str(o.get("sentence")),
            int(o.get("start") or 0),
            int(o.get("end") or 0),
        ))
    for d in get("doses") or ():
        dose_rows.append((
            pmid,
            float(d["amount"]),
            d.get("amount_high"),
            _str(d.get("unit"), 64),
            d.get("form") or "racemic",
            d.get("route"),
            _str(d.get("text"), 255),
            _str(d.get("sentence")),
            int(d.get("start") or 0),
            int(d.get("end") or 0),
        ))
    return ext


def write_extractions(target: Engine | Connection, results: Iterable[dict]) -> int:
    """Replace the extractions of a batch of articles, atomically.

    Every table gets its rows as SQLAlchemy Core ``executemany`` batches (the
    approach of :mod:`db.store`).

    Parameters
    ----------
    target : Engine or Connection
        An engine (one transaction is opened) or a connection inside a transaction.
    results : iterable of dict
        Outputs of :func:`nlp.extract.extract_article` with ``content_hash`` set
        to the article hash they were computed from.

    Returns
    -------
    int
        Number of extractions written.
    """
    if isinstance(target, Engine):
        with target.begin() as conn:
            return write_extractions(conn, results)
    conn: Connection = target
    latest: dict[int, dict] = {int(r["pmid"]): r for r in results}
    if not latest:
        return 0
    stmts = _statements(conn)
    extracted_at = utcnow()
    children: tuple[list, ...] = tuple([] for _ in _CHILD_COLUMNS)
    ext_rows = [_rows(r, extracted_at, children) for r in latest.values()]
    pmids = list(latest)
    for chunk in _chunks(pmids):
        for stmt in stmts.deletes:
            conn.execute(stmt, {"pmids": chunk})
    execute_rows(conn, stmts.insert_extraction, _EXTRACTION_COLUMNS, ext_rows)
    for stmt, (_, columns), rows in zip(stmts.insert_children, _CHILD_COLUMNS, children):
        execute_rows(conn, stmt, columns, rows)
    execute_rows(conn, stmts.clear, ("b_pmid", "b_hash"), [(row[0], row[2]) for row in ext_rows])
    return len(ext_rows)


def read_extraction(engine: Engine, pmid: int) -> dict | None:
    """One article's extraction with its child rows, as plain data (None if absent)."""
    rows = read_extractions(engine, [pmid])
    return rows[0] if rows else None


def read_extractions(engine: Engine, pmids: Sequence[int] | None = None) -> list[dict]:
    """Extractions joined with article title/year and child rows, ordered by PMID.

    Parameters
    ----------
    engine : Engine
    pmids : sequence of int, optional
        Restrict to these articles (default: every extraction of a non-deleted article).

    Returns
    -------
    list of dict
        Extraction columns plus the article's ``title``, ``year``, ``doi``,
        ``journal``, ``authors``, ``abstract``, ``is_retracted``, ``volume``, ``issue`` and ``pages``, and ``topics``, ``adverse_events``,
        ``outcomes`` and ``doses`` lists (their rows' columns but ``id`` and
        ``pmid``; adverse events carry ``status`` and ``arm``).
    """
    e, a = Extraction.__table__, Article.__table__
    out: list[dict] = []
    with engine.connect() as conn:
        stmt = select(e, a.c.title, a.c.pub_year, a.c.doi, a.c.journal, a.c.authors, a.c.abstract, a.c.is_retracted, a.c.volume, a.c.issue, a.c.pages).join(a, a.c.pmid == e.c.pmid).where(a.c.is_deleted.is_(False)).order_by(e.c.pmid)
        chunks = [None] if pmids is None else list(_chunks(list(pmids)))
        for chunk in chunks:
            s = stmt if chunk is None else stmt.where(e.c.pmid.in_(chunk))
            batch = {}
            for row in conn.execute(s).mappings():
                d = dict(row)
                d["year"] = d.pop("pub_year")
                d["adverse_events"], d["outcomes"], d["doses"], d["topics"] = [], [], [], []
                batch[d["pmid"]] = d
            keys = list(batch)
            tp = ArticleTopic.__table__
            for key_chunk in _chunks(keys):
                for pmid, topic in conn.execute(select(tp.c.pmid, tp.c.topic).where(tp.c.pmid.in_(key_chunk)).order_by(tp.c.pmid, tp.c.topic)):
                    batch[pmid]["topics"].append(topic)
                for model, field in ((ExtractedAdverseEvent, "adverse_events"), (ExtractedOutcome, "outcomes"), (ExtractedDose, "doses")):
                    t = model.__table__
                    for row in conn.execute(select(t).where(t.c.pmid.in_(key_chunk)).order_by(t.c.pmid, t.c.start, t.c.id)).mappings():
                        r = dict(row)
                        r.pop("id", None)
                        batch[r.pop("pmid")][field].append(r)
            out.extend(batch.values())
    return out
