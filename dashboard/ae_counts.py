"""The Adverse events page's counts, made in memory from tables read once per data version.

Every filter of the page (condition, organ class, route, ketamine form,
design, year) used to ask SQL again for each count: events per condition,
events per route, studies per route, and trials three ways. At 50,000
articles that was seven scans of the adverse-event rows per filter change
(about 1.1 s). Now the page reads every adverse-event report
(:func:`db.queries.adverse_event_reports`), every stated frequency and every
study's routes, sample size and trial (:func:`dashboard.trial_counts.studies`)
once per data version. A filter change selects the studies in SQL
(:func:`db.queries.matching_pmids`, the explorer's own filter, so the page and
its "list studies" links agree) and counts the selection here with pandas.

"k trials, n participants" is :func:`dashboard.trial_counts.count_trials`:
within a group, the reports of one trial count once, with the largest stated
sample size among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard import trial_counts
from db import queries
from db.trials import TrialCount

#: the adverse-event statuses the page counts: a report of the event, a report of its absence
OCCURRED, NOT_OCCURRED = queries.OCCURRED, queries.NOT_OCCURRED
#: the columns of :func:`event_counts`
EVENT_COLUMNS = ["condition", "organ_class", "term", "present", "absent"]
#: the columns of :func:`route_counts`
ROUTE_COLUMNS = ["route", "organ_class", "term", "studies", "route_studies"]
#: the columns of :func:`db.queries.adverse_event_frequencies`
FREQUENCY_COLUMNS = ["pmid", "term", "organ_class", "frequency", "frequency_pct", "sample_size", "design", "pub_year"]


@dataclass(frozen=True)
class Tables:
    """The page's tables.

    Attributes
    ----------
    events : DataFrame
        One row per article, condition, event and status (``occurred`` or
        ``not_occurred``), with the article's ``sample_size`` and ``trial``.
    studies : DataFrame
        :func:`dashboard.trial_counts.study_frame`: every article once per
        condition and route, with ``sample_size`` and ``trial``.
    frequencies : DataFrame
        The event mentions stating a frequency (:func:`db.queries.adverse_event_frequencies`), with ``trial``.
    """

    events: pd.DataFrame
    studies: pd.DataFrame
    frequencies: pd.DataFrame


def tables(reports: Iterable[tuple], studies: pd.DataFrame, frequencies: Iterable[dict] = ()) -> Tables:
    """Build :class:`Tables` from the rows of :func:`db.queries.adverse_event_reports` and
    :func:`db.queries.adverse_event_frequencies`, and :func:`dashboard.trial_counts.study_frame`."""
    facts = studies.drop_duplicates("pmid")
    ev = pd.DataFrame.from_records(list(reports), columns=list(queries.AE_REPORT_COLUMNS))
    ev = ev.merge(facts[["pmid", "sample_size", "trial"]], on="pmid", how="left")
    for col in ("condition", "organ_class", "term", "status"):
        ev[col] = ev[col].astype("category")
    freq = pd.DataFrame(list(frequencies), columns=FREQUENCY_COLUMNS).merge(facts[["pmid", "trial"]], on="pmid", how="left")
    return Tables(events=ev, studies=studies, frequencies=freq)


@st.cache_data(show_spinner=False, max_entries=4)
def _load(_engine, _studies: pd.DataFrame, url: str, version: tuple) -> Tables:
    # the study frame is the one of (url, version): unhashed, as the engine
    return tables(queries.adverse_event_reports(_engine), _studies, queries.adverse_event_frequencies(_engine, limit=None))


def load(ctx: c.Ctx) -> Tables:
    """The page's tables, read once per data version (cached)."""
    return _load(ctx.engine, trial_counts.studies(ctx), ctx.url, ctx.version)


def selected(frame: pd.DataFrame, pmids: Optional[Sequence[int]]) -> pd.DataFrame:
    """The rows of ``frame`` whose ``pmid`` is one of ``pmids`` (the studies a filter selected; None: all)."""
    return frame if pmids is None else frame[frame["pmid"].isin(pmids)]


def frequencies(t: Tables, pmids: Optional[Sequence[int]], organ_classes: Sequence[str] = ()) -> pd.DataFrame:
    """The selected studies' event mentions that state a frequency (of events of ``organ_classes``; empty: all),
    by event, then the largest frequency first."""
    freq = selected(t.frequencies, pmids)
    if organ_classes:
        freq = freq[freq["organ_class"].isin(organ_classes)]
    return freq


