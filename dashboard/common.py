"""What every dashboard page shares: the read-only engine, cached queries,
labels, links and the friendly "no data yet" page.

Caching: every query goes through :func:`Ctx.q`, an ``st.cache_data`` entry
keyed on the database URL, the query's name and arguments and the database's
*data version* (:func:`db.queries.data_version`: row counts and the latest
harvest / extraction timestamps). The version is read once per page run (two
indexed aggregates), so a new harvest or extraction invalidates every cache
without a timer.
"""

from __future__ import annotations

import json
import sys
from html import escape
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from db import queries  # noqa: E402
from db.engine import DatabaseConfigError, make_engine, redact  # noqa: E402

LABELS_PATH = Path(__file__).with_name("labels.json")

PAGE_PATHS = {
    "overview": "overview",
    "explorer": "explorer",
    "adverse_events": "adverse-events",
    "outcomes": "outcomes",
    "article": "article",
    "about": "about",
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
    return f"https://doi.org/{doi}" if doi else None


def link(url: str, text: str) -> None:
    """An in-app link that opens in the same tab (``st.markdown`` links open a new one)."""
    st.html(f'<a href="{escape(url, quote=True)}">{escape(text)}</a>')


def link_list(items: Iterable[tuple[str, str]]) -> None:
    """A bulleted list of same-tab links: ``(url, text)`` pairs."""
    lis = "".join(f'<li><a href="{escape(u, quote=True)}">{escape(t)}</a></li>' for u, t in items)
    st.html(f'<ul style="margin:0">{lis}</ul>')


# --------------------------------------------------------------------------- database


def database_url() -> str:
    from ketamine_tracker.settings import Settings

    return Settings.from_env().database_url


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


def setup_help(reason: str, url: str) -> None:
    """The page shown instead of data when there is nothing to show yet."""
    st.title("Ketamine evidence tracker")
    st.info(f"**No data to show yet.** {reason}")
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


def param_int(name: str) -> int | None:
    values = param_list(name)
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def join(values: Iterable[str] | None) -> str:
    if not isinstance(values, (list, tuple)):
        return ""
    return ", ".join(nice(v) if "_" in v else v for v in values if isinstance(v, str))


def fmt_time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
