"""The evidence-gap map: condition × route (× design group), trials and participants per cell.

Each cell counts the extracted, non-deleted articles with that condition and
route as trials (:mod:`db.trials`: reports of one trial once, participants the
largest report). An article with several conditions or routes is in several
cells, so cells do not add up to the totals (which are counted on their own,
each trial once). Articles with no extracted condition or route fall in the
``unspecified`` row or column: they are evidence too, only not placed.

Every condition and route that occurs in the database gets its cells even when
the filters leave them empty: an empty cell is the gap the map is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from sqlalchemy import String, cast, false, or_, select
from sqlalchemy.engine import Connection, Engine

from .engine import connection
from .models import Article, Extraction, ExtractionCondition, ExtractionRoute
from .trials import TrialCount, summarise, trial_index

#: row / column of articles without an extracted condition or route
UNSPECIFIED = "unspecified"
#: design group of designs the caller's grouping does not name
OTHER_GROUP = "other"


@dataclass(frozen=True)
class MapFilter:
    """What the gap map counts.

    Attributes
    ----------
    designs : tuple of str
        Only these design codes (empty: every design).
    forms : tuple of str
        Only articles naming one of these ketamine forms (``racemic``, ``esketamine``, ``arketamine``).
    year_min, year_max : int or None
        Publication years, inclusive.
    include_retracted : bool
        Count retracted articles (default: no, a retracted trial is no evidence).
    """

    designs: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    year_min: Optional[int] = None
    year_max: Optional[int] = None
    include_retracted: bool = False


@dataclass(frozen=True)
class Cell:
    """One cell of the map.

    Attributes
    ----------
    condition, route : str
        Extracted codes, or :data:`UNSPECIFIED`.
    design_group : str or None
        The design group (None when the map is not split by design).
    count : TrialCount
        Trials, participants, reports and trials of unknown size in the cell.
    """

    condition: str
    route: str
    design_group: Optional[str]
    count: TrialCount


@dataclass(frozen=True)
class EvidenceMap:
    """The cells and the totals of a gap map.

    Attributes
    ----------
    cells : list of Cell
        Every condition × route (× design group), empty ones included, in
        condition, route, group order.
    conditions, routes : list of str
        Rows and columns, most trials first, :data:`UNSPECIFIED` last.
    design_groups : list of str
        The groups used (empty when not split by design).
    total : TrialCount
        The whole selection, each trial once.
    """

    cells: list[Cell]
    conditions: list[str]
    routes: list[str]
    design_groups: list[str]
    total: TrialCount



def _where(f: MapFilter) -> list:
    a, e = Article.__table__, Extraction.__table__
    clauses = [a.c.is_deleted == false()]
    if f.designs:
        clauses.append(e.c.design.in_(tuple(f.designs)))
    if f.forms:
        as_text = cast(e.c.ketamine_forms, String)
        clauses.append(or_(*[as_text.contains(f'"{form}"', autoescape=True) for form in f.forms]))
    if f.year_min is not None:
        clauses.append(a.c.pub_year >= f.year_min)
    if f.year_max is not None:
        clauses.append(a.c.pub_year <= f.year_max)
    if not f.include_retracted:
        clauses.append(a.c.is_retracted == false())
    return clauses


def _order(keys: set[str], weight: Mapping[str, int]) -> list[str]:
    return sorted(keys, key=lambda k: (k == UNSPECIFIED, -weight.get(k, 0), k))


def evidence_map(
    target: Engine | Connection,
    f: MapFilter = MapFilter(),
    design_groups: Optional[Mapping[str, str]] = None,
    index: Optional[Mapping[int, str]] = None,
) -> EvidenceMap:
    """Trials and participants per condition × route (× design group).

    Parameters
    ----------
    target : Engine or Connection
        The database.
    f : MapFilter
        Which articles count.
    design_groups : mapping, optional
        Design code -> group name (e.g. the dashboard's pyramid tiers); codes
        it does not name fall in :data:`OTHER_GROUP`. None: no design split.
    index : mapping, optional
        :func:`db.trials.trial_index` already read; read when None.

    Returns
    -------
    EvidenceMap
    """
    a, e = Article.__table__, Extraction.__table__
    ec, er = ExtractionCondition.__table__, ExtractionRoute.__table__
    with connection(target) as conn:
        if index is None:
            index = trial_index(conn)
        all_conditions = set(conn.execute(select(ec.c.condition).distinct()).scalars())
        all_routes = set(conn.execute(select(er.c.route).distinct()).scalars())
        base = select(a.c.pmid, e.c.design, e.c.sample_size).select_from(a.join(e, e.c.pmid == a.c.pmid)).where(*_where(f))
        articles = {int(p): (d, n) for p, d, n in conn.execute(base)}
        conds: dict[int, list[str]] = {}
        routes: dict[int, list[str]] = {}
        picked = base.with_only_columns(a.c.pmid)
        for pmid, cond in conn.execute(select(ec.c.pmid, ec.c.condition).where(ec.c.pmid.in_(picked))):
            conds.setdefault(int(pmid), []).append(cond)
        for pmid, route in conn.execute(select(er.c.pmid, er.c.route).where(er.c.pmid.in_(picked))):
            routes.setdefault(int(pmid), []).append(route)

    def group_of(design: Optional[str]) -> Optional[str]:
        if design_groups is None:
            return None
        return design_groups.get(design or "", OTHER_GROUP)

    rows: dict[tuple[str, str, Optional[str]], list[tuple[int, Optional[int]]]] = {}
    for pmid, (design, n) in articles.items():
        for cond in conds.get(pmid) or [UNSPECIFIED]:
            for route in routes.get(pmid) or [UNSPECIFIED]:
                rows.setdefault((cond, route, group_of(design)), []).append((pmid, n))
    counts = {key: summarise(r, index) for key, r in rows.items()}

    cond_keys = all_conditions | {k[0] for k in counts}
    route_keys = all_routes | {k[1] for k in counts}
    cond_weight: dict[str, int] = {}
    route_weight: dict[str, int] = {}
    for (cond, route, _), cnt in counts.items():
        cond_weight[cond] = cond_weight.get(cond, 0) + cnt.trials
        route_weight[route] = route_weight.get(route, 0) + cnt.trials
    if design_groups is None:
        groups: list[Optional[str]] = [None]
    else:
        groups = list(dict.fromkeys([*design_groups.values(), *(k[2] for k in counts)]))
    cond_list, route_list = _order(cond_keys, cond_weight), _order(route_keys, route_weight)
    empty = TrialCount(0, 0, 0, 0)
    cells = [
        Cell(cond, route, g, counts.get((cond, route, g), empty))
        for cond in cond_list for route in route_list for g in groups
    ]
    total = summarise(((p, n) for p, (_, n) in articles.items()), index)
    return EvidenceMap(
        cells=cells, conditions=cond_list, routes=route_list,
        design_groups=[g for g in groups if g is not None], total=total,
    )
