"""Reports of the same trial, counted once: "k trials, n participants".

A trial is often published several times: the main report, secondary and
post-hoc analyses, long-term follow-ups, a pooled analysis. Counting articles
then counts one trial many times and adds its participants again with every
report. This module groups articles into trials:

* articles naming the same trial registry identifier (ClinicalTrials.gov NCT,
  ISRCTN, EudraCT, ChiCTR, IRCT, ANZCTR, CTRI, DRKS, UMIN, jRCT, ...: the
  formats are data, ``db/registries.json``) in the abstract or the stored
  ClinicalTrials.gov accessions (``Article.nct_ids``, which the
  harvester fills from PubMed's ``DataBankList`` too) belong to one trial;
* a secondary / post-hoc / exploratory analysis that names its parent study
  ("a secondary analysis of the ELEKT-D randomized clinical trial") joins the
  reports naming that study in their title or as "ELEKT-D trial" /
  "(ELEKT-D)";
* the links are transitive (an article naming both an NCT and a EudraCT
  number joins the reports of either), so a pooled analysis that names two
  registrations counts them as one trial: the count errs towards fewer
  trials, never towards counting participants twice;
* an article with no such link is a trial of its own.

The participants of a trial are the largest sample size among its reports in
the selection (a follow-up or subgroup analysis reports fewer, never more,
participants than the trial randomised). Reviews' pooled participants are not
counted: they are other trials' participants.

Everything reads through SQLAlchemy Core and works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional

from sqlalchemy import String, cast, exists, false, func, literal, or_, select
from sqlalchemy.engine import Connection, Engine

from .models import Article, ArticleTopic, Extraction, ExtractionCondition, storable_pmids

REGISTRIES_PATH = Path(__file__).with_name("registries.json")
#: PMIDs per ``IN (...)`` list (SQLite's default limit of bound parameters is 999)
_IN_CHUNK = 900
#: a study name from a secondary-analysis sentence needs this many capital letters ("ELEKT-D", not "Phase 2")
_NAME_MIN_CAPITALS = 2


@dataclass(frozen=True)
class Registry:
    """One trial registry's identifier format.

    Attributes
    ----------
    name : str
        The registry as people call it ("ClinicalTrials.gov").
    pattern : re.Pattern
        Finds an identifier; group ``id`` is its distinctive part.
    canonical : str
        Format string over ``id`` giving the grouping key ("NCT{id}").
    markers : tuple of str
        Literal strings one of which every match contains (SQL pre-selection).
    """

    name: str
    pattern: re.Pattern
    canonical: str
    markers: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """The registries and the secondary-analysis rule of ``db/registries.json``."""

    registries: tuple[Registry, ...]
    secondary: re.Pattern
    secondary_markers: tuple[str, ...]
    sql_markers: tuple[str, ...]


@dataclass(frozen=True)
class TrialCount:
    """A selection of articles counted as trials.

    Attributes
    ----------
    trials : int
        Distinct trials (each group of reports once; an unlinked article is one trial).
    participants : int
        Sum over trials of the largest stated sample size among their reports.
    reports : int
        Articles in the selection.
    trials_without_n : int
        Trials none of whose reports states a sample size (they add 0 participants).
    """

    trials: int
    participants: int
    reports: int
    trials_without_n: int

    def label(self) -> str:
        """``"12 trials, 1,340 participants"`` (singular for one)."""
        t = "trial" if self.trials == 1 else "trials"
        p = "participant" if self.participants == 1 else "participants"
        return f"{self.trials:,} {t}, {self.participants:,} {p}"


@lru_cache(maxsize=1)
def rules(path: Path = REGISTRIES_PATH) -> Rules:
    """The identifier formats and the secondary-analysis rule (read once).

    Parameters
    ----------
    path : Path
        The rules file (default ``db/registries.json``).

    Returns
    -------
    Rules
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    registries = tuple(
        Registry(r["name"], re.compile(r["pattern"]), r["canonical"], tuple(r["markers"])) for r in data["registries"]
    )
    sec = data["secondary_analysis"]
    return Rules(registries, re.compile(sec["pattern"]), tuple(sec["markers"]), tuple(data["sql_markers"]))


