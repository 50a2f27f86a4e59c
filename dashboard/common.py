"""What every dashboard page shares: the read-only engine, cached queries,
labels, links, the friendly "no data yet" page, bounded query parameters,
markdown escaping of PubMed text and the error guard of every page.

Untrusted input: query parameters are clamped to valid ranges
(:func:`param_int`) and free text is cut to :data:`MAX_QUERY_CHARS` /
:data:`MAX_QUERY_WORDS` (:func:`bounded_text`); every field that comes from
PubMed goes through :func:`md` before ``st.markdown`` / ``st.write`` /
captions; and each page runs inside :func:`guard`, which logs an unexpected
exception on the server and shows the browser one message without details.

Caching: every query goes through :func:`Ctx.q`, an ``st.cache_data`` entry
keyed on the database URL, the query's name and arguments and the database's
*data version* (:func:`db.queries.data_version`: row counts and the latest
harvest / extraction timestamps). The version is read once per page run (two
indexed aggregates), so a new harvest or extraction invalidates every cache
without a timer.
"""

from __future__ import annotations

import json
import logging
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, urlencode

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from db import queries
from db.config import database_url_from_env
from db.engine import DatabaseConfigError, make_engine, redact

log = logging.getLogger("dashboard")

LABELS_PATH = Path(__file__).with_name("labels.json")

PAGE_PATHS = {
    "overview": "overview",
    "explorer": "explorer",
    "adverse_events": "adverse-events",
    "outcomes": "outcomes",
    "article": "article",
    "about": "about",
    "search": "search",
    "gaps": "gaps",
}


@lru_cache(maxsize=1)
def labels() -> dict:
    """Display labels, tier definitions and help texts (``dashboard/labels.json``)."""
    return json.loads(LABELS_PATH.read_text(encoding="utf-8"))


def design_label(code: str | None) -> str:
    code = code if isinstance(code, str) and code else queries.NOT_EXTRACTED
    return labels()["designs"].get(code, code.replace("_", " ").capitalize())


def direction_label(code: str | None) -> str:
    code = code if isinstance(code, str) and code else "not_applicable"
    return labels()["directions"].get(code, code.replace("_", " ").capitalize())


def tier_of(design: str | None) -> str:
    """The pyramid tier code of a design code (unknown codes: ``other``)."""
    for tier in labels()["tiers"]:
        if (design or queries.NOT_EXTRACTED) in tier["designs"]:
            return tier["code"]
    return "other"


def tier_label(code: str) -> str:
    return next((t["label"] for t in labels()["tiers"] if t["code"] == code), code)


def tier_designs(code: str) -> list[str]:
    return next((list(t["designs"]) for t in labels()["tiers"] if t["code"] == code), [code])


def help_text(key: str) -> str:
    return labels()["help"].get(key, "")


#: adverse-event statuses (``db.models.AE_STATUSES``) as shown
AE_STATUS_LABELS = {
    "occurred": "occurred",
    "not_occurred": "not occurred / no difference",
    "planned": "planned / measured",
    "background": "background / known effect",
    "other_drug": "another drug's",
}
#: adverse-event arms (``db.models.AE_ARMS``) as shown
AE_ARM_LABELS = {"ketamine": "ketamine arm", "comparator": "comparator arm", "both": "both arms", "unstated": "unstated"}
#: what every adverse-event view says about statuses
AE_STATUS_HELP = (
    "What the sentence says about the event: occurred (it happened in the study: the only status counted as a report), "
    "not occurred / no difference (counted as a report of absence), planned / measured (protocols, methods), "
    "background / known effect (e.g. a review's introduction) or another drug's."
)

AE_ARM_HELP = "Whose event: the ketamine or esketamine arm's, the comparator's, both arms' or unstated."


def ae_status_label(code: str | None) -> str:
    return AE_STATUS_LABELS.get(code or "", nice(code))


def ae_arm_label(code: str | None) -> str:
    return AE_ARM_LABELS.get(code or "unstated", nice(code))


def nice(code: str | None) -> str:
    """``treatment_resistant`` -> ``Treatment resistant``."""
    return (code or "").replace("_", " ").capitalize()


# --------------------------------------------------------------------------- links


