"""The words of an article's summary line, shared by the feeds and the digest.

Labels come from ``labels.json`` next to this module (codes not listed are
shown as written, underscores as spaces). Everything here is plain text:
escaping is the renderer's job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

from db.news import NewsItem

#: adverse events named in a summary; the rest are counted ("+ 3 more")
MAIN_ADVERSE_EVENTS = 5
#: authors named before "et al."
MAX_AUTHORS = 3
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


@dataclass(frozen=True)
class Labels:
    """Display words for extractor codes.

    Attributes
    ----------
    designs, directions, forms : Mapping[str, str]
        Code -> label.
    """

    designs: Mapping[str, str]
    directions: Mapping[str, str]
    forms: Mapping[str, str]

    @staticmethod
    def code(value: str) -> str:
        """A code nobody labelled, readable: underscores as spaces."""
        return value.replace("_", " ")

    def design(self, code: str | None) -> str:
        """Label of a design code; ``None`` means not extracted yet."""
        if code is None:
            return "not extracted yet"
        return self.designs.get(code) or self.code(code)

    def direction(self, code: str | None) -> str:
        """Label of an efficacy direction code."""
        if code is None:
            return self.directions.get("not_applicable", "no efficacy result stated")
        return self.directions.get(code) or self.code(code)

    def form(self, code: str) -> str:
        """Label of a ketamine form code."""
        return self.forms.get(code) or self.code(code)


def load_labels(text: str, source: str = "labels.json") -> Labels:
    """Parse a labels file.

    Parameters
    ----------
    text : str
        JSON with the objects ``designs``, ``directions`` and ``forms`` (string
        to string) and an optional ``_about``.
    source : str
        Name used in error messages.

    Returns
    -------
    Labels

    Raises
    ------
    ValueError
        Unknown or missing keys, or a value that is not a string.
    """
    data = json.loads(text)
    fields = ("designs", "directions", "forms")
    unknown = sorted(set(data) - set(fields) - {"_about"})
    if unknown:
        raise ValueError(f"{source}: unknown key(s) {', '.join(unknown)}; expected {', '.join(fields)}")
    out = {}
    for name in fields:
        table = data.get(name)
        if not isinstance(table, dict):
            raise ValueError(f"{source}: {name!r} must be an object of code -> label")
        bad = [k for k, v in table.items() if not isinstance(v, str) or not v]
        if bad:
            raise ValueError(f"{source}: {name}.{bad[0]} must be a non-empty string")
        out[name] = MappingProxyType(dict(table))
    return Labels(**out)


@lru_cache(maxsize=1)
def labels() -> Labels:
    """The shipped labels (read once)."""
    text = resources.files(__package__).joinpath("labels.json").read_text(encoding="utf-8")
    return load_labels(text)


def pubmed_url(pmid: int) -> str:
    """The PubMed page of a PMID."""
    return PUBMED_URL.format(pmid=pmid)


def participants(item: NewsItem) -> str:
    """``N = 120``, ``pooled N = 1,015`` (reviews) or ``N not stated``."""
    if item.sample_size is not None:
        return f"N = {item.sample_size:,}"
    if item.pooled_participants is not None:
        return f"pooled N = {item.pooled_participants:,}"
    return "N not stated"


def routes(item: NewsItem) -> str:
    """``route: intravenous, intranasal`` (with esketamine/arketamine named) or ``route not stated``."""
    forms = [labels().form(f) for f in item.ketamine_forms if f != "racemic"]
    prefix = f"{', '.join(forms)}, " if forms else ""
    if not item.routes:
        return prefix + "route not stated"
    return prefix + "route: " + ", ".join(Labels.code(r) for r in item.routes)


def adverse_events(item: NewsItem, limit: int = MAIN_ADVERSE_EVENTS) -> str:
    """The main adverse events reported as occurred: ``nausea, dissociation (+ 2 more)``."""
    if not item.adverse_events:
        return "none reported"
    shown = ", ".join(item.adverse_events[:limit])
    rest = len(item.adverse_events) - limit
    return shown + (f" (+ {rest} more)" if rest > 0 else "")


def authors(item: NewsItem, limit: int = MAX_AUTHORS) -> str:
    """``Smith J, Doe A, Roe B et al.`` (empty when PubMed names none)."""
    names = list(item.authors)
    if not names:
        return ""
    return ", ".join(names[:limit]) + (" et al." if len(names) > limit else "")


def facts(item: NewsItem) -> list[str]:
    """Design, participants, route and direction of the summary line."""
    lab = labels()
    if item.design is None:
        return [lab.design(None)]
    return [lab.design(item.design), participants(item), routes(item), "efficacy: " + lab.direction(item.efficacy_direction)]


def summary(item: NewsItem) -> str:
    """The one-paragraph plain-text summary of a feed entry.

    Parameters
    ----------
    item : NewsItem

    Returns
    -------
    str
        ``Randomised controlled trial · N = 120 · route: intravenous · efficacy: positive (...)
        · adverse events: nausea, dissociation · conditions: depression · J Affect Disord 2025
        · doi:10.1000/xyz``, a retraction said first.
    """
    parts = []
    if item.is_retracted:
        parts.append("RETRACTED")
    parts.extend(facts(item))
    if item.design is not None:
        parts.append("adverse events: " + adverse_events(item))
    if item.conditions:
        parts.append("conditions: " + ", ".join(Labels.code(c) for c in item.conditions))
    source = " ".join(x for x in (item.journal or "", str(item.pub_year or "")) if x)
    if source:
        parts.append(source)
    if item.doi:
        parts.append(f"doi:{item.doi}")
    return " · ".join(parts)
