"""Writing and reading NLP extractions.

:func:`write_extractions` stores one batch in one transaction: for every
article of the batch the previous extraction and its child rows are deleted
and the new ones inserted, so a killed run leaves each article either with its
old extraction or with its new one, never half of each. ``needs_extraction``
is cleared only when the article's content hash still equals the hash the
extraction was computed from (an article revised meanwhile stays pending).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.engine import Connection, Engine

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
    utcnow,
)

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


def _rows(result: dict, now) -> tuple[dict, dict[type, list[dict]]]:
    pmid = int(result["pmid"])
    ext = {
        "pmid": pmid,
        "extractor_version": result["extractor_version"],
        "content_hash": result.get("content_hash") or "",
        "extracted_at": now,
        "design": result.get("design") or "other",
        "design_source": result.get("design_source") or "text",
        "sample_size": result.get("sample_size"),
        "sample_size_basis": result.get("sample_size_basis"),
        "conditions": list(result.get("conditions") or []),
        "condition_subtypes": list(result.get("condition_subtypes") or []),
        "routes": list(result.get("routes") or []),
        "ketamine_forms": list(result.get("ketamine_forms") or []),
        "comparators": list(result.get("comparators") or []),
        "efficacy_direction": result.get("efficacy_direction") or "not_applicable",
        "serious_ae": result.get("serious_ae") or "unstated",
        "spans": list(result.get("spans") or []),
    }
    children: dict[type, list[dict]] = {c: [] for c in _CHILDREN}
    for c in dict.fromkeys(ext["conditions"]):
        children[ExtractionCondition].append({"pmid": pmid, "condition": c})
    for r in dict.fromkeys(ext["routes"]):
        children[ExtractionRoute].append({"pmid": pmid, "route": r})
    for ae in result.get("adverse_events") or []:
        children[ExtractedAdverseEvent].append({
            "pmid": pmid,
            "term": _str(ae.get("term"), 255),
            "organ_class": _str(ae.get("organ_class") or "unclassified", 255),
            "negated": bool(ae.get("negated", False)),
            "frequency": ae.get("frequency"),
            "frequency_pct": ae.get("frequency_pct"),
            "sentence": _str(ae.get("sentence")),
            "start": int(ae.get("start") or 0),
            "end": int(ae.get("end") or 0),
        })
    for o in result.get("outcomes") or []:
        children[ExtractedOutcome].append({
            "pmid": pmid,
            "measure": _str(o.get("measure"), 255),
            "direction": o.get("direction"),
            "numbers": [str(n) for n in o.get("numbers") or []],
            "sentence": _str(o.get("sentence")),
            "start": int(o.get("start") or 0),
            "end": int(o.get("end") or 0),
        })
    for d in result.get("doses") or []:
        children[ExtractedDose].append({
            "pmid": pmid,
            "amount": float(d["amount"]),
            "amount_high": d.get("amount_high"),
            "unit": _str(d.get("unit"), 64),
            "form": d.get("form") or "racemic",
            "route": d.get("route"),
            "text": _str(d.get("text"), 255),
            "sentence": _str(d.get("sentence")),
            "start": int(d.get("start") or 0),
            "end": int(d.get("end") or 0),
        })
    return ext, children


def write_extractions(target: Engine | Connection, results: Iterable[dict]) -> int:
    """Replace the extractions of a batch of articles, atomically.

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
    now = utcnow()
    latest: dict[int, dict] = {int(r["pmid"]): r for r in results}
    if not latest:
        return 0
    pmids = list(latest)
    ext_rows = []
    child_rows: dict[type, list[dict]] = {c: [] for c in _CHILDREN}
    for r in latest.values():
        ext, children = _rows(r, now)
        ext_rows.append(ext)
        for k, v in children.items():
            child_rows[k].extend(v)
    for chunk in _chunks(pmids):
        for model in _CHILDREN:
            t = model.__table__
            conn.execute(delete(t).where(t.c.pmid.in_(chunk)))
        conn.execute(delete(Extraction.__table__).where(Extraction.__table__.c.pmid.in_(chunk)))
    for chunk in _chunks(ext_rows, 200):
        conn.execute(Extraction.__table__.insert(), chunk)
    for model in _CHILDREN:
        rows = child_rows[model]
        for chunk in _chunks(rows, 500):
            conn.execute(model.__table__.insert(), chunk)
    a = Article.__table__
    conn.execute(
        update(a)
        .where(a.c.pmid == bindparam("b_pmid"), a.c.content_hash == bindparam("b_hash"))
        .values(needs_extraction=False),
        [{"b_pmid": r["pmid"], "b_hash": r["content_hash"]} for r in ext_rows],
    )
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
        Extraction columns plus ``title``, ``year``, ``topics``, ``adverse_events``,
        ``outcomes`` and ``doses`` lists.
    """
    e, a = Extraction.__table__, Article.__table__
    out: list[dict] = []
    with engine.connect() as conn:
        stmt = select(e, a.c.title, a.c.pub_year).join(a, a.c.pmid == e.c.pmid).where(a.c.is_deleted.is_(False)).order_by(e.c.pmid)
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