def page_url(page: str, **params: Any) -> str:
    """Relative URL of a dashboard page with query parameters (lists repeat the key)."""
    path = PAGE_PATHS[page]
    pairs = []
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, str(v)))
    return f"./{path}" + (f"?{urlencode(pairs)}" if pairs else "")


def article_url(pmid: int) -> str:
    return page_url("article", pmid=int(pmid))


def pubmed_url(pmid: int) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{int(pmid)}/"


def doi_url(doi: str | None) -> str | None:
    """The doi.org URL of a DOI, percent-encoded (a DOI may hold ``()[]<>`` and spaces)."""
    return f"https://doi.org/{quote(doi.strip(), safe='/')}" if doi and doi.strip() else None


def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{quote(pmcid.strip(), safe='')}/"


def trial_url(nct_id: str) -> str:
    return f"https://clinicaltrials.gov/study/{quote(nct_id.strip(), safe='')}"


_MD_SPECIAL = re.compile(f"([{re.escape(string.punctuation)}])")  # every ASCII punctuation character


def md(value: Any) -> str:
    """Text from PubMed (or a user) made inert for ``st.markdown``, ``st.write`` and captions.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows
    that for all of them), so ``[text](https://...)`` is not a link, ``*``/``_``
    no emphasis, ``<b>`` no HTML, ``:red[...]`` / ``:smile:`` no Streamlit
    directive and ``$...$`` no formula; the text reads exactly as written.
    Line breaks and runs of white space become one space, so no line can start
    a heading, list, quote or code block.

    Parameters
    ----------
    value:
        Any value; ``None`` gives ``""``.

    Returns
    -------
    str
        Markdown source that renders as the plain text of ``value``.
    """
    if value is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def link(url: str, text: str) -> None:
    """An in-app link that opens in the same tab (``st.markdown`` links open a new one)."""
    st.html(f'<a href="{escape(url, quote=True)}">{escape(text)}</a>')


def link_list(items: Iterable[tuple[str, str]]) -> None:
    """A bulleted list of same-tab links: ``(url, text)`` pairs."""
    lis = "".join(f'<li><a href="{escape(u, quote=True)}">{escape(t)}</a></li>' for u, t in items)
    st.html(f'<ul style="margin:0">{lis}</ul>')


# --------------------------------------------------------------------------- database


def database_url() -> str:
    """The database the dashboard reads (``DATABASE_URL``, see :func:`db.config.database_url_from_env`).

    ``ketamine-tracker dashboard`` passes its ``--database-url`` to the
    Streamlit process in this variable.
    """
    return database_url_from_env()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url, read_only=True)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, url: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(_engine(url), *args, **dict(kwargs))


