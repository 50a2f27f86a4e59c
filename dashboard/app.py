"""Streamlit entry point: ``streamlit run dashboard/app.py`` (or ``ketamine-tracker dashboard``).

A multipage app (``st.navigation``); each page is a script in ``dashboard/views``
(not ``pages/``: Streamlit treats a ``pages/`` folder next to the entry point as
the legacy page list, and a first visit to a deep link such as
``/adverse-events`` after a server start then met "Page not found") that reads the database only through :mod:`db.queries` (see ``dashboard/common.py``)
and runs inside :func:`dashboard.common.guard`. The packages are imported from the
installed project (``pip install -e .``), not from a path added here.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.common import PAGE_PATHS

HERE = Path(__file__).resolve().parent

# no exception type, message or traceback in the browser however the app is started
# (`ketamine-tracker dashboard` also passes --client.showErrorDetails none)
st.set_option("client.showErrorDetails", "none")
st.set_page_config(page_title="Ketamine evidence tracker", page_icon=":material/science:", layout="wide")

PAGES = [
    st.Page(HERE / "views" / "overview.py", title="Overview", icon=":material/dashboard:", url_path=PAGE_PATHS["overview"], default=True),
    st.Page(HERE / "views" / "explorer.py", title="Evidence explorer", icon=":material/table_view:", url_path=PAGE_PATHS["explorer"]),
    st.Page(HERE / "views" / "search.py", title="Search", icon=":material/search:", url_path=PAGE_PATHS["search"]),
    st.Page(HERE / "views" / "adverse_events.py", title="Adverse events", icon=":material/warning:", url_path=PAGE_PATHS["adverse_events"]),
    st.Page(HERE / "views" / "gaps.py", title="Evidence gaps", icon=":material/grid_on:", url_path=PAGE_PATHS["gaps"]),
    st.Page(HERE / "views" / "outcomes.py", title="Outcomes and efficacy", icon=":material/trending_up:", url_path=PAGE_PATHS["outcomes"]),
    st.Page(HERE / "views" / "article.py", title="Article", icon=":material/article:", url_path=PAGE_PATHS["article"]),
    st.Page(HERE / "views" / "about.py", title="About the data", icon=":material/info:", url_path=PAGE_PATHS["about"]),
]

st.navigation(PAGES).run()
