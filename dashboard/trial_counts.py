"""Cached "k trials, n participants" reads of :mod:`db.trials`, :mod:`db.evidence_map`
and :mod:`db.news` for the dashboard pages.

Like :meth:`dashboard.common.Ctx.q`, every entry is keyed on the database URL,
the arguments and the database's data version, so a new harvest or extraction
invalidates it; the engine itself is passed unhashed (leading underscore).
"""

from __future__ import annotations

from typing import Iterable, Optional

import streamlit as st

from dashboard import common as c
from db import evidence_map as emap
from db import news, trials


@st.cache_data(show_spinner=False, max_entries=8)
def _index(_engine, url: str, version: tuple) -> dict[int, str]:
    return trials.trial_index(_engine)


def index(ctx: c.Ctx) -> dict[int, str]:
    """The database's :func:`db.trials.trial_index` (cached per data version)."""
    return _index(ctx.engine, ctx.url, ctx.version)


@st.cache_data(show_spinner=False, max_entries=256)
def _by(_engine, url: str, version: tuple, by: str, conditions: tuple, designs: tuple, directions: tuple,
        groups: Optional[tuple]) -> dict:
    return trials.trials_by(_engine, by, conditions=conditions, designs=designs, directions=directions,
                            design_groups=dict(groups) if groups is not None else None,
                            index=_index(_engine, url, version))


def by(ctx: c.Ctx, grouping: str | tuple[str, ...], conditions: Iterable[str] = (), designs: Iterable[str] = (),
       directions: Iterable[str] = (), tiers: bool = False) -> dict[str, trials.TrialCount]:
    """:func:`db.trials.trials_by` through the cache.

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
                          if d != c.queries.NOT_EXTRACTED)) if tiers else None
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