@dataclass(frozen=True)
class Ctx:
    """The database a page reads: URL, read-only engine and current data version."""

    url: str
    engine: Engine
    version: tuple

    def q(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``db.queries.<name>(engine, *args, **kwargs)`` through the cache."""
        return _cached(name, self.url, self.version, args, tuple(sorted(kwargs.items())))


def setup_help(reason: str, url: str, headline: str = "No data to show yet.") -> None:
    """The page shown instead of data when there is nothing to show yet (or the schema is behind)."""
    st.title("Ketamine evidence tracker")
    st.info(f"**{headline}** {reason}")
    st.markdown(
        f"""
The dashboard reads the tracker database `{redact(url)}` (set `DATABASE_URL` to use another one).
Fill it with the first harvest, then reload this page:

```bash
make run                      # harvest PubMed and extract study facts (first run: a few minutes)
# or, with the tracker installed:
ketamine-tracker update
```

Later runs only fetch what is new; the dashboard picks up new data on its next page load.
"""
    )


def start(title: str | None = None) -> Ctx:
    """Open the database (read-only) for a page, or show the setup help and stop the page.

    Parameters
    ----------
    title:
        Page title shown above the content.

    Returns
    -------
    Ctx
    """
    url = database_url()
    try:
        engine = _engine(url)
        state = queries.schema_state(engine)
    except DatabaseConfigError as exc:
        setup_help(f"The database cannot be opened: {exc}.", url)
        st.stop()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        _engine.clear()
        setup_help(f"The database cannot be read ({reason}).", url)
        st.stop()
    if state == "missing":
        setup_help("The database has no tracker tables yet.", url)
        st.stop()
    if state == "outdated":
        setup_help("It was written by an older version of the tracker; `ketamine-tracker db upgrade` "
                   "(or the next `make run`) brings its schema up to date.", url, headline="The database needs an upgrade.")
        st.stop()
    if state == "empty":
        setup_help("The database exists but holds no article yet.", url)
        st.stop()
    ctx = Ctx(url, engine, queries.data_version(engine))
    if title:
        st.title(title)
    return ctx


# --------------------------------------------------------------------------- query params


def param_list(name: str) -> list[str]:
    """All values of a repeated query parameter (``?condition=a&condition=b``)."""
    try:
        return [v for v in st.query_params.get_all(name) if v != ""]
    except Exception:  # noqa: BLE001 - malformed URL: ignore the parameter
        return []


#: the largest PMID the database can hold: ``article.pmid`` is an INTEGER, 32 bits on PostgreSQL
#: (a larger value in a query is an SQL error there; real PMIDs have 8 digits)
MAX_PMID = queries.PMID_MAX
#: the largest minimum sample size the explorer accepts (more than any study enrols)
MAX_SAMPLE_SIZE = 10**7
#: free-text search: at most this many characters ...
MAX_QUERY_CHARS = 500
#: ... and words (each word is one more LIKE scan of every title and abstract)
MAX_QUERY_WORDS = 20
_INTEGER = re.compile(r"[+-]?[0-9]+")


def bounded_int(text: str | None, lo: int, hi: int) -> int | None:
    """An integer written in ASCII digits, clamped to ``lo..hi``.

    Parameters
    ----------
    text:
        What was typed or passed in the URL; surrounding spaces are ignored.
    lo, hi:
        The valid range (inclusive).

    Returns
    -------
    int or None
        The clamped value; ``None`` when ``text`` is not an optionally signed
        run of ASCII digits (``"12a"``, ``"1e9"``, ``"１２"``, ``""``). Any number
        of digits is accepted without converting a huge string to ``int``.
    """
    text = (text or "").strip()
    if not _INTEGER.fullmatch(text):
        return None
    negative = text.startswith("-")
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > len(str(max(abs(lo), abs(hi)))) + 1:
        return lo if negative else hi
    return max(lo, min(hi, -int(digits) if negative else int(digits)))


def param_int(name: str, lo: int = 0, hi: int = MAX_PMID) -> int | None:
    """The first value of an integer query parameter, clamped to ``lo..hi`` (``None`` if absent or not a number)."""
    values = param_list(name)
    return bounded_int(values[0], lo, hi) if values else None


def bounded_text(text: str | None) -> str:
    """Free search text cut to :data:`MAX_QUERY_CHARS` characters and :data:`MAX_QUERY_WORDS` words.

    Parameters
    ----------
    text:
        The search box or ``?q=`` value.

    Returns
    -------
    str
        The first words, joined by single spaces.
    """
    return " ".join((text or "")[:MAX_QUERY_CHARS].split()[:MAX_QUERY_WORDS])


def was_capped(text: str | None) -> bool:
    """Whether :func:`bounded_text` drops words or characters of ``text`` (not just spacing).

    Parameters
    ----------
    text:
        The search box or ``?q=`` value.

    Returns
    -------
    bool
    """
    return bounded_text(text) != " ".join((text or "").split())


# --------------------------------------------------------------------------- errors

#: the only thing the browser learns about an unexpected error
FRIENDLY_ERROR = (
    "Sorry, this page could not be shown. The problem has been logged on the server; "
    "reload the page or change the filters and try again."
)


@contextmanager
def guard(page: str) -> Iterator[None]:
    """Run a page's body; an unexpected exception is logged here and shown as :data:`FRIENDLY_ERROR`.

    ``st.stop()`` and reruns pass through (they are not ``Exception``). No
    type, message, path or SQL reaches the browser.

    Parameters
    ----------
    page:
        The page's name, for the server log.
    """
    try:
        yield
    except Exception:  # noqa: BLE001 - the last line of defence of a page
        log.exception("dashboard page %r failed", page)
        st.error(FRIENDLY_ERROR, icon=":material/error:")


def join(values: Iterable[str] | None) -> str:
    if not isinstance(values, (list, tuple)):
        return ""
    return ", ".join(nice(v) if "_" in v else v for v in values if isinstance(v, str))


def fmt_time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
