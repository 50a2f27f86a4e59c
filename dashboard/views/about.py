"""About the data: harvest history, extractor versions and measured extraction accuracy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard import trial_counts
from dashboard.accuracy import by_subset, interval, load_measurements, subset_datasets
from db.engine import redact

with c.guard("about"):
    ctx = c.start("About the data")
    st.markdown(
        "Articles come from PubMed (NCBI E-utilities), harvested nightly for each topic query; study facts are "
        "extracted from titles and abstracts by rules and term lists, not read by a person. "
        "Treat every extracted field as a pointer to the abstract, and check the abstract before citing a number."
    )
    st.caption(f"Database: `{redact(ctx.url)}` (opened read-only)")

    tot = ctx.q("totals")
    harvest = trial_counts.last_harvest(ctx)  # the last update/harvest job that finished (db.news), as on the Overview
    m = st.columns(4)
    m[0].metric("Articles", f"{tot['articles']:,}")
    m[1].metric("Extracted", f"{tot['extracted']:,}")
    m[2].metric("Awaiting extraction", f"{tot['pending']:,}")
    m[3].metric("Last harvest", harvest.status if harvest else "none",
                help=(f"Started {c.fmt_time(harvest.started)}, finished {c.fmt_time(harvest.finished)}"
                      + (f"; failed topics: {', '.join(harvest.failed_topics)}" if harvest.failed_topics else ""))
                if harvest else "No harvest has finished yet")

    st.subheader("Harvest history")
    runs = pd.DataFrame(ctx.q("harvest_history", limit=500))
    if runs.empty:
        st.info("No harvest run recorded yet.")
    else:
        failed = runs[runs["status"] == "failed"]
        if not failed.empty:
            st.warning(f"{len(failed)} of the last {len(runs)} runs failed; their errors are in the table below.")
        st.dataframe(
            runs[["started", "finished", "topic", "kind", "status", "found", "new", "updated", "unchanged", "deleted", "failed",
                  "requests", "window_start", "window_end", "error"]],
            hide_index=True, key="runs",
            column_config={
                "started": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
                "finished": st.column_config.DatetimeColumn("Finished (UTC)", format="YYYY-MM-DD HH:mm"),
                "found": st.column_config.NumberColumn("Found", help="PMIDs the query returned for the window"),
                "new": st.column_config.NumberColumn("New"),
                "updated": st.column_config.NumberColumn("Revised", help="Records PubMed changed since they were stored"),
                "failed": st.column_config.NumberColumn("Failed records"),
                "requests": st.column_config.NumberColumn("HTTP requests"),
                "error": st.column_config.TextColumn("Error", width="large"),
            },
        )

    st.subheader("Extractor versions")
    versions = pd.DataFrame(ctx.q("extractor_versions"))
    if versions.empty:
        st.info("Nothing has been extracted yet.")
    else:
        st.dataframe(versions, hide_index=True, key="versions", column_config={
            "version": "Extractor version", "articles": "Articles",
            "first": st.column_config.DatetimeColumn("First extraction (UTC)", format="YYYY-MM-DD HH:mm"),
            "last": st.column_config.DatetimeColumn("Latest extraction (UTC)", format="YYYY-MM-DD HH:mm"),
        })

    st.subheader("Measured extraction accuracy")
    acc = load_measurements()
    if acc.reason:
        st.info(acc.reason)
    else:
        version = acc.extractor_version or "unknown"
        st.caption(f"How well each extracted field matches labelled data (`ketamine-tracker evaluate`), measured for "
                   f"extractor version {version}. Ranges are 95% bootstrap intervals over the items scored; "
                   "'reference' is a published baseline where one exists.")
        if not versions.empty and acc.extractor_version and acc.extractor_version not in set(versions["version"].astype(str)):
            st.caption(f"The articles in this database were extracted by version(s) {', '.join(map(str, versions['version']))}, "
                       f"not {acc.extractor_version}: their accuracy may differ.")
        for dataset in subset_datasets(acc.rows):
            subsets, table = by_subset(acc.rows, dataset)
            st.markdown(f"**{dataset}**: value (95% interval) per subset; n = items scored")
            st.dataframe(pd.DataFrame(table), hide_index=True, key=f"accuracy_{dataset}", column_config={
                "field": "Field", "metric": "Metric",
                **{s: st.column_config.TextColumn(s) for s in subsets},
                **{f"n {s}": st.column_config.NumberColumn(f"n ({s})") for s in subsets},
            })
        frame = pd.DataFrame(acc.rows)
        frame.insert(frame.columns.get_loc("value") + 1, "interval", [interval(r) for r in acc.rows])
        st.markdown("**All measurements**")
        st.dataframe(frame.drop(columns=["low", "high"]), hide_index=True, key="accuracy", column_config={
            "dataset": "Data set", "subset": "Subset", "field": "Field", "metric": "Metric",
            "value": st.column_config.NumberColumn("Value", format="%.3f"),
            "interval": st.column_config.TextColumn("95% interval"),
            "reference": st.column_config.NumberColumn("Reference", format="%.3f"),
            "n": st.column_config.NumberColumn("Items scored"),
            "note": st.column_config.TextColumn("Note", width="large"),
        })

    st.subheader("What each field means")
    st.dataframe(pd.DataFrame([{"field": k.replace("_", " "), "meaning": v} for k, v in c.labels()["help"].items()]),
                 hide_index=True, key="field_help", column_config={"meaning": st.column_config.TextColumn("Meaning", width="large")})