def registry_ids(text: str) -> list[str]:
    """Every trial registry identifier written in ``text``, canonical, in order of appearance.

    Parameters
    ----------
    text : str
        A title, an abstract or an accession number.

    Returns
    -------
    list of str
        Canonical identifiers ("NCT01234567", "EUDRACT2013-000952-17"), each once.

    Examples
    --------
    >>> registry_ids("Registered at ClinicalTrials.gov (NCT 01234567) and EudraCT number 2013-000952-17.")
    ['NCT01234567', 'EUDRACT2013-000952-17']
    """
    found: list[tuple[int, str]] = []
    for reg in rules().registries:
        if not any(marker in text for marker in reg.markers):
            continue
        for m in reg.pattern.finditer(text):
            ident = m.groupdict().get("id") or m.group(0)
            found.append((m.start(), reg.canonical.format(id=ident).upper().replace(" ", "")))
    return list(dict.fromkeys(key for _, key in sorted(found)))


def parent_study_names(text: str) -> list[str]:
    """Names of the studies that ``text`` says it is a secondary analysis of.

    Parameters
    ----------
    text : str
        Title and abstract.

    Returns
    -------
    list of str
        Study names with at least two capital letters ("ELEKT-D"), each once.
    """
    names = []
    for m in rules().secondary.finditer(text):
        name = m.group("name").strip()
        if sum(ch.isupper() for ch in name) >= _NAME_MIN_CAPITALS:
            names.append(name)
    return list(dict.fromkeys(names))


def names_study(text: str, name: str) -> bool:
    """Whether ``text`` names the study ``name`` as a study: "<name> trial", "<name> study" or "(<name>)".

    Parameters
    ----------
    text : str
        An abstract.
    name : str
        A study name from :func:`parent_study_names`.

    Returns
    -------
    bool
    """
    n = re.escape(name)
    return re.search(rf"(?<![\w-]){n}(?:\s+(?:randomi[sz]ed\s+)?(?:controlled\s+|clinical\s+)?(?:trial|study)\b|\))|\({n}\)", text) is not None


