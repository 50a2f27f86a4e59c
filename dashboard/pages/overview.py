"""Overview: how much evidence, of what design, per year, and what is new."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common as c
from db.models import utcnow

with c.guard("overview"):
    ctx = c.start("Ketamine evidence map")
    tot = ctx.q("totals")
    harvest = ctx.q("last_harvest")

    if harvest:
        status = {"success": "succeeded", "failed": "**had failures**", "running": "is still running"}[harvest["status"]]
        st.caption(
            f"Last harvest started {c.fmt_time(harvest['started'])} and {status} "
            f"({len(harvest['runs'])} topic runs, {harvest['new']} new articles); details under *About the data*."
        )
    else:
        st.caption("No harvest has been recorded yet (articles were loaded another way).")

    new_since = harvest["started"] if harvest else None
    n_new = ctx.q("count_articles", c.queries.ArticleFilter(since=new_since)) if new_since else 0
    cols = st.columns(5)
    cols[0].metric("Articles", f"{tot['articles']:,}", help="PubMed records stored (deleted citations excluded).")
    cols[1].metric("Extracted", f"{tot['extracted']:,}", help="Articles whose study facts have been extracted.")
    cols[2].metric("Awaiting extraction", f"{tot['pending']:,}", help="Stored but not yet read by the extractor.")
    cols[3].metric("Retracted", f"{tot['retracted']:,}", help="Flagged as retracted by PubMed; still listed, with a banner.")
    cols[4].metric("New since last harvest", f"{n_new:,}", help=c.help_text("new"))

    # ---------------------------------------------------------------- totals per topic / condition
    left, right = st.columns(2)
    with left:
        st.subheader("Articles per topic")
        topics = pd.DataFrame(ctx.q("counts_by_topic"), columns=["topic", "articles"])
        topics["browse"] = [c.page_url("explorer", topic=t) for t in topics["topic"]]
        st.dataframe(
            topics, hide_index=True, key="topics_table",
            column_config={
                "topic": st.column_config.TextColumn("Topic (PubMed query)", help="The harvest query that found the article."),
                "articles": st.column_config.NumberColumn("Articles"),
                "browse": st.column_config.LinkColumn("Browse", display_text="open list →"),
            },
        )
    with right:
        st.subheader("Articles per extracted condition")
        conds = pd.DataFrame(ctx.q("counts_by_condition"), columns=["condition", "articles"])
        conds["browse"] = [c.page_url("explorer", condition=x) for x in conds["condition"]]
        st.dataframe(
            conds, hide_index=True, key="conditions_table",
            column_config={
                "condition": st.column_config.TextColumn("Condition", help=c.help_text("condition")),
                "articles": st.column_config.NumberColumn("Articles"),
                "browse": st.column_config.LinkColumn("Browse", display_text="open list →"),
            },
        )

    # ---------------------------------------------------------------- evidence pyramid
    st.subheader("Evidence pyramid", help=c.help_text("design"))
    condition_names = [x for x, _ in ctx.q("counts_by_condition")]
    choice = st.selectbox("Condition", ["All conditions", *condition_names], key="pyramid_condition")
    selected = () if choice == "All conditions" else (choice,)
    by_design = ctx.q("design_counts", conditions=selected)
    tiers = c.labels()["tiers"]
    tier_n = {t["code"]: 0 for t in tiers}
    not_extracted = 0
    for design, n in by_design:
        if design == c.queries.NOT_EXTRACTED:
            not_extracted += n
        else:
            tier_n[c.tier_of(design)] += n
    pyr = pd.DataFrame(
        [{"order": i, "tier": t["code"], "level": t["label"], "articles": tier_n[t["code"]]} for i, t in enumerate(tiers)]
    )
    pyr["half"] = pyr["articles"] / 2
    pyr["browse"] = [
        c.page_url("explorer", tier=t, condition=list(selected)) for t in pyr["tier"]
    ]
    chart = (
        alt.Chart(pyr)
        .transform_calculate(left="-datum.half")
        .mark_bar()
        .encode(
            y=alt.Y("level:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("left:Q", title="Articles (bar width)", axis=alt.Axis(labels=False, ticks=False)),
            x2="half:Q",
            color=alt.Color("level:N", sort=alt.SortField("order"), legend=None, scale=alt.Scale(scheme="tealblues", reverse=True)),
            tooltip=[alt.Tooltip("level:N", title="Design"), alt.Tooltip("articles:Q", title="Articles", format=",")],
        )
    )
    if not_extracted:
        st.caption(f"{not_extracted:,} articles are not extracted yet and are not in the pyramid.")
    pc1, pc2 = st.columns([3, 2])
    with pc1:
        st.altair_chart(
            alt.layer(chart, alt.Chart(pyr).mark_text(fontWeight="bold", dx=0).encode(
                y=alt.Y("level:N", sort=alt.SortField("order")), x=alt.datum(0), text=alt.Text("articles:Q", format=","),
            )).properties(height=300),
            width="stretch",
        )
    with pc2:
        st.dataframe(
            pyr[["level", "articles", "browse"]], hide_index=True, key="pyramid_table",
            column_config={
                "level": st.column_config.TextColumn("Design tier"),
                "articles": st.column_config.NumberColumn("Articles"),
                "browse": st.column_config.LinkColumn("Browse", display_text="open list →"),
            },
        )

    # ---------------------------------------------------------------- per year
    st.subheader("Publications per year and condition")
    years = pd.DataFrame(ctx.q("year_condition_counts"), columns=["year", "condition", "articles"])
    if years.empty:
        st.info("No extracted article has a publication year yet.")
    else:
        st.altair_chart(
            alt.Chart(years)
            .mark_bar()
            .encode(
                x=alt.X("year:O", title="Publication year"),
                y=alt.Y("articles:Q", title="Articles", stack=True),
                color=alt.Color("condition:N", title="Condition"),
                tooltip=["year:O", "condition:N", alt.Tooltip("articles:Q", format=",")],
            )
            .properties(height=320),
            width="stretch",
        )

    # ---------------------------------------------------------------- new since
    st.subheader("New articles", help=c.help_text("new"))
    NEW_PARAM = {"since the last harvest": "harvest", "in the last 7 days": "7", "in the last 30 days": "30"}
    hour = utcnow().replace(minute=0, second=0, microsecond=0)  # stable cache key within the hour
    options = {"since the last harvest": new_since, "in the last 7 days": hour - timedelta(days=7),
               "in the last 30 days": hour - timedelta(days=30)}
    if new_since is None:
        options.pop("since the last harvest")
    window = st.radio("Show articles first stored", list(options), horizontal=True, key="new_window")
    since = options[window]
    n_total, new_rows = ctx.q("search_articles", c.queries.ArticleFilter(since=since), sort="newest", limit=200)
    st.write(f"**{n_total:,}** articles first stored {window} (since {c.fmt_time(since)})."
             + (" Showing the 200 newest." if n_total > 200 else ""))
    if new_rows:
        df = pd.DataFrame(new_rows)
        df["article"] = [c.article_url(p) for p in df["pmid"]]
        df["design"] = [c.design_label(d) for d in df["design"]]
        df["conditions"] = [c.join(x) for x in df["conditions"]]
        df["pubmed"] = [c.pubmed_url(p) for p in df["pmid"]]
        st.dataframe(
            df[["article", "pub_year", "title", "design", "conditions", "sample_size", "is_retracted", "pubmed"]],
            hide_index=True, key="new_table",
            column_config={
                "article": st.column_config.LinkColumn("PMID", display_text=r"pmid=(\d+)", help="Open the article page"),
                "pub_year": st.column_config.NumberColumn("Year", format="%d"),
                "title": st.column_config.TextColumn("Title", width="large"),
                "design": st.column_config.TextColumn("Design", help=c.help_text("design")),
                "conditions": st.column_config.TextColumn("Conditions", help=c.help_text("condition")),
                "sample_size": st.column_config.NumberColumn("N", help=c.help_text("sample_size")),
                "is_retracted": st.column_config.CheckboxColumn("Retracted"),
                "pubmed": st.column_config.LinkColumn("PubMed", display_text="PubMed ↗"),
            },
        )
        c.link(c.page_url("explorer", new=NEW_PARAM[window]), "Filter and export these in the evidence explorer →")
