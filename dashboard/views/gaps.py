"""Evidence-gap map: where is the evidence thin? Condition × route (× design tier), trials and participants per cell.

Every cell links to the evidence explorer with the same filters in its URL;
this page's own filters live in the URL too (``st.query_params``), so a view
can be sent to a colleague.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard import trial_counts, url_state
from db.evidence_map import UNSPECIFIED, MapFilter

#: what a cell's colour and number show
MEASURES = {"trials": "Trials", "participants": "Participants"}


with c.guard("gaps"):
    ctx = c.start("Evidence-gap map")
    st.caption(
        "Where is the evidence thin? Each cell counts the studies of a condition given by a route, as trials "
        "(reports of one trial, by registry number or a secondary analysis naming its parent, count once) and "
        "participants (each trial's largest stated sample size). An article with two routes or conditions is in "
        "two cells. Empty cells are the gaps. Click a cell, or a row's link, to list its studies in the explorer."
    )
    opts = ctx.q("filter_options")
    tiers = c.labels()["tiers"]
    tier_codes = [t["code"] for t in tiers]
    form_values = list(c.labels()["forms"])
    y0, y1 = int(opts["year_min"] or 1990), int(opts["year_max"] or 1990)
    PARAMS = [
        url_state.Param("tier", "g_tiers", choices=tier_codes),
        url_state.Param("form", "g_forms", choices=form_values),
        url_state.Param("year", "g_years", kind="range", default=(y0, y1), lo=y0, hi=y1),
        url_state.Param("show", "g_measure", kind="one", default="trials", choices=list(MEASURES)),
        # the toggle and the checkbox hold booleans: written "True", anything else in the URL ignored
        url_state.Param("by_design", "g_by_design", kind="one", default=False, choices=[False, True]),
        url_state.Param("with_retracted", "g_retracted", kind="one", default=False, choices=[False, True]),
    ]
    url_state.load("gaps", PARAMS)

    f1, f2, f3 = st.columns([2, 2, 3])
    tier_sel = f1.multiselect("Design tier", tier_codes, key="g_tiers", format_func=c.tier_label, help=c.help_text("design"))
    form_sel = f2.multiselect("Ketamine form", form_values, key="g_forms",
                              format_func=lambda v: c.labels()["forms"].get(v, v), help=c.help_text("form"))
    years = f3.slider("Publication year", y0, y1, key="g_years") if y0 < y1 else (y0, y1)
    o1, o2, o3 = st.columns(3)
    measure = o1.radio("Cells show", list(MEASURES), key="g_measure", format_func=MEASURES.get, horizontal=True)
    by_design = o2.toggle("Split by design tier", key="g_by_design")
    with_retracted = o3.checkbox("Count retracted articles", key="g_retracted")

    year_min = years[0] if years[0] > y0 else None
    year_max = years[1] if years[1] < y1 else None
    url_state.save("gaps", PARAMS)

    designs = tuple(sorted({d for t in tier_sel for d in c.tier_designs(t)}))
    flt = MapFilter(designs=designs, forms=tuple(form_sel), year_min=year_min, year_max=year_max,
                    include_retracted=with_retracted)
    gap = trial_counts.evidence_map(ctx, flt, by_tier=by_design)
    st.write(f"**{gap.total.label()}** in this selection ({gap.total.reports:,} articles).")
    if not gap.total.reports:
        st.info("No extracted study matches these filters.")
        st.stop()

    def explorer_link(condition: str, route: str, tier: str | None) -> str | None:
        """The explorer listing a cell's articles (none for the unplaced row / column)."""
        if UNSPECIFIED in (condition, route):
            return None
        return c.page_url(
            "explorer", condition=condition, route=route, tier=[tier] if tier else list(tier_sel), form=list(form_sel),
            year_min=year_min, year_max=year_max, retracted=None if with_retracted else 0,
        )

    cells = pd.DataFrame([
        {"condition": cell.condition, "route": cell.route, "tier": cell.design_group,
         "trials": cell.count.trials, "participants": cell.count.participants, "reports": cell.count.reports,
         "unknown_n": cell.count.trials_without_n,
         "explorer": explorer_link(cell.condition, cell.route, cell.design_group)}
        for cell in gap.cells
    ])
    cells["condition_label"] = [c.nice(x) for x in cells["condition"]]
    cells["route_label"] = [c.nice(x) for x in cells["route"]]
    cells["tier_label"] = [c.tier_label(t) if t else "" for t in cells["tier"]]
    cond_order = [c.nice(x) for x in gap.conditions]
    route_order = [c.nice(x) for x in gap.routes]

    # ---------------------------------------------------------------- the map
    base = alt.Chart().encode(  # data on the layer, as faceting needs
        x=alt.X("route_label:N", sort=route_order, title="Route", axis=alt.Axis(labelAngle=-30, labelLimit=200)),
        y=alt.Y("condition_label:N", sort=cond_order, title="Condition", axis=alt.Axis(labelLimit=240)),
    )
    heat = base.mark_rect(stroke="white").encode(
        color=alt.Color(f"{measure}:Q", title=MEASURES[measure], scale=alt.Scale(scheme="blues", type="symlog")),
        href="explorer:N",
        tooltip=[alt.Tooltip("condition_label:N", title="Condition"), alt.Tooltip("route_label:N", title="Route"),
                 *([alt.Tooltip("tier_label:N", title="Design tier")] if by_design else []),
                 alt.Tooltip("trials:Q", title="Trials"), alt.Tooltip("participants:Q", title="Participants", format=","),
                 alt.Tooltip("reports:Q", title="Articles")],
    )
    labels = base.mark_text(fontSize=12).encode(
        text=alt.Text(f"{measure}:Q", format=","),
        color=alt.condition(f"datum.{measure} == 0", alt.value("#c62828"), alt.value("#111111")),
        href="explorer:N",  # the number covers the middle of its cell: clicking it opens the same studies
    )
    layered = alt.layer(heat, labels, data=cells).properties(width=alt.Step(86), height=alt.Step(30))
    if by_design:
        # one map per tier, stacked: side by side they squeeze the cells until the numbers overlap
        tier_order = [t["label"] for t in tiers if t["code"] in gap.design_groups]  # the pyramid's order
        chart = layered.facet(row=alt.Row("tier_label:N", sort=tier_order, title=None,
                                          header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start",
                                                            labelFontWeight="bold", labelLimit=400))
                                ).resolve_axis(x="independent")  # route names under every tier's map
    else:
        chart = layered
    st.altair_chart(chart, width="content")
    st.caption("Zeros in red are combinations no study in this selection covers. Unspecified: the abstract names no "
               "condition or route the extractor knows.")

    # ---------------------------------------------------------------- the cells as a table
    shown = cells[cells["reports"] > 0].sort_values([measure, "trials"], ascending=False)
    with st.expander(f"Every covered cell ({len(shown):,}) with a link to its studies", expanded=False):
        cols = ["condition_label", "route_label", *(["tier_label"] if by_design else []), "trials", "participants",
                "reports", "unknown_n", "explorer"]
        st.dataframe(
            shown[cols], hide_index=True, key="gap_table",
            column_config={
                "condition_label": st.column_config.TextColumn("Condition", help=c.help_text("condition")),
                "route_label": st.column_config.TextColumn("Route", help=c.help_text("route")),
                "tier_label": st.column_config.TextColumn("Design tier", help=c.help_text("design")),
                "trials": st.column_config.NumberColumn("Trials"),
                "participants": st.column_config.NumberColumn("Participants"),
                "reports": st.column_config.NumberColumn("Articles", help="Reports (articles) in the cell: what the explorer lists."),
                "unknown_n": st.column_config.NumberColumn("Trials without N", help="Trials none of whose reports states a sample size."),
                "explorer": st.column_config.LinkColumn("Studies", display_text="list studies →"),
            },
        )
