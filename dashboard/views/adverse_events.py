"""Adverse events: which harms occurred, or are stated not to have occurred, per condition.

Only mentions whose status is ``occurred`` count as reports of an event and
``not_occurred`` as reports of its absence; planned, background and other
drugs' mentions are listed among the evidence sentences on request only.

Wherever the page counts studies it also counts trials and their participants:
reports of one trial (same registry id, or a secondary analysis naming its
parent) count once, with the largest N among them. The counts are made in
memory from tables read once per data version (:mod:`dashboard.ae_counts`).
"""

from __future__ import annotations

from html import escape

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import ae_counts, trial_counts, url_state
from dashboard import common as c
from db import trials
from db.queries import AE_STATUSES, ArticleFilter

#: at most this many frequency mentions in the scatter chart
FREQUENCIES_PLOTTED = 2000
TRIALS_HELP = ("Reports of the same trial (same registry id, or a secondary analysis naming its parent) count once; "
               "a trial's participants are the largest N among its reports.")


with c.guard("adverse_events"):
    ctx = c.start("Adverse events")
    st.caption(c.help_text("adverse_event"))

    tables = ae_counts.load(ctx)  # every report and study, read once per data version; counted in memory
    all_counts = ae_counts.event_counts(tables, None)
    if all_counts.empty:
        st.info("No adverse event has been extracted yet.")
        st.stop()
    opts = ctx.q("filter_options")
    forms = c.labels()["forms"]
    y0, y1 = int(opts["year_min"] or 1990), int(opts["year_max"] or 1990)
    PARAMS = [
        url_state.Param("condition", "ae_conditions", choices=sorted(all_counts["condition"].unique())),
        url_state.Param("organ_class", "ae_organs", choices=sorted(all_counts["organ_class"].unique())),
        url_state.Param("route", "ae_routes", choices=[v for v, _ in opts["routes"]]),
        url_state.Param("form", "ae_forms", choices=list(forms)),
        url_state.Param("tier", "ae_tiers", choices=[t["code"] for t in c.labels()["tiers"]]),
        url_state.Param("year", "ae_years", kind="range", default=(y0, y1), lo=y0, hi=y1),
    ]
    url_state.load("adverse_events", PARAMS)

    f1, f2, f3 = st.columns(3)
    conditions = f1.multiselect("Condition", PARAMS[0].choices, key="ae_conditions", help=c.help_text("condition"))
    organ_classes = f2.multiselect("Organ class", PARAMS[1].choices, key="ae_organs",
                                   help="MedDRA-style system organ class of the event term.")
    routes = f3.multiselect("Route", PARAMS[2].choices, key="ae_routes", format_func=c.nice, help=c.help_text("route"))
    f4, f5, f6 = st.columns(3)
    chosen_forms = f4.multiselect("Ketamine form", PARAMS[3].choices, key="ae_forms", format_func=lambda v: forms.get(v, v),
                                  help=c.help_text("form"))
    tiers = f5.multiselect("Design", PARAMS[4].choices, key="ae_tiers", format_func=c.tier_label, help=c.help_text("design"))
    years = f6.slider("Publication year", y0, y1, key="ae_years") if y0 < y1 else (y0, y1)
    url_state.save("adverse_events", PARAMS)

    designs = sorted({d for t in tiers for d in c.tier_designs(t)})
    studies = ArticleFilter(conditions=tuple(conditions), routes=tuple(routes), forms=tuple(chosen_forms), designs=tuple(designs),
                            year_min=years[0] if years[0] > y0 else None, year_max=years[1] if years[1] < y1 else None)
    pmids = ctx.q("matching_pmids", studies)  # the explorer's filter: the "list studies" links list the same articles
    counts = ae_counts.event_counts(tables, pmids, conditions, organ_classes)
    if counts.empty:
        st.info("No adverse event for this selection. Remove a filter to see more.")
        st.stop()

    # trials reporting an event as occurring: in all, per event, per condition and event
    overall, by_event, by_cell = ae_counts.event_trials(tables, pmids, [(), ("term",), ("condition", "term")], conditions,
                                                        organ_classes)
    empty_count = trials.TrialCount(0, 0, 0, 0)
    everything = overall.get((), empty_count)

    m0, m1, m2, m3 = st.columns(4)
    m0.metric("Studies reporting an event", f"{everything.reports:,}",
              help="Articles in this selection that report at least one of these events as occurring.")
    m0.caption(everything.label(), help=TRIALS_HELP)
    m1.metric("Event terms", f"{counts['term'].nunique():,}")
    m2.metric("Study reports: occurred", f"{int(counts['present'].sum()):,}",
              help="Sum over events and conditions of the studies reporting the event as occurring (status occurred).")
    m3.metric("Study reports: did not occur", f"{int(counts['absent'].sum()):,}",
              help="Sum over events and conditions of the studies reporting the event did not occur or did not differ "
                   "between groups (status not occurred).")

    # ---------------------------------------------------------------- heatmap
    st.subheader("Event × condition (studies reporting the event)")
    order = counts.groupby(["organ_class", "term"], as_index=False)["present"].sum().sort_values(["organ_class", "present"], ascending=[True, False])
    counts["trials"] = [by_cell.get((cond, t), empty_count).label() for cond, t in zip(counts["condition"], counts["term"])]
    heat = (
        alt.Chart(counts)
        .mark_rect()
        .encode(
            x=alt.X("condition:N", title="Condition", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("term:N", sort=list(order["term"]), title="Adverse event (grouped by organ class)", axis=alt.Axis(labelLimit=260)),
            color=alt.Color("present:Q", title="Studies: occurred", scale=alt.Scale(scheme="orangered")),
            tooltip=[alt.Tooltip("term:N", title="Event"), alt.Tooltip("organ_class:N", title="Organ class"),
                     alt.Tooltip("condition:N", title="Condition"), alt.Tooltip("present:Q", title="Studies reporting it"),
                     alt.Tooltip("trials:N", title="Trials reporting it"),
                     alt.Tooltip("absent:Q", title="Studies reporting it did not occur")],
        )
    )
    labels = heat.mark_text(fontSize=11).encode(text="present:Q", color=alt.value("black"))
    st.altair_chart((heat + labels).properties(height=alt.Step(24)), width="stretch")

    # ---------------------------------------------------------------- table by organ class
    st.subheader("Occurred and did not occur, by organ class")
    KIND = {"present": "occurred", "absent": "did not occur"}
    wide = counts.pivot_table(index=["organ_class", "term"], columns="condition", values=["present", "absent"], aggfunc="sum", fill_value=0)
    wide.columns = [f"{cond}: {KIND[kind]}" for kind, cond in wide.columns]
    wide = wide[sorted(wide.columns, key=lambda s: (s.split(":")[0], 0 if s.endswith(KIND["present"]) else 1))].reset_index()
    wide["trials"] = [by_event.get((t,), empty_count).label() for t in wide["term"]]
    wide["evidence"] = [c.page_url("explorer", ae=t, condition=list(conditions), route=list(routes), form=list(chosen_forms),
                                   tier=list(tiers), year_min=studies.year_min, year_max=studies.year_max)
                        for t in wide["term"]]
    st.dataframe(
        wide, hide_index=True, key="ae_table",
        column_config={
            "organ_class": st.column_config.TextColumn("Organ class"),
            "term": st.column_config.TextColumn("Event"),
            "trials": st.column_config.TextColumn("Occurred: trials", help=TRIALS_HELP + " Over the conditions shown."),
            "evidence": st.column_config.LinkColumn("Studies", display_text="list studies →",
                                                    help="Articles in which this event occurred, in the evidence explorer"),
        },
    )

    # ---------------------------------------------------------------- by route
    st.subheader("Event × route (studies reporting the event)")
    by_route = ae_counts.route_counts(tables, pmids, routes, organ_classes)
    if by_route.empty:
        st.info("No study in this selection reports an event that occurred.")
    else:
        by_route["pct"] = 100.0 * by_route["studies"] / by_route["route_studies"].clip(lower=1)
        by_route["route_label"] = [f"{c.nice(r)} (n={n:,})" for r, n in zip(by_route["route"], by_route["route_studies"])]
        st.caption("Colour: share of the route's studies in this selection that report the event; "
                   "number: those studies. A study of several routes counts under each.")
        route_order = list(by_route.groupby("route_label")["route_studies"].first().sort_values(ascending=False).index)
        term_order = list(by_route.groupby("term")["studies"].sum().sort_values(ascending=False).index)
        route_heat = alt.Chart(by_route).mark_rect().encode(
            x=alt.X("route_label:N", sort=route_order, title="Route (studies in the selection)", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("term:N", sort=term_order, title="Adverse event", axis=alt.Axis(labelLimit=260)),
            color=alt.Color("pct:Q", title="% of the route's studies", scale=alt.Scale(scheme="orangered")),
            tooltip=[alt.Tooltip("term:N", title="Event"), alt.Tooltip("route:N", title="Route"),
                     alt.Tooltip("studies:Q", title="Studies reporting it"),
                     alt.Tooltip("route_studies:Q", title="Studies of the route"),
                     alt.Tooltip("pct:Q", title="%", format=".1f")],
        )
        route_text = route_heat.mark_text(fontSize=11).encode(text="studies:Q", color=alt.value("black"))
        st.altair_chart((route_heat + route_text).properties(height=alt.Step(24)), width="stretch")
        route_wide = by_route.pivot_table(index=["organ_class", "term"], columns="route_label", values="studies",
                                          aggfunc="sum", fill_value=0)
        route_wide = route_wide[[r for r in route_order if r in route_wide.columns]].reset_index()
        st.dataframe(route_wide, hide_index=True, key="ae_routes", column_config={
            "organ_class": st.column_config.TextColumn("Organ class"),
            "term": st.column_config.TextColumn("Event"),
        })
        per_route = ae_counts.route_trials(tables, pmids)
        shown_routes = by_route.groupby("route")["route_studies"].first().sort_values(ascending=False)
        st.caption("Studies of each route in this selection: " + "; ".join(
            f"{c.nice(r)} {n:,} studies ({per_route.get((r,), empty_count).label()})" for r, n in shown_routes.items()),
            help=TRIALS_HELP)

    # ---------------------------------------------------------------- frequencies
    st.subheader("Frequencies stated in abstracts", help=c.help_text("frequency"))
    freq = ae_counts.frequencies(tables, pmids, organ_classes)
    if freq.empty:
        st.info("No abstract in this selection states how often an event occurred.")
    else:
        # the chart draws the mentions of the largest studies (a browser draws some thousand points well); the table
        # below summarises every mention
        plotted = freq.nlargest(FREQUENCIES_PLOTTED, "sample_size") if len(freq) > FREQUENCIES_PLOTTED else freq
        if len(plotted) < len(freq):
            st.caption(f"The chart shows the {len(plotted):,} mentions of the largest studies, of {len(freq):,}; "
                       "the table summarises all of them.")
        st.altair_chart(
            alt.Chart(plotted)
            .mark_circle(opacity=0.6)
            .encode(
                x=alt.X("frequency_pct:Q", title="Patients with the event (%)"),
                y=alt.Y("term:N", title=None, axis=alt.Axis(labelLimit=260)),
                size=alt.Size("sample_size:Q", title="Study N"),
                color=alt.Color("organ_class:N", title="Organ class"),
                tooltip=["term:N", "frequency:N", alt.Tooltip("frequency_pct:Q", title="%"), "sample_size:Q", "pmid:Q", "design:N"],
            )
            .properties(height=max(200, 22 * plotted["term"].nunique())),
            width="stretch",
        )
        summary = freq.groupby("term", as_index=False).agg(
            studies=("pmid", "nunique"), median_pct=("frequency_pct", "median"), min_pct=("frequency_pct", "min"),
            max_pct=("frequency_pct", "max"))
        freq_trials = trial_counts.count_trials(freq, ("term",))
        summary.insert(2, "trials", [freq_trials[(t,)].label() for t in summary["term"]])
        st.dataframe(summary, hide_index=True, key="freq_table", column_config={
            "term": "Event", "studies": "Studies with a frequency",
            "trials": st.column_config.TextColumn("Trials", help=TRIALS_HELP),
            "median_pct": st.column_config.NumberColumn("Median %", format="%.1f"),
            "min_pct": st.column_config.NumberColumn("Min %", format="%.1f"),
            "max_pct": st.column_config.NumberColumn("Max %", format="%.1f"),
        })

    # ---------------------------------------------------------------- evidence sentences
    st.subheader("Evidence sentences")
    terms = list(counts.groupby("term")["present"].sum().sort_values(ascending=False).index)
    # which mentions to list: occurred only by default, the counted reports
    SHOW_STATUSES = {s: (s,) for s in AE_STATUSES} | {"all": ()}
    EVIDENCE_PARAMS = [url_state.Param("event", "ae_term", kind="one", choices=terms),
                       url_state.Param("show", "ae_status", kind="one", choices=list(SHOW_STATUSES), default="occurred")]
    url_state.load("adverse_events_evidence", EVIDENCE_PARAMS)
    if st.session_state.get("ae_term") not in terms:  # the filters no longer list it
        st.session_state.pop("ae_term", None)
    e1, e2 = st.columns([1, 2])
    term = e1.selectbox("Event", terms, key="ae_term")
    show = e2.radio("Show", list(SHOW_STATUSES), horizontal=True, key="ae_status", help=c.AE_STATUS_HELP,
                    format_func=lambda k: {"occurred": "occurred only", "all": "all"}.get(k, c.ae_status_label(k)))
    url_state.save("adverse_events_evidence", EVIDENCE_PARAMS)
    evidence = ctx.q("adverse_event_evidence", term, conditions=tuple(conditions), statuses=SHOW_STATUSES[show], limit=500,
                     studies=studies)
    what = "" if show == "all" else f" ({'occurred only' if show == 'occurred' else c.ae_status_label(show)})"
    st.write(f"**{len(evidence)}** sentence(s) about *{c.md(term)}*{what}" + (" (first 500)" if len(evidence) >= 500 else "") + ".")
    if evidence:
        ev = pd.DataFrame(evidence)
        st.dataframe(
            pd.DataFrame({
                "article": [c.article_url(p) for p in ev["pmid"]],
                "year": ev["pub_year"],
                "status": [c.ae_status_label(x) for x in ev["status"]],
                "arm": [c.ae_arm_label(x) for x in ev["arm"]],
                "frequency": ev["frequency"].fillna(""),
                "sentence": ev["sentence"],
                "design": [c.design_label(d) for d in ev["design"]],
                "title": ev["title"],
                "retracted": ev["is_retracted"].astype(bool),
            }),
            hide_index=True, key="ae_evidence",
            column_config={
                "article": st.column_config.LinkColumn("PMID", display_text=r"pmid=(\d+)"),
                "year": st.column_config.NumberColumn("Year", format="%d"),
                "sentence": st.column_config.TextColumn("Evidence sentence", width="large"),
                "title": st.column_config.TextColumn("Title", width="medium"),
                "retracted": st.column_config.CheckboxColumn("Retracted"),
                "status": st.column_config.TextColumn("Status", help=c.AE_STATUS_HELP),
                "arm": st.column_config.TextColumn("Arm", help=c.AE_ARM_HELP),
            },
        )
        first = evidence[0]
        sentence = escape(first["sentence"]).replace(escape(term), f"<mark>{escape(term)}</mark>")
        st.caption(f"Example ({c.ae_status_label(first['status'])}, {c.ae_arm_label(first['arm'])}):")
        st.html(f'<blockquote style="margin:0">{sentence} — <a href="{escape(c.article_url(first["pmid"]), quote=True)}" target="_self">PMID {int(first["pmid"])}</a></blockquote>')
