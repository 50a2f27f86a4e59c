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

Grouping reads every abstract that names a registration or a study, which
costs about 0.9 s at 50,000 articles. So the jobs that write articles store
each linked article's trial key (:func:`store_trial_keys`, table
``article_trial``), and counts read the stored keys (:func:`trial_index`;
the dashboard's :mod:`dashboard.trial_counts` counts in memory).

Everything reads through SQLAlchemy Core and works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional

from sqlalchemy import String, cast, delete, false, func, insert, or_, select
from sqlalchemy.engine import Connection, Engine

from .engine import connection, transaction
from .models import Article, ArticleTrial, Extraction, storable_pmids, utcnow

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



def link_reports(target: Engine | Connection) -> dict[int, str]:
    """Group the articles into trials from their text: what :func:`store_trial_keys` stores.

    Reads the title, abstract and stored accessions of every article that
    names a registration or a parent study (about 0.9 s at 50,000 articles on
    SQLite), so the dashboard never calls it: it reads the stored keys
    (:func:`trial_index`).

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
    with connection(target) as conn:
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


@dataclass(frozen=True)
class KeyChanges:
    """What :func:`store_trial_keys` changed in ``article_trial``.

    Attributes
    ----------
    linked : int
        Articles with a stored trial key afterwards.
    added, changed, removed : int
        Rows written for newly linked articles, rows whose trial changed, rows
        of articles no longer linked (or deleted).
    """

    linked: int
    added: int
    changed: int
    removed: int


def store_trial_keys(target: Engine | Connection) -> KeyChanges:
    """Group the articles into trials (:func:`link_reports`) and store each linked article's trial key.

    Called after every job that writes articles (harvest, ingest, update,
    :func:`db.maintenance.group_trials`), so the dashboard reads the grouping
    instead of working it out again. Only the differences are
    written; a row of an article no longer linked is deleted. On an
    :class:`~sqlalchemy.engine.Engine` it runs in its own transaction; on a
    :class:`~sqlalchemy.engine.Connection`, in the caller's.

    Parameters
    ----------
    target : Engine or Connection
        A writable database.

    Returns
    -------
    KeyChanges
    """
    t = ArticleTrial.__table__
    with transaction(target) as conn:
        wanted = link_reports(conn)
        stored = {int(p): k for p, k in conn.execute(select(t.c.pmid, t.c.trial_key))}
        stale = [p for p, k in stored.items() if wanted.get(p) != k]
        fresh = [{"pmid": p, "trial_key": k, "updated": utcnow()} for p, k in wanted.items() if stored.get(p) != k]
        for i in range(0, len(stale), _IN_CHUNK):
            conn.execute(delete(t).where(t.c.pmid.in_(stale[i : i + _IN_CHUNK])))
        if fresh:
            conn.execute(insert(t), fresh)
    changed = sum(1 for p in stale if p in wanted)
    return KeyChanges(linked=len(wanted), added=len(fresh) - changed, changed=changed, removed=len(stale) - changed)



def trial_index(target: Engine | Connection) -> dict[int, str]:
    """The stored trial keys (:func:`store_trial_keys`): ``{pmid: trial key}`` of the linked articles.

    Parameters
    ----------
    target : Engine or Connection
        The database.

    Returns
    -------
    dict
        Articles missing from it are trials of their own (:func:`trial_key`).
    """
    t = ArticleTrial.__table__
    with connection(target) as conn:
        return {int(p): k for p, k in conn.execute(select(t.c.pmid, t.c.trial_key))}


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
    with connection(target) as conn:
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
