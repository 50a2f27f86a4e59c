"""Outcomes and efficacy: direction of results by condition and design, measures, trials."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard import trial_counts, url_state

TRIALS_SHOWN = 500
#: what ``Extraction.efficacy_direction`` holds (the authors' verdict on the whole study), in legend order
STUDY_DIRECTIONS = ("positive", "mixed", "null", "negative")
#: what ``ExtractedOutcome.direction`` holds (one outcome measure's result), in legend order
OUTCOME_DIRECTIONS = ("improved", "no_difference", "worsened", "unclear")
#: the study verdict that favours ketamine
FAVOURS_KETAMINE = "positive"
TRIALS_HELP = ("Reports of one trial (same registry number, or a secondary analysis naming its parent) count once; "
               "participants are each trial's largest stated sample size.")

with c.guard("outcomes"):
    ctx = c.start("Outcomes and efficacy")
    st.caption(c.help_text("efficacy_direction"))
    LAB = c.labels()
    tiers = LAB["tiers"]
    LEGEND = alt.Legend(labelLimit=320, orient="bottom", columns=2)

    def direction_scale(codes) -> alt.Scale:
        """One chart's colours: its own label set only (codes outside it, from old extractions, appended)."""
        return alt.Scale(domain=[c.direction_label(d) for d in codes],
                         range=[LAB["direction_colors"].get(d, "#bdbdbd") for d in codes])

    conds_all = [x for x, _ in ctx.q("counts_by_condition")]
    tier_codes = [t["code"] for t in tiers if t["code"] not in ("other",)]
    PARAMS = [
        url_state.Param("condition", "out_conditions", choices=conds_all),
        url_state.Param("tier", "out_tiers", choices=tier_codes),
        url_state.Param("weighted", "out_weighted", kind="one", default=False, choices=[False, True]),
    ]
    url_state.load("outcomes", PARAMS)
    f1, f2 = st.columns(2)
    conditions = f1.multiselect("Condition", conds_all, key="out_conditions", help=c.help_text("condition"))
    tier_sel = f2.multiselect("Design tier", tier_codes, key="out_tiers",
                              format_func=c.tier_label, help=c.help_text("design"))
    # full width: in a narrow column the label was cut to "Weight by sampl..."
    weighted = st.toggle("Weight by sample size", key="out_weighted", help=c.help_text("weighted"))
    url_state.save("outcomes", PARAMS)
    designs = tuple(sorted({d for t in tier_sel for d in c.tier_designs(t)}))

    # Rows are per (condition, design, direction): narrowing the unfiltered
    # aggregate (cached once) equals asking SQL again for the selection.
    rows = pd.DataFrame(ctx.q("direction_counts"))
    if not rows.empty and conditions:
        rows = rows[rows["condition"].isin(conditions)]
    if not rows.empty and designs:
        rows = rows[rows["design"].isin(designs)]
    rows = rows.reset_index(drop=True)
    if rows.empty:
        st.info("No extracted study for this selection.")
        st.stop()
    rows["tier"] = [c.tier_label(c.tier_of(d)) for d in rows["design"]]
    rows["tier_order"] = [next(i for i, t in enumerate(tiers) if t["code"] == c.tier_of(d)) for d in rows["design"]]
    rows["result"] = [c.direction_label(d) for d in rows["direction"]]
    with_result = rows[rows["direction"] != "not_applicable"]

    study_codes = [*STUDY_DIRECTIONS, *sorted(set(rows["direction"]) - set(STUDY_DIRECTIONS) - {"not_applicable"})]
    dir_scale = direction_scale(study_codes)

    # each trial once (its reports grouped by registry id), each article once whatever its conditions
    verdicts = sorted(set(rows["direction"]) - {"not_applicable"})
    stated = trial_counts.by(ctx, "all", conditions=conditions, designs=designs, directions=verdicts).get("all")
    favouring = trial_counts.by(ctx, "all", conditions=conditions, designs=designs, directions=[FAVOURS_KETAMINE]).get("all")
    m1, m2, m3 = st.columns(3)
    m1.metric("Trials with a stated result", f"{stated.trials if stated else 0:,}",
              help="Studies whose abstract states a verdict on ketamine's benefit; reports of one trial count once.")
    m2.metric("…favouring ketamine", f"{favouring.trials if favouring else 0:,}",
              help="Of those, studies whose authors conclude ketamine helps (verdict positive); reports of one trial count once.")
    m3.metric("Participants in trials with a result", f"{stated.participants if stated else 0:,}",
              help="Each trial's largest stated sample size, each trial once. " + c.help_text("weighted"))

    # ---------------------------------------------------------------- direction by condition and design
    # trials (reports of one trial once) and their participants per condition, tier and verdict
    tier_codes_all = [t["code"] for t in tiers]

    def tier_code(code: str) -> str:
        return code if code in tier_codes_all else c.tier_of(code)

    by_cell = trial_counts.by(ctx, ("condition", "design", "direction"), conditions=conditions, designs=designs, tiers=True)
    agg = pd.DataFrame(
        [{"condition": cond, "tier": c.tier_label(tier_code(t)), "tier_order": tier_codes_all.index(tier_code(t)),
          "result": c.direction_label(d), "trials": n.trials, "participants": n.participants}
         for (cond, t, d), n in by_cell.items() if d not in ("not_applicable", "not_extracted")],
        columns=["condition", "tier", "tier_order", "result", "trials", "participants"],
    )
    if conditions:  # an article of two conditions is also in the other one's rows
        agg = agg[agg["condition"].isin(conditions)]
    measure = "participants" if weighted else "trials"
    st.subheader("Direction of results by condition and design" + (" (weighted by sample size)" if weighted else ""))
    if agg.empty:
        st.info("No study in this selection states a direction of effect.")
    else:
        st.altair_chart(
            alt.Chart(agg)
            .mark_bar()
            .encode(
                y=alt.Y("tier:N", sort=alt.SortField("tier_order"), title=None, axis=alt.Axis(labelLimit=260)),
                x=alt.X(f"sum({measure}):Q", stack="normalize", title=f"Share of {measure}", axis=alt.Axis(format="%")),
                color=alt.Color("result:N", title="Authors' verdict", scale=dir_scale, legend=LEGEND),
                row=alt.Row("condition:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")),
                tooltip=["condition:N", "tier:N", "result:N", alt.Tooltip("trials:Q", title="Trials"),
                         alt.Tooltip("participants:Q", title="Participants", format=",")],
            )
            .properties(height=alt.Step(22)),
            width="stretch",
        )

        drill = with_result.groupby(["condition", "direction", "result"], as_index=False)[["studies"]].sum()
        per_verdict = trial_counts.by(ctx, ("condition", "direction"), conditions=conditions, designs=designs)
        drill["trials"] = [per_verdict[(k, d)].trials if (k, d) in per_verdict else 0 for k, d in zip(drill["condition"], drill["direction"])]
        drill["participants"] = [per_verdict[(k, d)].participants if (k, d) in per_verdict else 0
                                 for k, d in zip(drill["condition"], drill["direction"])]
        drill["studies_link"] = [
            c.page_url("explorer", condition=cond, direction=d, tier=list(tier_sel)) for cond, d in zip(drill["condition"], drill["direction"])
        ]
        with st.expander("Counts behind the chart, with links to the studies"):
            st.dataframe(drill[["condition", "result", "studies", "trials", "participants", "studies_link"]], hide_index=True,
                         key="direction_table",
                         column_config={"studies": st.column_config.NumberColumn("Articles", help="What the link lists."),
                                        "trials": st.column_config.NumberColumn("Trials", help=TRIALS_HELP),
                                        "participants": st.column_config.NumberColumn("Participants", help=TRIALS_HELP),
                                        "studies_link": st.column_config.LinkColumn("Studies", display_text="list studies →")})

    # ---------------------------------------------------------------- weighted view
    st.subheader("Sample-size-weighted view", help=TRIALS_HELP)
    wv = agg.groupby(["condition", "result"], as_index=False)[["trials", "participants"]].sum() if not agg.empty else agg
    st.caption("Colours as in the chart above. A trial without a stated N adds no participants.")
    wcols = st.columns(2)
    for col, (field, title) in zip(wcols, [("trials", "Each trial counts once"), ("participants", "Each participant counts once")]):
        if wv.empty:
            break
        col.altair_chart(
            alt.Chart(wv)
            .mark_bar()
            .encode(
                y=alt.Y("condition:N", title=None),
                x=alt.X(f"{field}:Q", stack="normalize", title=f"{title} (share)", axis=alt.Axis(format="%")),
                color=alt.Color("result:N", title="Authors' verdict", scale=dir_scale, legend=None),
                tooltip=["condition:N", "result:N", alt.Tooltip("trials:Q", title="Trials", format=","),
                         alt.Tooltip("participants:Q", title="Participants", format=",")],
            )
            .properties(title=title, height=alt.Step(32)),
            width="stretch",
        )

    # ---------------------------------------------------------------- outcome measures
    st.subheader("Outcome measures used", help=c.help_text("outcome"))
    om = pd.DataFrame(ctx.q("outcome_measures", conditions=tuple(conditions), designs=designs))
    if om.empty:
        st.info("No named outcome measure extracted for this selection.")
    else:
        om["result"] = [c.direction_label(d) for d in om["direction"]]
        outcome_codes = [*OUTCOME_DIRECTIONS, *sorted(set(om["direction"]) - set(OUTCOME_DIRECTIONS))]
        top = om.groupby("measure")["studies"].sum().sort_values(ascending=False)
        st.altair_chart(
            alt.Chart(om[om["measure"].isin(top.index[:25])])
            .mark_bar()
            .encode(
                y=alt.Y("measure:N", sort=list(top.index[:25]), title=None, axis=alt.Axis(labelLimit=280)),
                x=alt.X("studies:Q", title="Studies"),
                color=alt.Color("result:N", title="Result of the measure", scale=direction_scale(outcome_codes), legend=LEGEND),
                tooltip=["measure:N", "result:N", "studies:Q"],
            )
            .properties(height=alt.Step(22)),
            width="stretch",
        )

    # ---------------------------------------------------------------- RCT table
    st.subheader("Randomised controlled trials")
    rct_designs = tuple(c.tier_designs("rct"))
    n_rct, trials = ctx.q("trial_table", rct_designs, conditions=tuple(conditions), limit=TRIALS_SHOWN)
    rct_count = trial_counts.by(ctx, "all", conditions=conditions, designs=rct_designs).get("all")
    st.write(f"**{n_rct:,}** RCT reports" + (f": {rct_count.label()} (reports of one trial counted once)" if rct_count else "")
             + (f"; the {TRIALS_SHOWN:,} largest reports shown" if n_rct > TRIALS_SHOWN else "") + ", largest first.")
    c.link(c.page_url("explorer", tier="rct", condition=list(conditions)), "Filter and export them in the evidence explorer →")
    if trials:
        t = pd.DataFrame(trials)
        st.dataframe(
            pd.DataFrame({
                "article": [c.article_url(p) for p in t["pmid"]],
                "year": t["pub_year"],
                "title": t["title"],
                "n": t["sample_size"],
                "conditions": [c.join(x) for x in t["conditions"]],
                "route": [c.join(x) for x in t["routes"]],
                "form": [c.join(x) for x in t["ketamine_forms"]],
                "dose": ["; ".join(x) for x in t["doses"]],
                "comparator": [c.join(x) for x in t["comparators"]],
                "direction": [c.direction_label(d) for d in t["efficacy_direction"]],
                "retracted": t["is_retracted"].astype(bool),
            }),
            hide_index=True, key="rct_table", height=480,
            column_config={
                "article": st.column_config.LinkColumn("PMID", display_text=r"pmid=(\d+)"),
                "year": st.column_config.NumberColumn("Year", format="%d"),
                "title": st.column_config.TextColumn("Title", width="large"),
                "n": st.column_config.NumberColumn("N", help=c.help_text("sample_size")),
                "route": st.column_config.TextColumn("Route", help=c.help_text("route")),
                "form": st.column_config.TextColumn("Form", help=c.help_text("form")),
                "dose": st.column_config.TextColumn("Dose", help="Ketamine doses as written in the abstract."),
                "comparator": st.column_config.TextColumn("Comparator"),
                "direction": st.column_config.TextColumn("Direction", help=c.help_text("efficacy_direction")),
                "retracted": st.column_config.CheckboxColumn("Retracted"),
            },
        )
