"""Read-side summary of the nightly job, for ``ketamine-tracker status`` and monitors."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine

from .models import Article, Extraction, HarvestRun, TopicState

RUN = HarvestRun.__table__


def _row(mapping) -> dict:
    return dict(mapping) if mapping is not None else None


def last_runs(engine: Engine, per_topic: int = 1) -> dict[str, list[dict]]:
    """The newest ``per_topic`` harvest runs of every topic, newest first.

    Returns
    -------
    dict
        ``{topic: [run row as dict, ...]}``.
    """
    ranked = select(
        RUN,
        func.row_number().over(partition_by=RUN.c.topic, order_by=(RUN.c.started.desc(), RUN.c.id.desc())).label("rank"),
    ).subquery()
    stmt = select(ranked).where(ranked.c.rank <= per_topic).order_by(ranked.c.topic, ranked.c.rank)
    out: dict[str, list[dict]] = {}
    with engine.connect() as conn:
        for row in conn.execute(stmt).mappings():
            data = {k: v for k, v in row.items() if k != "rank"}
            out.setdefault(data["topic"], []).append(data)
    return out


def watermarks(engine: Engine) -> dict[str, dict]:
    """``{topic: {"watermark": date, "last_success": datetime}}``."""
    t = TopicState.__table__
    with engine.connect() as conn:
        return {
            r.topic: {"watermark": r.watermark, "last_success": r.last_success}
            for r in conn.execute(select(t.c.topic, t.c.watermark, t.c.last_success))
        }


def article_counts(engine: Engine, extractor_version: str | None = None) -> dict[str, int]:
    """Totals: articles, deleted, retracted, and pending extraction.

    Pending means not deleted and either flagged ``needs_extraction`` or (when
    ``extractor_version`` is given) without an extraction at that version.
    """
    a, e = Article.__table__, Extraction.__table__
    pending_cond = a.c.needs_extraction.is_(True)
    if extractor_version is not None:
        pending_cond = or_(pending_cond, e.c.pmid.is_(None), e.c.extractor_version != extractor_version)
    stmt = select(
        func.count(),
        func.count().filter(a.c.is_deleted.is_(True)),
        func.count().filter(a.c.is_retracted.is_(True)),
        func.count().filter(a.c.is_deleted.is_(False), pending_cond),
    ).select_from(a.outerjoin(e, e.c.pmid == a.c.pmid))
    with engine.connect() as conn:
        total, deleted, retracted, pending = conn.execute(stmt).one()
    return {"articles": total, "deleted": deleted, "retracted": retracted, "pending_extraction": pending}
