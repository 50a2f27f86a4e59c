"""Adverse events: which harms occurred, or are stated not to have occurred, per condition.

Only mentions whose status is ``occurred`` count as reports of an event and
``not_occurred`` as reports of its absence; planned, background and other
drugs' mentions are listed among the evidence sentences on request only.
"""

from __future__ import annotations

from html import escape

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common as c
from db.queries import AE_STATUSES

with c.guard("adverse_events"):
    ctx = c.start("Adverse events")
    st.caption(c.help_text("adverse_event"))

    all_counts = pd.DataFrame(ctx.q("adverse_event_counts"))
    if all_counts.empty:
        st.info("No adverse event has been extracted yet.")
        st.stop()

    f1, f2 = st.columns(2)
    conditions = f1.multiselect("Condition", sorted(all_counts["condition"].unique()), key="ae_conditions",
                                help=c.help_text("condition"))
    organ_classes = f2.multiselect("Organ class", sorted(all_counts["organ_class"].unique()), key="ae_organs",
                                   help="MedDRA-style system organ class of the event term.")
    # Rows are per (condition, organ class, term), so narrowing the unfiltered
    # aggregate gives the same counts as asking SQL again, without the round trip.
    counts = all_counts
    if conditions:
        counts = counts[counts["condition"].isin(conditions)]
    if organ_classes:
        counts = counts[counts["organ_class"].isin(organ_classes)]
    counts = counts.reset_index(drop=True)
    if counts.empty:
        st.info("No adverse event for this selection.")
        st.stop()

    m1, m2, m3 = st.columns(3)
    m1.metric("Event terms", f"{counts['term'].nunique():,}")
    m2.metric("Study reports: occurred", f"{int(counts['present'].sum()):,}",
              help="Sum over events and conditions of the studies reporting the event as occurring (status occurred).")
    m3.metric("Study reports: did not occur", f"{int(counts['absent'].sum()):,}",
              help="Sum over events and conditions of the studies reporting the event did not occur or did not differ "
                   "between groups (status not occurred).")

    # ---------------------------------------------------------------- heatmap
    st.subheader("Event × condition (studies reporting the event)")
    order = counts.groupby(["organ_class", "term"], as_index=False)["present"].sum().sort_values(["organ_class", "present"], ascending=[True, False])
    heat = (
        alt.Chart(counts)
        .mark_rect()
        .encode(
            x=alt.X("condition:N", title="Condition", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("term:N", sort=list(order["term"]), title="Adverse event (grouped by organ class)", axis=alt.Axis(labelLimit=260)),
            color=alt.Color("present:Q", title="Studies: occurred", scale=alt.Scale(scheme="orangered")),
            tooltip=[alt.Tooltip("term:N", title="Event"), alt.Tooltip("organ_class:N", title="Organ class"),
                     alt.Tooltip("condition:N", title="Condition"), alt.Tooltip("present:Q", title="Studies reporting it"),
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
    wide["evidence"] = [c.page_url("explorer", ae=t, condition=list(conditions)) for t in wide["term"]]
    st.dataframe(
        wide, hide_index=True, key="ae_table",
        column_config={
            "organ_class": st.column_config.TextColumn("Organ class"),
            "term": st.column_config.TextColumn("Event"),
            "evidence": st.column_config.LinkColumn("Studies", display_text="list studies →",
                                                    help="Articles in which this event occurred, in the evidence explorer"),
        },
    )

    # ---------------------------------------------------------------- frequencies
    st.subheader("Frequencies stated in abstracts", help=c.help_text("frequency"))
    freq = pd.DataFrame(ctx.q("adverse_event_frequencies", conditions=tuple(conditions)))
    if organ_classes and not freq.empty:
        freq = freq[freq["organ_class"].isin(organ_classes)]
    if freq.empty:
        st.info("No abstract in this selection states how often an event occurred.")
    else:
        st.altair_chart(
            alt.Chart(freq)
            .mark_circle(opacity=0.6)
            .encode(
                x=alt.X("frequency_pct:Q", title="Patients with the event (%)"),
                y=alt.Y("term:N", title=None, axis=alt.Axis(labelLimit=260)),
                size=alt.Size("sample_size:Q", title="Study N"),
                color=alt.Color("organ_class:N", title="Organ class"),
                tooltip=["term:N", "frequency:N", alt.Tooltip("frequency_pct:Q", title="%"), "sample_size:Q", "pmid:Q", "design:N"],
            )
            .properties(height=max(200, 22 * freq["term"].nunique())),
            width="stretch",
        )
        summary = freq.groupby("term", as_index=False).agg(
            studies=("pmid", "nunique"), median_pct=("frequency_pct", "median"), min_pct=("frequency_pct", "min"),
            max_pct=("frequency_pct", "max"))
        st.dataframe(summary, hide_index=True, key="freq_table", column_config={
            "term": "Event", "studies": "Studies with a frequency",
            "median_pct": st.column_config.NumberColumn("Median %", format="%.1f"),
            "min_pct": st.column_config.NumberColumn("Min %", format="%.1f"),
            "max_pct": st.column_config.NumberColumn("Max %", format="%.1f"),
        })

    # ---------------------------------------------------------------- evidence sentences
    st.subheader("Evidence sentences")
    terms = list(counts.groupby("term")["present"].sum().sort_values(ascending=False).index)
    e1, e2 = st.columns([1, 2])
    term = e1.selectbox("Event", terms, key="ae_term")
    # which mentions to list: occurred only by default, the counted reports
    SHOW_STATUSES = {s: (s,) for s in AE_STATUSES} | {"all": ()}
    show = e2.radio("Show", list(SHOW_STATUSES), horizontal=True, key="ae_status", help=c.AE_STATUS_HELP,
                    format_func=lambda k: {"occurred": "occurred only", "all": "all"}.get(k, c.ae_status_label(k)))
    evidence = ctx.q("adverse_event_evidence", term, conditions=tuple(conditions), statuses=SHOW_STATUSES[show], limit=500)
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