def _events(t: Tables, pmids: Optional[Sequence[int]], conditions: Sequence[str], organ_classes: Sequence[str]) -> pd.DataFrame:
    ev = selected(t.events, pmids)
    if conditions:  # only the chosen conditions' rows: an article's other conditions are not shown
        ev = ev[ev["condition"].isin(conditions)]
    if organ_classes:
        ev = ev[ev["organ_class"].isin(organ_classes)]
    return ev


def event_counts(t: Tables, pmids: Optional[Sequence[int]], conditions: Sequence[str] = (),
                 organ_classes: Sequence[str] = ()) -> pd.DataFrame:
    """Per condition and event: the studies reporting it occurred (``present``) and did not occur (``absent``).

    Parameters
    ----------
    t : Tables
        :func:`load`.
    pmids : sequence of int, optional
        The selected studies (None: every study).
    conditions, organ_classes : sequence of str
        Only rows of these conditions / events of these organ classes (empty: all).

    Returns
    -------
    DataFrame
        :data:`EVENT_COLUMNS`, one row per condition and event with a report, ordered by them.
    """
    ev = _events(t, pmids, conditions, organ_classes)
    if ev.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    keys = ["condition", "organ_class", "term"]
    per_status = ev.groupby([*keys, "status"], observed=True)["pmid"].nunique().unstack("status", fill_value=0)
    out = pd.DataFrame({
        "present": per_status[OCCURRED] if OCCURRED in per_status else 0,
        "absent": per_status[NOT_OCCURRED] if NOT_OCCURRED in per_status else 0,
    }).astype(int).reset_index()
    for col in keys:
        out[col] = out[col].astype(str)
    return out.sort_values(keys, ignore_index=True)[EVENT_COLUMNS]


def event_trials(t: Tables, pmids: Optional[Sequence[int]], groupings: Sequence[Sequence[str]],
                 conditions: Sequence[str] = (), organ_classes: Sequence[str] = ()) -> list[dict[tuple, TrialCount]]:
    """Trials reporting an event as occurring, per grouping.

    Parameters
    ----------
    t : Tables
        :func:`load`.
    pmids : sequence of int, optional
        The selected studies (None: every study).
    groupings : sequence of sequence of str
        Each a grouping: any of ``condition``, ``term`` (empty: one group, ``()``).
    conditions, organ_classes : sequence of str
        Only rows of these conditions / events of these organ classes (empty: all).

    Returns
    -------
    list of dict
        For each grouping, ``{tuple of the group's values: TrialCount}``.
    """
    ev = _events(t, pmids, conditions, organ_classes)
    occurred = ev[ev["status"] == OCCURRED]
    return [trial_counts.count_trials(occurred, by) for by in groupings]


def route_counts(t: Tables, pmids: Optional[Sequence[int]], routes: Sequence[str] = (),
                 organ_classes: Sequence[str] = ()) -> pd.DataFrame:
    """Per route and event: the studies reporting the event as occurring, and the studies of the route.

    A study with several routes counts under each (with ``routes``, only under
    the chosen ones); one without a route under ``unspecified``.
    ``route_studies`` counts the route's studies in the selection whether or
    not they report an event, so ``studies / route_studies`` compares routes
    whose literatures differ in size.

    Returns
    -------
    DataFrame
        :data:`ROUTE_COLUMNS`, by route then event.
    """
    ev = _events(t, pmids, (), organ_classes)
    ev = ev[ev["status"] == OCCURRED][["pmid", "organ_class", "term"]].drop_duplicates()
    of_route = selected(t.studies, pmids)[["pmid", "route"]].drop_duplicates()
    if routes:
        of_route = of_route[of_route["route"].isin(routes)]
    joined = ev.merge(of_route, on="pmid")
    if joined.empty:
        return pd.DataFrame(columns=ROUTE_COLUMNS)
    out = joined.groupby(["route", "organ_class", "term"], observed=True)["pmid"].nunique().rename("studies").reset_index()
    per_route = of_route.groupby("route", observed=True)["pmid"].nunique()
    out["route_studies"] = out["route"].map(per_route).astype(int)
    for col in ("route", "organ_class", "term"):
        out[col] = out[col].astype(str)
    return out.sort_values(["route", "organ_class", "term"], ignore_index=True)[ROUTE_COLUMNS]


def route_trials(t: Tables, pmids: Optional[Sequence[int]]) -> dict[tuple, TrialCount]:
    """Trials and participants of the selected studies per route: ``{(route,): TrialCount}``."""
    return trial_counts.count_trials(selected(t.studies, pmids), ("route",))
