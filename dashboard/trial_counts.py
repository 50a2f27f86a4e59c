""""k trials, n participants" for the dashboard pages, and the cached reads of :mod:`db.evidence_map`
and :mod:`db.news`.

Trial counts are made in memory. Every article, once per extracted condition
and route, with its design, direction, sample size and stored trial key
(:func:`db.queries.study_rows`), is read once per data version into a
DataFrame, and each count groups it with pandas (:func:`count_by`). Asking
SQL for each count instead took 0.04 s per count at 50,000 articles, and the
Outcomes page asks for five per filter change.

The rule is :func:`db.trials.summarise`'s: within a group, the reports of one
trial count once, with the largest stated sample size among them; an article
counts once per group whatever its other conditions and routes.

Like :meth:`dashboard.common.Ctx.q`, every cache entry is keyed on the database
URL, the arguments and the database's data version, so a new harvest or
extraction invalidates it; the engine itself is passed unhashed (leading
underscore).
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

import pandas as pd
import streamlit as st

from dashboard import common as c
from db import evidence_map as emap
from db import news, queries, trials
from db.trials import TrialCount

#: what :func:`count_by` can group on
GROUPINGS = ("topic", "condition", "design", "direction", "all")
#: design and direction of an article not extracted yet
NOT_EXTRACTED = queries.NOT_EXTRACTED


def study_frame(rows: Iterable[tuple]) -> pd.DataFrame:
    """The rows of :func:`db.queries.study_rows` as a DataFrame, with ``trial`` numbering the trials.

    Articles with the same stored trial key share a ``trial``; an article
    without one is a trial of its own.
    """
    frame = pd.DataFrame.from_records(list(rows), columns=list(queries.STUDY_COLUMNS))
    own = "pmid:" + frame["pmid"].astype(str)
    frame["trial"] = pd.factorize(frame["trial_key"].where(frame["trial_key"].notna(), own))[0]
    frame = frame.drop(columns="trial_key")
    for col in ("condition", "route", "design", "direction"):
        frame[col] = frame[col].astype("category")
    return frame


def topic_frame(rows: Iterable[tuple[int, str]]) -> pd.DataFrame:
    """The rows of :func:`db.queries.topic_rows` as a DataFrame (``pmid``, ``topic``)."""
    frame = pd.DataFrame.from_records(list(rows), columns=["pmid", "topic"])
    frame["topic"] = frame["topic"].astype("category")
    return frame


@st.cache_data(show_spinner=False, max_entries=4)
def _studies(_engine, url: str, version: tuple) -> pd.DataFrame:
    return study_frame(queries.study_rows(_engine))


def studies(ctx: c.Ctx) -> pd.DataFrame:
    """:func:`study_frame` of the database, read once per data version (cached)."""
    return _studies(ctx.engine, ctx.url, ctx.version)


@st.cache_data(show_spinner=False, max_entries=4)
def _topics(_engine, url: str, version: tuple) -> pd.DataFrame:
    return topic_frame(queries.topic_rows(_engine))


@st.cache_data(show_spinner=False, max_entries=8)
def _index(_engine, url: str, version: tuple) -> dict[int, str]:
    return trials.trial_index(_engine)


def index(ctx: c.Ctx) -> dict[int, str]:
    """The stored trial keys, :func:`db.trials.trial_index` (cached per data version)."""
    return _index(ctx.engine, ctx.url, ctx.version)


def count_trials(rows: pd.DataFrame, by: Sequence[str] = ()) -> dict[tuple, TrialCount]:
    """Count ``rows`` as trials per group, as :func:`db.trials.summarise` does for each group's rows.

    Parameters
    ----------
    rows : DataFrame
        Columns ``pmid``, ``sample_size``, ``trial`` and those of ``by``; an
        article may repeat within a group, it counts once.
    by : sequence of str
        The columns to group by (empty: one group, the key ``()``).

    Returns
    -------
    dict
        ``{tuple of the group's values (str): TrialCount}`` for every group with a row.
    """
    if rows.empty:
        return {}
    keys = list(by) or ["_all"]
    d = rows[["pmid", "sample_size", "trial", *by]].drop_duplicates([*by, "pmid"])
    d = d.assign(_all=0, _n=d["sample_size"].where(d["sample_size"] > 0))
    per_trial = d.groupby([*keys, "trial"], observed=True, sort=False).agg(n=("_n", "max"), reports=("pmid", "size"))
    per_group = per_trial.groupby(level=keys, observed=True, sort=False).agg(
        trials=("reports", "size"), participants=("n", "sum"), reports=("reports", "sum"), with_n=("n", "count"))
    out: dict[tuple, TrialCount] = {}
    for key, r in zip(per_group.index, per_group.itertuples(index=False)):
        group = () if not by else (tuple(str(v) for v in key) if isinstance(key, tuple) else (str(key),))
        out[group] = TrialCount(int(r.trials), int(r.participants), int(r.reports), int(r.trials - r.with_n))
    return out


def count_by(
    studies: pd.DataFrame,
    by: str | tuple[str, ...],
    *,
    topics: Optional[pd.DataFrame] = None,
    conditions: Iterable[str] = (),
    designs: Iterable[str] = (),
    directions: Iterable[str] = (),
    design_groups: Optional[Mapping[str, str]] = None,
) -> dict:
    """Trials and participants per topic, per extracted condition, per design (group), per direction, or a combination.

    Parameters
    ----------
    studies : DataFrame
        :func:`study_frame`.
    by : str or tuple of str
        ``topic`` (harvest topics; needs ``topics``), ``condition`` (extracted
        conditions; ``unspecified`` for articles with none), ``design``
        (extracted design codes; articles not extracted yet under
        ``not_extracted``), ``direction`` (the extracted efficacy direction;
        ``not_extracted`` likewise) or ``all`` (one group, ``all``); a tuple
        of them groups on each (``("condition", "direction")``).
    topics : DataFrame, optional
        :func:`topic_frame`, for grouping by topic.
    conditions : iterable of str
        Only articles with one of these extracted conditions (empty: all);
        grouped by condition, such an article keeps its other conditions.
    designs : iterable of str
        Only articles of these extracted design codes (empty: all).
    directions : iterable of str
        Only articles of these extracted efficacy directions (empty: all).
    design_groups : mapping, optional
        Grouping on ``design``: design code -> group (e.g. the pyramid tiers),
        so a trial reported under two designs of one group counts once there;
        codes it does not name keep their own name.

    Returns
    -------
    dict
        ``{group: TrialCount}`` for every group with at least one article; the
        group is a str for a single grouping, a tuple of str for a tuple.

    Raises
    ------
    ValueError
        A grouping that is not one of :data:`GROUPINGS`, or ``topic`` without ``topics``.
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    unknown = [k for k in keys if k not in GROUPINGS]
    if unknown or not keys:
        raise ValueError(f"cannot group trials by {unknown[0] if unknown else by!r}: use one of {', '.join(GROUPINGS)}")
    if "topic" in keys and topics is None:
        raise ValueError("grouping by topic needs the topic rows (topic_frame)")
    rows = studies
    wanted = tuple(conditions)
    if wanted:
        rows = rows[rows["pmid"].isin(rows.loc[rows["condition"].isin(wanted), "pmid"])]
    if tuple(designs):
        rows = rows[rows["design"].isin(tuple(designs))]
    if tuple(directions):
        rows = rows[rows["direction"].isin(tuple(directions))]
    columns = {"pmid": rows["pmid"], "sample_size": rows["sample_size"], "trial": rows["trial"]}
    for k in keys:
        if k == "condition":
            columns[k] = rows["condition"]
        elif k in ("design", "direction"):
            values = rows[k].astype(object).where(rows[k].notna(), NOT_EXTRACTED)
            if k == "design" and design_groups:  # a code the mapping does not name keeps its own name
                values = values.map(lambda code: design_groups.get(code, code))
            columns[k] = values
        elif k == "all":
            columns[k] = "all"
    frame = pd.DataFrame(columns)
    if "topic" in keys:
        frame = frame.merge(topics, on="pmid")
    counts = count_trials(frame, keys)
    return {(g[0] if isinstance(by, str) else g): n for g, n in counts.items()}


@st.cache_data(show_spinner=False, max_entries=256)
def _by(_engine, url: str, version: tuple, by, conditions: tuple, designs: tuple, directions: tuple,
        groups: Optional[tuple]) -> dict:
    keys = (by,) if isinstance(by, str) else tuple(by)
    return count_by(_studies(_engine, url, version), by, topics=_topics(_engine, url, version) if "topic" in keys else None,
                    conditions=conditions, designs=designs, directions=directions,
                    design_groups=dict(groups) if groups is not None else None)


def by(ctx: c.Ctx, grouping: str | tuple[str, ...], conditions: Iterable[str] = (), designs: Iterable[str] = (),
       directions: Iterable[str] = (), tiers: bool = False) -> dict[str, TrialCount]:
    """:func:`count_by` of the database through the cache.

    Parameters
    ----------
    ctx : Ctx
        The page's database.
    grouping : str or tuple of str
        ``topic``, ``condition``, ``design``, ``direction`` or ``all``, or a tuple of them.
    conditions, designs, directions : iterable of str
        Restrict the selection (empty: no restriction).
    tiers : bool
        Grouping on ``design``: group the designs by pyramid tier code.

    Returns
    -------
    dict
        ``{group: TrialCount}`` (group a tuple when ``grouping`` is).
    """
    # articles not extracted yet keep their own group: the pyramid leaves them out of every tier
    groups = tuple(sorted((d, t["code"]) for t in c.labels()["tiers"] for d in t["designs"]
                          if d != NOT_EXTRACTED)) if tiers else None
    return _by(ctx.engine, ctx.url, ctx.version, grouping, tuple(sorted(conditions)), tuple(sorted(designs)),
               tuple(sorted(directions)), groups)


@st.cache_data(show_spinner=False, max_entries=128)
def _map(_engine, url: str, version: tuple, f: emap.MapFilter, groups: Optional[tuple]) -> emap.EvidenceMap:
    return emap.evidence_map(_engine, f, design_groups=dict(groups) if groups is not None else None,
                             index=_index(_engine, url, version))


def evidence_map(ctx: c.Ctx, f: emap.MapFilter, by_tier: bool = False) -> emap.EvidenceMap:
    """:func:`db.evidence_map.evidence_map` through the cache, split by pyramid tier when ``by_tier``."""
    groups = tuple(sorted((d, t["code"]) for t in c.labels()["tiers"] for d in t["designs"])) if by_tier else None
    return _map(ctx.engine, ctx.url, ctx.version, f, groups)


@st.cache_data(show_spinner=False, max_entries=16)
def _last_harvest(_engine, url: str, version: tuple) -> Optional[news.Harvest]:
    return news.last_harvest(_engine)


def last_harvest(ctx: c.Ctx) -> Optional[news.Harvest]:
    """:func:`db.news.last_harvest`: the last update/harvest job that finished (cached)."""
    return _last_harvest(ctx.engine, ctx.url, ctx.version)


@st.cache_data(show_spinner=False, max_entries=16)
def _changes(_engine, url: str, version: tuple, limit: int) -> Optional[news.Changes]:
    return news.changes_since_last_harvest(_engine, limit=limit)


def changes_since_last_harvest(ctx: c.Ctx, limit: int = 200) -> Optional[news.Changes]:
    """New, revised and newly retracted articles since the last finished harvest (cached; None before any)."""
    return _changes(ctx.engine, ctx.url, ctx.version, limit)
