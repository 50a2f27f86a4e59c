"""Evidence explorer: one filterable, sortable table of articles, with exports.

The whole view is kept in the URL (:mod:`dashboard.url_state`), which is how
every count elsewhere in the dashboard links here and how a view is shared:
``?condition=pain&tier=rct&ae=nausea&new=harvest`` (keys: topic, condition,
tier, design, route, form, direction, ae, q, year_min, year_max, min_n,
new = harvest | 7 | 30, retracted = include | hide | only (``1``: only),
sort, col (the columns shown), per_page, page).

All matching rows can be paged through; the downloads hold all of them.
The search box takes the Search page's PubMed-style syntax (phrases,
AND/OR/NOT, prefix*, field tags; :func:`db.search.matching`) and combines it
with every other filter; a query that cannot be read is shown with its
position instead of results.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard import exports, trial_counts, url_state
from db import trials
from db.models import utcnow
from db.queries import SORTS, ArticleFilter
from db.search import SearchIndexMissingError, SearchSyntaxError

PAGE_SIZES = (50, 100, 250, 500)
ANY_EVENT = "(any)"
#: which retracted articles the table lists; "1" (the Overview's "Retracted N" link) means "only"
RETRACTED = {"include": "listed and marked", "hide": "left out", "only": "only retracted articles"}
#: the table's columns (key -> header), the PMID always first; the column picker chooses among these
COLUMNS = {
    "year": "Year", "title": "Title", "journal": "Journal", "authors": "First author", "design": "Design", "n": "N",
    "conditions": "Conditions", "routes": "Routes", "forms": "Form", "direction": "Direction",
    "adverse_events": "Adverse events", "serious_ae": "Serious AE", "retracted": "Retracted", "pubmed": "PubMed", "doi": "DOI",
}
DEFAULT_COLUMNS = ["year", "title", "design", "n", "conditions", "routes", "forms", "direction", "adverse_events",
                   "serious_ae", "retracted", "pubmed"]
RETRACTED_MARK = "⚠ RETRACTED"
NEW_WINDOWS = {"any": "any time", "harvest": "since the last harvest", "7": "in the last 7 days", "30": "in the last 30 days"}

with c.guard("explorer"):
    ctx = c.start("Evidence explorer")
    opts = ctx.q("filter_options")
    tiers = c.labels()["tiers"]
    tier_codes = [t["code"] for t in tiers]
    topic_values = [v for v, _ in opts["topics"]]
    condition_values = [v for v, _ in opts["conditions"]]
    design_values = [v for v, _ in opts["designs"]] + [c.queries.NOT_EXTRACTED]
    route_values = [v for v, _ in opts["routes"]]
    form_values = list(c.labels()["forms"])
    direction_values = [v for v, _ in opts["directions"]]
    ae_values = [v for v, _ in opts["adverse_events"]]
    y0, y1 = int(opts["year_min"] or 1990), int(opts["year_max"] or 1990)

    # ---------------------------------------------------------------- filters kept in the URL
    PARAMS = [
        url_state.Param("q", "f_text", kind="text", default=""),
        url_state.Param("topic", "f_topics", choices=topic_values),
        url_state.Param("condition", "f_conditions", choices=condition_values),
        url_state.Param("tier", "f_tiers", choices=tier_codes),
        url_state.Param("design", "f_designs", choices=design_values),
        url_state.Param("year", "f_years", kind="range", default=(y0, y1), lo=y0, hi=y1),
        url_state.Param("route", "f_routes", choices=route_values),
        url_state.Param("form", "f_forms", choices=form_values),
        url_state.Param("min_n", "f_min_n", kind="int", default=0, lo=0, hi=c.MAX_SAMPLE_SIZE),
        url_state.Param("direction", "f_directions", choices=direction_values),
        url_state.Param("ae", "f_ae", kind="one", default=ANY_EVENT, choices=[ANY_EVENT, *ae_values]),
        url_state.Param("new", "f_new", kind="one", default="any", choices=list(NEW_WINDOWS)),
        url_state.Param("retracted", "f_retracted", kind="one", default="include", choices=list(RETRACTED),
                        aliases=(("1", "only"), ("0", "hide"))),
        url_state.Param("sort", "f_sort", kind="one", default="newest", choices=list(SORTS)),
        url_state.Param("col", "f_columns", default=DEFAULT_COLUMNS, choices=list(COLUMNS)),
        url_state.Param("per_page", "f_page_size", kind="one", default=100, choices=list(PAGE_SIZES)),
        url_state.Param("page", "f_page", kind="int", default=1, lo=1),
    ]
    from_url = url_state.load("explorer", PARAMS)
    if from_url:
        url_q = (c.param_list("q") or [""])[0]
        # a capped ?q= is noted below as long as the box still holds what the URL gave
        st.session_state["_q_capped_to"] = st.session_state["f_text"] if c.was_capped(url_q) else None

    with st.sidebar:
        st.header("Filters")
        f_text = st.text_input("Search title, abstract, MeSH and keywords", key="f_text",
                               placeholder='e.g. "suicidal ideation" OR suicid*', max_chars=c.MAX_QUERY_CHARS,
                               help='As on the Search page, PubMed style: every word must appear (title, abstract, MeSH or '
                                    'keywords); "quoted words" form a phrase; AND / OR / NOT (upper case) and (parentheses) '
                                    'combine terms; suicid\\* finds every word starting with *suicid*; field tags '
                                    'migraine\\[ti\\], nausea\\[ab\\], "cluster headache"\\[mh\\] limit a term. '
                                    'The other filters apply too.')
        f_topics = st.multiselect("Topic", topic_values, key="f_topics", help="The harvest query (topic) that found the article.")
        f_conditions = st.multiselect("Condition", condition_values, key="f_conditions", help=c.help_text("condition"))
        f_tiers = st.multiselect("Design tier", tier_codes, key="f_tiers", format_func=c.tier_label, help=c.help_text("design"))
        f_designs = st.multiselect("Design (detailed)", design_values, key="f_designs", format_func=c.design_label,
                                   help=c.help_text("design"))
        if y0 < y1:
            f_years = st.slider("Publication year", y0, y1, key="f_years")
        else:
            f_years = (y0, y1)
        f_routes = st.multiselect("Route", route_values, key="f_routes", format_func=c.nice, help=c.help_text("route"))
        f_forms = st.multiselect("Ketamine form", form_values, key="f_forms", format_func=lambda v: c.labels()["forms"].get(v, v),
                                 help=c.help_text("form"))
        f_min_n = st.number_input("Minimum sample size", min_value=0, max_value=c.MAX_SAMPLE_SIZE, step=10, key="f_min_n",
                                  help=c.help_text("sample_size"))
        f_directions = st.multiselect("Efficacy direction", direction_values, key="f_directions", format_func=c.direction_label,
                                      help=c.help_text("efficacy_direction"))
        f_ae = st.selectbox("Reports adverse event", [ANY_EVENT, *ae_values], key="f_ae",
                            help="Articles reporting the event as occurring in the study. Events only planned or measured, "
                                 "recalled as a known effect or another drug's do not count.")
        f_new = st.selectbox("First stored", list(NEW_WINDOWS), key="f_new", format_func=NEW_WINDOWS.get)
        f_retracted = st.radio("Retracted articles", list(RETRACTED), key="f_retracted", format_func=RETRACTED.get,
                               help="Articles PubMed flags as retracted; when listed, the table marks them.")

    search = c.bounded_text(f_text)  # single spaces: a syntax error's caret points into the query shown with it
    if c.was_capped(f_text) or (f_text and f_text == st.session_state.get("_q_capped_to")):
        st.caption(f"The search uses the first {c.MAX_QUERY_WORDS} words ({c.MAX_QUERY_CHARS} characters) only: "
                   f"{c.md(search[:80])}{'…' if len(search) > 80 else ''}")
    designs = set(f_designs)
    for t in f_tiers:
        designs.update(c.tier_designs(t))
    since = None
    if f_new == "harvest":
        harvest = trial_counts.last_harvest(ctx)  # the last update/harvest job that finished, as on the Overview
        since = harvest.started if harvest else None
    elif f_new in ("7", "30"):
        since = (utcnow() - timedelta(days=int(f_new))).replace(minute=0, second=0, microsecond=0)
    flt = ArticleFilter(
        topics=tuple(f_topics),
        conditions=tuple(f_conditions),
        designs=tuple(sorted(designs)),
        year_min=f_years[0] if f_years[0] > y0 else None,
        year_max=f_years[1] if f_years[1] < y1 else None,
        routes=tuple(f_routes),
        forms=tuple(f_forms),
        min_sample_size=max(0, min(int(f_min_n), c.MAX_SAMPLE_SIZE)) if f_min_n else None,
        directions=tuple(f_directions),
        adverse_event=None if f_ae == ANY_EVENT else f_ae,
        text=search,
        since=since,
        include_retracted=f_retracted != "hide",
        retracted_only=f_retracted == "only",
    )
    if search:
        c.link(c.page_url("search", q=search), "The same search ranked by relevance, with the matching words highlighted →")

    top = st.columns([1, 2, 1, 1, 1])
    sort = top[1].selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="f_sort")

    # ---------------------------------------------------------------- one page of the matching rows
    # another selection starts at its first page (a page number from a shared URL is kept)
    selection = (flt, sort, st.session_state.get("f_page_size"))
    if st.session_state.get("_explorer_selection") != selection and not from_url:
        st.session_state["f_page"] = 1
    st.session_state["_explorer_selection"] = selection
    page_size = int(st.session_state.get("f_page_size") or 100)
    try:
        total = ctx.q("count_articles", flt)
    except SearchSyntaxError as exc:
        url_state.save("explorer", PARAMS)
        st.error(f"This search cannot be run: {c.md(exc.reason)}.", icon=":material/search_off:")
        st.code(f"{exc.query}\n{' ' * exc.position}^", language=None)
        st.caption("Fix the search text in the sidebar; the other filters are kept.")
        st.stop()
    except SearchIndexMissingError:
        url_state.save("explorer", PARAMS)
        st.warning("This database has no search index yet. Upgrade it with `ketamine-tracker db upgrade` "
                   "(the next `ketamine-tracker update` does it too), then reload this page.")
        st.stop()
    pages = max(1, -(-total // page_size))
    st.session_state["f_page"] = max(1, min(int(st.session_state.get("f_page") or 1), pages))
    first = (st.session_state["f_page"] - 1) * page_size
    _, rows = ctx.q("search_articles", flt, sort=sort, limit=page_size, offset=first)
    top[0].metric("Matching articles", f"{total:,}")
    counted = trials.summarise(ctx.q("sample_sizes", flt), trial_counts.index(ctx))
    top[0].caption(counted.label(), help="Reports of the same trial (same registry id, or a secondary analysis naming its "
                   "parent) count once; a trial's participants are the largest N among its reports.")


    def _export(kind: str):
        def build() -> str:
            if kind == "csv":  # the export's schema, read by PMID (db.export)
                return exports.to_csv(ctx.engine, c.queries.matching_pmids(ctx.engine, flt))
            data = c.queries.export_articles(ctx.engine, flt, sort=sort)
            return {"ris": exports.to_ris, "bib": exports.to_bibtex}[kind](data)
        return build


    # the file names say the filter: ketamine-evidence_depression_rct_intranasal_2020-2024.ris
    name_parts = [*f_topics, *f_conditions, *f_tiers, *f_designs, *f_routes, *f_forms, *f_directions]
    if f_years[0] > y0 or f_years[1] < y1:
        name_parts.append(f"{f_years[0]}-{f_years[1]}")
    if f_min_n:
        name_parts.append(f"n{int(f_min_n)}")
    if search:
        name_parts.append(search[:30])

    top[2].download_button("CSV", _export("csv"), file_name=exports.file_name(name_parts, "csv"), mime="text/csv", disabled=not total,
                           icon=":material/download:", help="All matching articles with their extracted facts.")
    top[3].download_button("RIS", _export("ris"), file_name=exports.file_name(name_parts, "ris"), mime="application/x-research-info-systems",
                           disabled=not total, icon=":material/download:", help="For Zotero, EndNote, Mendeley.")
    top[4].download_button("BibTeX", _export("bib"), file_name=exports.file_name(name_parts, "bib"), mime="application/x-bibtex",
                           disabled=not total, icon=":material/download:", help="For LaTeX reference lists.")

    if not rows:
        url_state.save("explorer", PARAMS)
        st.info("No article matches these filters. Remove a filter in the sidebar to see more.")
        st.stop()

    df = pd.DataFrame(rows)
    events = ctx.q("occurred_events_by_pmid", tuple(int(p) for p in df["pmid"]))
    retracted = df["is_retracted"].astype(bool)
    authors = ctx.q("first_authors", tuple(int(p) for p in df["pmid"]))
    table = pd.DataFrame({
        "article": [c.article_url(p) for p in df["pmid"]],
        "year": df["pub_year"],
        "title": [f"{RETRACTED_MARK} {t}" if r else t for t, r in zip(df["title"], retracted)],
        "journal": df["journal"],
        "authors": [authors.get(int(p), "") for p in df["pmid"]],
        "design": [c.design_label(d) for d in df["design"]],
        "n": df["sample_size"],
        "conditions": [c.join(x) for x in df["conditions"]],
        "routes": [c.join(x) for x in df["routes"]],
        "forms": [c.join(x) for x in df["ketamine_forms"]],
        "direction": [c.direction_label(d) if d else "" for d in df["efficacy_direction"]],
        "adverse_events": [", ".join(events.get(int(p), [])) for p in df["pmid"]],
        "serious_ae": df["serious_ae"].fillna(""),
        "retracted": retracted,
        "pubmed": [c.pubmed_url(p) for p in df["pmid"]],
        "doi": [c.doi_url(d) for d in df["doi"]],
    })
    with st.popover("Columns", icon=":material/view_column:"):
        chosen = st.multiselect("Columns shown", list(COLUMNS), key="f_columns", format_func=COLUMNS.get,
                                help="The PMID is always shown; the downloads hold every field whatever is shown.")
    shown_columns = ["article", *[k for k in COLUMNS if k in chosen]]
    if retracted.any() and "title" not in chosen and "retracted" not in chosen:
        shown_columns.append("retracted")  # a retracted row is marked whatever the picker says
    st.caption(f"Rows {first + 1:,}–{first + len(rows):,} of {total:,} in this order; the downloads contain all {total:,}."
               + (f" {int(retracted.sum())} retracted on this page, marked {RETRACTED_MARK}." if retracted.any() else ""))
    st.dataframe(
        table[shown_columns],
        hide_index=True,
        height=640,
        key="results",
        column_config={
            "article": st.column_config.LinkColumn("PMID", display_text=r"pmid=(\d+)", help="Open the article page (abstract with highlighted facts)"),
            "year": st.column_config.NumberColumn("Year", format="%d"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "journal": st.column_config.TextColumn("Journal"),
            "design": st.column_config.TextColumn("Design", help=c.help_text("design")),
            "n": st.column_config.NumberColumn("N", help=c.help_text("sample_size")),
            "conditions": st.column_config.TextColumn("Conditions", help=c.help_text("condition")),
            "routes": st.column_config.TextColumn("Routes", help=c.help_text("route")),
            "forms": st.column_config.TextColumn("Form", help=c.help_text("form")),
            "direction": st.column_config.TextColumn("Direction", help=c.help_text("efficacy_direction")),
            "authors": st.column_config.TextColumn("First author"),
            "adverse_events": st.column_config.TextColumn("Adverse events", help="Events the study reports as occurring."),
            "serious_ae": st.column_config.TextColumn("Serious AE", help="Whether the abstract reports serious adverse events (yes / no / unstated)."),
            "retracted": st.column_config.CheckboxColumn("Retracted"),
            "pubmed": st.column_config.LinkColumn("PubMed", display_text="PubMed ↗"),
            "doi": st.column_config.LinkColumn("DOI", display_text="DOI ↗"),
        },
    )
    nav = st.columns([1, 1, 4])
    nav[0].number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="f_page")
    nav[1].selectbox("Rows per page", PAGE_SIZES, key="f_page_size")
    url_state.save("explorer", PARAMS)
    st.caption("Click a column header to sort the shown rows; click a PMID for the abstract with every extracted fact highlighted.")