def _title_names(title: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", title) is not None


# --------------------------------------------------------------------------- grouping


class _Links:
    """Union-find over identifiers ("NCT...", "name:ELEKT-D") and PMIDs ("pmid:1")."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller key wins, so a group's key does not depend on the order of reading
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def _contains(dialect: str, column, marker: str):
    """Case-sensitive "column contains marker" (SQLite's LIKE ignores case)."""
    if dialect == "postgresql":
        return func.strpos(column, marker) > 0
    return func.instr(column, marker) > 0


def _contains_folded(dialect: str, column, marker: str):
    """Case-insensitive "column contains marker" (``marker`` lower-case ASCII, without ``%``/``_``)."""
    pattern = f"%{marker}%"
    # SQLite's LIKE ignores ASCII case natively; lower() on every row would cost a copy of the text
    return column.ilike(pattern) if dialect == "postgresql" else column.like(pattern)


def _connect(target: Engine | Connection):
    """A connection of ``target`` as a context manager; a caller's connection is left open."""
    return target.connect() if isinstance(target, Engine) else nullcontext(target)


def trial_index(target: Engine | Connection) -> dict[int, str]:
    """The trial of every article that shares a trial with another or names a registration.

    Parameters
    ----------
    target : Engine or Connection
        The database.

    Returns
    -------
    dict
        ``{pmid: trial key}`` for (non-deleted) articles with a registry
        identifier or a named parent study; the key is the group's smallest
        identifier ("NCT01234567"). Articles missing from the dict are trials of
        their own (:func:`trial_key`).
    """
    r = rules()
    a = Article.__table__
    with _connect(target) as conn:
        dialect = conn.dialect.name
        # registrations are written in the abstract (or stored as accessions), not in titles: one scan
        # of the abstracts per SQL marker; secondary analyses are named in titles too
        registry_hit = or_(
            *[_contains(dialect, a.c.abstract, m) for m in r.sql_markers],
            _contains(dialect, cast(a.c.nct_ids, String), "NCT"),
        )
        secondary_hit = or_(*[_contains_folded(dialect, col, m) for m in r.secondary_markers for col in (a.c.title, a.c.abstract)])
        stmt = select(a.c.pmid, a.c.title, a.c.abstract, a.c.nct_ids).where(
            a.c.is_deleted == false(), or_(registry_hit, secondary_hit)
        )
        links = _Links()
        names: set[str] = set()
        for pmid, title, abstract, nct_ids in conn.execute(stmt):
            node = f"pmid:{pmid}"
            text = f"{title or ''}\n{abstract or ''}"
            for ident in registry_ids(text) + registry_ids(" ".join(nct_ids or [])):
                links.union(node, ident)
            for name in parent_study_names(text):
                names.add(name)
                links.union(node, f"name:{name}")
        for name in sorted(names):
            _link_name(conn, dialect, links, name)
    index: dict[int, str] = {}
    groups: dict[str, list[int]] = {}
    for node in list(links.parent):
        if node.startswith("pmid:"):
            groups.setdefault(links.find(node), []).append(int(node[5:]))
    for root, pmids in groups.items():
        if root.startswith("pmid:") and len(pmids) == 1:
            continue  # linked to nothing: its own trial
        key = root if not root.startswith("pmid:") else f"pmid:{min(pmids)}"
        for p in pmids:
            index[p] = key
    return index


def _link_name(conn: Connection, dialect: str, links: _Links, name: str) -> None:
    """Join the reports that name the study ``name`` (title word, "<name> trial", "(<name>)")."""
    a = Article.__table__
    stmt = select(a.c.pmid, a.c.title, a.c.abstract).where(
        a.c.is_deleted == false(), or_(_contains(dialect, a.c.title, name), _contains(dialect, a.c.abstract, name))
    )
    for pmid, title, abstract in conn.execute(stmt):
        if _title_names(title or "", name) or names_study(abstract or "", name):
            links.union(f"pmid:{pmid}", f"name:{name}")


def trial_key(index: Mapping[int, str], pmid: int) -> str:
    """The trial an article belongs to: its group's key, or ``pmid:<pmid>`` when it stands alone."""
    return index.get(pmid) or f"pmid:{pmid}"


def summarise(rows: Iterable[tuple[int, Optional[int]]], index: Mapping[int, str]) -> TrialCount:
    """Count ``(pmid, sample_size)`` rows as trials.

    Parameters
    ----------
    rows : iterable of (int, int or None)
        The selection: each article once, with its extracted sample size.
    index : mapping
        :func:`trial_index` of the database.

    Returns
    -------
    TrialCount
    """
    largest: dict[str, Optional[int]] = {}
    reports = 0
    seen: set[int] = set()
    for pmid, n in rows:
        if pmid in seen:
            continue
        seen.add(pmid)
        reports += 1
        key = trial_key(index, pmid)
        if n is not None and n > 0:
            largest[key] = max(n, largest.get(key) or 0)
        else:
            largest.setdefault(key, None)
    return TrialCount(
        trials=len(largest),
        participants=sum(n or 0 for n in largest.values()),
        reports=reports,
        trials_without_n=sum(1 for n in largest.values() if n is None),
    )


def count_trials(target: Engine | Connection, pmids: Iterable[int], index: Optional[Mapping[int, str]] = None) -> TrialCount:
    """``k`` trials and ``n`` participants of a selection of articles, each trial counted once.

    Parameters
    ----------
    target : Engine or Connection
        The database.
    pmids : iterable of int
        The selection (unknown and deleted PMIDs are left out).
    index : mapping, optional
        A :func:`trial_index` already read (the dashboard caches it); read when None.

    Returns
    -------
    TrialCount
    """
    wanted = storable_pmids(pmids)
    a, e = Article.__table__, Extraction.__table__
    rows: list[tuple[int, Optional[int]]] = []
    with _connect(target) as conn:
        if index is None:
            index = trial_index(conn)
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            stmt = (
                select(a.c.pmid, e.c.sample_size)
                .select_from(a.outerjoin(e, e.c.pmid == a.c.pmid))
                .where(a.c.pmid.in_(chunk), a.c.is_deleted == false())
            )
            rows += [(int(p), n) for p, n in conn.execute(stmt)]
    return summarise(rows, index)


#: the condition group of articles without an extracted condition
UNSPECIFIED = "unspecified"
#: what :func:`trials_by` can group on
GROUPINGS = ("topic", "condition", "design", "direction", "all")


def trials_by(
    target: Engine | Connection,
    by: str | tuple[str, ...],
    *,
    conditions: Iterable[str] = (),
    designs: Iterable[str] = (),
    directions: Iterable[str] = (),
    design_groups: Optional[Mapping[str, str]] = None,
    index: Optional[Mapping[int, str]] = None,
) -> dict:
    """Trials and participants per topic, per extracted condition, per design (group), per direction, or a combination.

    Parameters
    ----------
    target : Engine or Connection
        The database.
    by : str or tuple of str
        ``topic`` (harvest topics), ``condition`` (extracted conditions;
        :data:`UNSPECIFIED` for articles with none),
        ``design`` (extracted design codes; articles not extracted yet under
        ``not_extracted``), ``direction`` (the extracted efficacy direction;
        ``not_extracted`` likewise) or ``all`` (one group, ``all``); a tuple
        of them groups on each (``("condition", "direction")``).
    conditions : iterable of str
        Only articles with one of these extracted conditions (empty: all).
    designs : iterable of str
        Only articles of these extracted design codes (empty: all).
    directions : iterable of str
        Only articles of these extracted efficacy directions (empty: all).
    design_groups : mapping, optional
        Grouping on ``design``: design code -> group (e.g. the pyramid tiers),
        so a trial reported under two designs of one group counts once there;
        codes it does not name keep their own name.
    index : mapping, optional
        A :func:`trial_index` already read; read when None.

    Returns
    -------
    dict
        ``{group: TrialCount}`` for every group with at least one (non-deleted)
        article; the group is a str for a single grouping, a tuple of str for a tuple.

    Raises
    ------
    ValueError
        A grouping that is not one of :data:`GROUPINGS`.
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    unknown = [k for k in keys if k not in GROUPINGS]
    if unknown or not keys:
        raise ValueError(f"cannot group trials by {unknown[0] if unknown else by!r}: use one of {', '.join(GROUPINGS)}")
    a, e = Article.__table__, Extraction.__table__
    t, ec = ArticleTopic.__table__, ExtractionCondition.__table__
    joined = a.outerjoin(e, e.c.pmid == a.c.pmid)
    columns = []
    for k in keys:
        if k == "topic":
            columns.append(t.c.topic)
            joined = joined.join(t, t.c.pmid == a.c.pmid)
        elif k == "condition":
            columns.append(func.coalesce(ec.c.condition, UNSPECIFIED))
            joined = joined.outerjoin(ec, ec.c.pmid == a.c.pmid)
        elif k == "design":
            columns.append(func.coalesce(e.c.design, "not_extracted"))
        elif k == "direction":
            columns.append(func.coalesce(e.c.efficacy_direction, "not_extracted"))
        else:
            columns.append(literal("all"))
    stmt = select(a.c.pmid, e.c.sample_size, *columns).select_from(joined).where(a.c.is_deleted == false())
    wanted = tuple(conditions)
    if wanted:
        has = ec.alias("has_condition")  # its own name: grouping by condition joins extraction_condition already
        stmt = stmt.where(exists().where(has.c.pmid == a.c.pmid, has.c.condition.in_(wanted)))
    if tuple(designs):
        stmt = stmt.where(e.c.design.in_(tuple(designs)))
    if tuple(directions):
        stmt = stmt.where(e.c.efficacy_direction.in_(tuple(directions)))
    design_at = keys.index("design") if "design" in keys and design_groups is not None else None
    rows: dict = {}
    with _connect(target) as conn:
        if index is None:
            index = trial_index(conn)
        for pmid, n, *values in conn.execute(stmt):
            group = [str(v) for v in values]
            if design_at is not None:
                group[design_at] = design_groups.get(group[design_at], group[design_at])
            rows.setdefault(group[0] if isinstance(by, str) else tuple(group), []).append((int(pmid), n))
    return {group: summarise(r, index) for group, r in rows.items()}
