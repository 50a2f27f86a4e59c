"""Overview: how much evidence, of what design, per year, and what is new."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard import trial_counts, url_state
from db.models import utcnow

#: rows of each change list shown on the page (the totals count them all)
CHANGES_SHOWN = 200
TRIALS_HELP = ("Reports of one trial (same registry number, or a secondary analysis naming its parent) count once; "
               "participants are each trial's largest stated sample size. An article linked to no other is a trial of its own.")


def trial_columns(df: pd.DataFrame, key: str, counts: dict) -> pd.DataFrame:
    """Add the ``trials`` and ``participants`` of each row's ``key`` value (0 when absent)."""
    df["trials"] = [counts[k].trials if k in counts else 0 for k in df[key]]
    df["participants"] = [counts[k].participants if k in counts else 0 for k in df[key]]
    return df


ARTICLE_COLUMNS = ["article", "pub_year", "title", "design", "conditions", "sample_size", "is_retracted", "pubmed"]


def article_table(df: pd.DataFrame, key: str) -> None:
    """Articles (the columns of :data:`ARTICLE_COLUMNS`) as a table linking to their pages and PubMed."""
    st.dataframe(
        df[ARTICLE_COLUMNS], hide_index=True, key=key,
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


def change_table(items, key: str) -> None:
    """One change list (:class:`db.news.NewsItem`) as a table with links."""
    df = pd.DataFrame({
        "article": [c.article_url(i.pmid) for i in items],
        "pub_year": [i.pub_year for i in items],
        "title": [i.title for i in items],
        "design": [c.design_label(i.design) for i in items],
        "conditions": [c.join(list(i.conditions)) for i in items],
        "sample_size": [i.sample_size for i in items],
        "is_retracted": [i.is_retracted for i in items],
        "pubmed": [c.pubmed_url(i.pmid) for i in items],
    })
    article_table(df, key)


with c.guard("overview"):
    ctx = c.start("Ketamine evidence map")
    tot = ctx.q("totals")
    # the last update/harvest job that finished (an earlier failed attempt or a job still running is not it)
    harvest = trial_counts.last_harvest(ctx)
    changed = trial_counts.changes_since_last_harvest(ctx, limit=CHANGES_SHOWN)

    if harvest is None:
        st.caption("No harvest has finished yet (articles were loaded another way, or the first harvest is still running).")
    else:
        summary = (f" Since it started: {changed.new.total:,} new, {changed.revised.total:,} revised and "
                   f"{changed.retracted.total:,} newly retracted articles.") if changed else ""
        if harvest.failed_topics:
            st.warning(
                f"The last harvest (finished {c.fmt_time(harvest.finished)}) **had failures**: "
                f"{c.md(', '.join(harvest.failed_topics))} could not be harvested; the next run fetches what it missed. "
                "Details under *About the data*.",
                icon=":material/warning:",
            )
        st.caption(
            f"Last harvest: {len(harvest.topics)} topic(s), started {c.fmt_time(harvest.started)}, "
            f"finished {c.fmt_time(harvest.finished)}.{summary} Details under *About the data*."
        )

    everything = trial_counts.by(ctx, "all").get("all")
    cols = st.columns(4)
    cols[0].metric("Articles", f"{tot['articles']:,}", help="PubMed records stored (deleted citations excluded).")
    cols[1].metric("Extracted", f"{tot['extracted']:,}", help="Articles whose study facts have been extracted.")
    cols[2].metric("Awaiting extraction", f"{tot['pending']:,}", help="Stored but not yet read by the extractor.")
    cols[3].metric("Retracted", f"{tot['retracted']:,}", help="Flagged as retracted by PubMed; still listed, with a banner.")
    if everything:
        cols[0].caption(everything.label(), help=TRIALS_HELP)
    if tot["retracted"]:
        with cols[3]:
            c.link(c.page_url("explorer", retracted=1), f"Retracted {tot['retracted']:,}: list them →")
    if changed is not None:
        ncols = st.columns(4)
        ncols[0].metric("New since last harvest", f"{changed.new.total:,}", help=c.help_text("new"))
        ncols[1].metric("Revised since last harvest", f"{changed.revised.total:,}",
                        help="Stored before the last harvest; PubMed revised the record since.")
        ncols[2].metric("Newly retracted since last harvest", f"{changed.retracted.total:,}",
                        help="Stored before the last harvest; the record now carries a retraction.")

    # ---------------------------------------------------------------- totals per topic / condition
    left, right = st.columns(2)
    with left:
        st.subheader("Articles per topic")
        topics = trial_columns(pd.DataFrame(ctx.q("counts_by_topic"), columns=["topic", "articles"]), "topic",
                               trial_counts.by(ctx, "topic"))
        topics["browse"] = [c.page_url("explorer", topic=t) for t in topics["topic"]]
        st.dataframe(
            topics, hide_index=True, key="topics_table",
            column_config={
                "topic": st.column_config.TextColumn("Topic (PubMed query)", help="The harvest query that found the article."),
                "articles": st.column_config.NumberColumn("Articles"),
                "trials": st.column_config.NumberColumn("Trials", help=TRIALS_HELP),
                "participants": st.column_config.NumberColumn("Participants", help=TRIALS_HELP),
                "browse": st.column_config.LinkColumn("Browse", display_text="open list →"),
            },
        )
    with right:
        st.subheader("Articles per extracted condition")
        conds = trial_columns(pd.DataFrame(ctx.q("counts_by_condition"), columns=["condition", "articles"]), "condition",
                              trial_counts.by(ctx, "condition"))
        conds["browse"] = [c.page_url("explorer", condition=x) for x in conds["condition"]]
        st.dataframe(
            conds, hide_index=True, key="conditions_table",
            column_config={
                "condition": st.column_config.TextColumn("Condition", help=c.help_text("condition")),
                "articles": st.column_config.NumberColumn("Articles"),
                "trials": st.column_config.NumberColumn("Trials", help=TRIALS_HELP),
                "participants": st.column_config.NumberColumn("Participants", help=TRIALS_HELP),
                "browse": st.column_config.LinkColumn("Browse", display_text="open list →"),
            },
        )

    # ---------------------------------------------------------------- evidence pyramid
    st.subheader("Evidence pyramid", help=c.help_text("design"))
    condition_names = [x for x, _ in ctx.q("counts_by_condition")]
    PARAMS = [url_state.Param("condition", "pyramid_condition", kind="one", default="All conditions",
                              choices=["All conditions", *condition_names])]
    url_state.load("overview", PARAMS)
    choice = st.selectbox("Condition", ["All conditions", *condition_names], key="pyramid_condition")
    url_state.save("overview", PARAMS)
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
    pyr = trial_columns(pyr, "tier", trial_counts.by(ctx, "design", conditions=selected, tiers=True))
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
            pyr[["level", "articles", "trials", "participants", "browse"]], hide_index=True, key="pyramid_table",
            column_config={
                "level": st.column_config.TextColumn("Design tier"),
                "articles": st.column_config.NumberColumn("Articles"),
                "trials": st.column_config.NumberColumn("Trials", help=TRIALS_HELP),
                "participants": st.column_config.NumberColumn("Participants", help=TRIALS_HELP),
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

    # ---------------------------------------------------------------- what changed since the last harvest
    st.subheader("What changed since the last harvest", help=c.help_text("new"))
    if changed is None:
        st.info("No harvest has finished yet: nothing to compare with.")
    else:
        lists = [("New", changed.new, "new_table"), ("Revised", changed.revised, "revised_table"),
                 ("Newly retracted", changed.retracted, "retracted_table")]
        for tab, (_, change, key) in zip(st.tabs([f"{name} ({lst.total:,})" for name, lst, _ in lists]), lists):
            with tab:
                if not change.items:
                    st.caption("None.")
                    continue
                change_table(change.items, key)
                if change.total > len(change.items):
                    st.caption(f"Randomised trials first; the first {len(change.items):,} of {change.total:,} shown.")
        c.link(c.page_url("explorer", new="harvest"), "Filter and export the new articles in the evidence explorer →")

    # ---------------------------------------------------------------- new in the last days
    st.subheader("New articles in the last days", help=c.help_text("new"))
    hour = utcnow().replace(minute=0, second=0, microsecond=0)  # stable cache key within the hour
    days = st.radio("Show articles first stored in the last", [7, 30], horizontal=True, key="new_window",
                    format_func=lambda d: f"{d} days")
    since = hour - timedelta(days=days)
    n_total, new_rows = ctx.q("search_articles", c.queries.ArticleFilter(since=since), sort="newest", limit=CHANGES_SHOWN)
    st.write(f"**{n_total:,}** articles first stored in the last {days} days (since {c.fmt_time(since)})."
             + (f" Showing the {CHANGES_SHOWN} newest." if n_total > CHANGES_SHOWN else ""))
    if new_rows:
        df = pd.DataFrame(new_rows)
        df["article"] = [c.article_url(p) for p in df["pmid"]]
        df["design"] = [c.design_label(d) for d in df["design"]]
        df["conditions"] = [c.join(x) for x in df["conditions"]]
        df["pubmed"] = [c.pubmed_url(p) for p in df["pmid"]]
        article_table(df, "recent_table")
        c.link(c.page_url("explorer", new=str(days)), "Filter and export these in the evidence explorer →")
