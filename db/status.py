"""Read-side summary of the nightly job, for ``ketamine-tracker status`` and monitors."""

from __future__ import annotations

from sqlalchemy import false, func, not_, or_, select
from sqlalchemy.engine import Engine

from .models import Article, ArticleTopic, Extraction, ExtractionCondition, HarvestRun, TopicState

RUN = HarvestRun.__table__
#: the :func:`condition_counts` group of articles without an extracted condition (not extracted yet)
NO_CONDITION = "none_yet"


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


def _pending(extractor_version: str | None):
    """The SQL condition "this article waits for extraction" (on ``article`` outer-joined to ``extraction``).

    Flagged ``needs_extraction``, or (when ``extractor_version`` is given)
    without an extraction at that version.
    """
    a, e = Article.__table__, Extraction.__table__
    pending = a.c.needs_extraction.is_(True)
    if extractor_version is not None:
        pending = or_(pending, e.c.pmid.is_(None), e.c.extractor_version != extractor_version)
    return pending


def article_counts(engine: Engine, extractor_version: str | None = None) -> dict[str, int]:
    """Totals: articles, deleted, retracted, and pending extraction.

    Pending means not deleted and either flagged ``needs_extraction`` or (when
    ``extractor_version`` is given) without an extraction at that version.
    """
    a, e = Article.__table__, Extraction.__table__
    pending_cond = _pending(extractor_version)
    stmt = select(
        func.count(),
        func.count().filter(a.c.is_deleted.is_(True)),
        func.count().filter(a.c.is_retracted.is_(True)),
        func.count().filter(a.c.is_deleted.is_(False), pending_cond),
    ).select_from(a.outerjoin(e, e.c.pmid == a.c.pmid))
    with engine.connect() as conn:
        total, deleted, retracted, pending = conn.execute(stmt).one()
    return {"articles": total, "deleted": deleted, "retracted": retracted, "pending_extraction": pending}


def topic_counts(engine: Engine, extractor_version: str | None = None) -> dict[str, dict[str, int]]:
    """Articles per harvest topic, in one statement; deleted articles are not counted.

    Parameters
    ----------
    engine : Engine
        The database (read only).
    extractor_version : str, optional
        The current extractor version: an article without an extraction at
        this version is pending, not extracted. None: only the
        ``needs_extraction`` flag decides (as in :func:`article_counts`).

    Returns
    -------
    dict
        ``{topic: {"stored": int, "extracted": int, "pending_extraction": int,
        "retracted": int}}`` for every topic with at least one stored article;
        ``extracted + pending_extraction == stored``. An article returned by
        two topics' queries counts in both.
    """
    a, e, t = Article.__table__, Extraction.__table__, ArticleTopic.__table__
    pending = _pending(extractor_version)
    stmt = (
        select(
            t.c.topic,
            func.count(),
            func.count().filter(not_(pending)),
            func.count().filter(pending),
            func.count().filter(a.c.is_retracted.is_(True)),
        )
        .select_from(t.join(a, a.c.pmid == t.c.pmid).outerjoin(e, e.c.pmid == a.c.pmid))
        .where(a.c.is_deleted == false())
        .group_by(t.c.topic)
        .order_by(t.c.topic)
    )
    with engine.connect() as conn:
        return {
            topic: {"stored": stored, "extracted": extracted, "pending_extraction": waiting, "retracted": retracted}
            for topic, stored, extracted, waiting, retracted in conn.execute(stmt)
        }


def condition_counts(engine: Engine) -> dict[str, int]:
    """Articles per extracted condition, in one statement; deleted articles are not counted.

    Parameters
    ----------
    engine : Engine
        The database (read only).

    Returns
    -------
    dict
        ``{condition: articles}`` for every condition extracted from at least
        one stored article, and :data:`NO_CONDITION` for the stored articles
        without any (not extracted yet). An article of two conditions counts
        under both, so the counts can add up to more than the articles.
    """
    a, ec = Article.__table__, ExtractionCondition.__table__
    group = func.coalesce(ec.c.condition, NO_CONDITION).label("condition")
    stmt = (
        select(group, func.count())
        .select_from(a.outerjoin(ec, ec.c.pmid == a.c.pmid))
        .where(a.c.is_deleted == false())
        .group_by(group)
        .order_by(group)
    )
    with engine.connect() as conn:
        return {condition: n for condition, n in conn.execute(stmt)}
