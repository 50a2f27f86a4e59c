"""Article: one record with every extracted fact highlighted in its abstract (``?pmid=N``)."""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from dashboard import common as c
from dashboard.highlight import highlight_html, legend_html
from db.text import document_text

PMID_CHARS = 20  # enough digits for any PMID; longer input is refused, not parsed

with c.guard("article"):
    ctx = c.start()
    pmid = c.param_int("pmid", 1, c.MAX_PMID)
    shown = str(pmid) if pmid else ""
    # the box follows the URL whenever the URL names another article (a link, back, a shared URL)
    if st.session_state.get("_url_article") != shown or "article_pmid" not in st.session_state:
        st.session_state["article_pmid"] = shown
        st.session_state["_url_article"] = shown
    with st.sidebar:
        typed = st.text_input("Open PMID", key="article_pmid", placeholder="e.g. 30000002", max_chars=PMID_CHARS).strip()
    if typed != shown:
        if not typed:  # box cleared: back to the list of latest articles
            pmid = None
            st.query_params.pop("pmid", None)
        else:
            pmid = c.bounded_int(typed[:PMID_CHARS], 1, c.MAX_PMID)
            if pmid is None:
                st.error(f"{c.md(typed[:PMID_CHARS])} is not a PMID (a whole number).")
                st.stop()
            st.query_params["pmid"] = str(pmid)
        st.session_state["_url_article"] = str(pmid) if pmid else ""

    if pmid is None:
        st.title("Article")
        st.info("Open an article from any table (click its PMID), or type a PMID in the sidebar.")
        _, latest = ctx.q("search_articles", c.queries.ArticleFilter(), sort="newest", limit=20)
        st.write("Latest articles:")
        c.link_list((c.article_url(r["pmid"]), f"{r['pmid']} — {r['title'][:160]}") for r in latest)
        st.stop()

    art = ctx.q("article_detail", pmid)
    if art is None:
        st.title("Article")
        st.warning(f"PMID {pmid} is not in the tracker database. [Look it up on PubMed]({c.pubmed_url(pmid)}).")
        st.stop()

    if art["is_retracted"]:
        notes = [x for x in art["comments_corrections"] if str(x.get("type", "")).startswith("Retraction")]
        link = f" See the retraction notice, PMID {c.md(notes[0]['pmid'])}." if notes and notes[0].get("pmid") else ""
        st.error(f"**This article has been retracted.**{link} Do not rely on its findings.", icon=":material/block:")
    if art["is_deleted"]:
        st.warning("PubMed has withdrawn (deleted) this citation; it is kept here for reference only.")

    st.html(f'<h2 style="margin-bottom:0.2rem">{escape(art["title"] or "(no title)")}</h2>')
    authors = [a.get("collective") or " ".join(x for x in (a.get("last"), a.get("initials")) if x) for a in art["authors"]]
    st.markdown(c.md(", ".join(a for a in authors if a)) or "No authors listed")
    meta = [f"*{c.md(art['journal'] or 'Unknown journal')}*", c.md(art["pub_date"] or art["pub_year"])]
    links = [f"[PMID {art['pmid']} on PubMed ↗]({c.pubmed_url(art['pmid'])})"]
    if c.doi_url(art["doi"]):
        links.append(f"[DOI {c.md(art['doi'])} ↗]({c.doi_url(art['doi'])})")
    if art["pmcid"] and art["pmcid"].strip():
        links.append(f"[{c.md(art['pmcid'])} full text ↗]({c.pmc_url(art['pmcid'])})")
    for nct in art["nct_ids"]:
        if nct and nct.strip():
            links.append(f"[{c.md(nct)} ↗]({c.trial_url(nct)})")
    st.markdown(" · ".join(meta) + "  \n" + " · ".join(links))

    ex = art["extraction"]
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Abstract with extracted facts")
        text = document_text(art["title"], art["abstract"])
        kinds = c.labels()["span_kinds"]
        if ex and ex["spans"]:
            st.html(legend_html(kinds))
            st.html(f'<div class="kt-abstract" style="line-height:1.7;font-size:1.02rem">{highlight_html(text, ex["spans"], kinds)}</div>')
        else:
            if not ex:
                st.caption("Not extracted yet — no facts to highlight.")
            st.html(f'<div class="kt-abstract" style="line-height:1.7">{escape(text).replace(chr(10), "<br>")}</div>')
    with right:
        st.subheader("Extracted study facts")
        if ex is None:
            st.info("This article has not been through the extractor yet (it runs after each harvest).")
        else:
            facts = {
                "Design": f"{c.design_label(ex['design'])} (from {ex['design_source']})",
                "Sample size": f"{ex['sample_size']:,} ({ex['sample_size_basis'] or 'basis unstated'})" if ex["sample_size"] else "not stated",
                **({"Pooled participants": f"{ex['pooled_participants']:,} (over the reviewed studies)"} if ex.get("pooled_participants") else {}),
                "Conditions": c.join(ex["conditions"]) or "—",
                "Condition subtypes": c.join(ex["condition_subtypes"]) or "—",
                "Routes": c.join(ex["routes"]) or "—",
                "Ketamine form": c.join(ex["ketamine_forms"]) or "—",
                "Comparators": c.join(ex["comparators"]) or "—",
                "Efficacy direction": c.direction_label(ex["efficacy_direction"]),
                "Serious adverse events": ex["serious_ae"],
                "Extractor": f"{ex['extractor_version']}, {c.fmt_time(ex['extracted_at'])}",
            }
            st.dataframe(pd.DataFrame({"field": list(facts), "value": list(facts.values())}), hide_index=True, key="facts",
                         column_config={"field": "Field", "value": st.column_config.TextColumn("Value", width="large")})
        st.subheader("Indexing")
        st.markdown("**Publication types:** " + (c.md(", ".join(art["pub_types"])) or "—"))
        st.markdown("**Topics:** " + (c.md(", ".join(art["topics"])) or "—"))
        mesh = ", ".join(c.md(m["descriptor"]) + ("\\*" if m["major_topic"] else "") for m in art["mesh"])
        st.markdown("**MeSH** (\\* major): " + (mesh or "—"))
        if art["keywords"]:
            st.markdown("**Keywords:** " + c.md(", ".join(art["keywords"])))

    if ex:
        if art["adverse_events"]:
            st.subheader("Adverse events", help=c.help_text("adverse_event"))
            ae = pd.DataFrame(art["adverse_events"])
            st.dataframe(pd.DataFrame({
                "event": ae["term"], "organ_class": ae["organ_class"],
                "status": [c.ae_status_label(x) for x in ae["status"]], "arm": [c.ae_arm_label(x) for x in ae["arm"]],
                "frequency": ae["frequency"].fillna(""), "sentence": ae["sentence"],
            }), hide_index=True, key="article_aes", column_config={
                "sentence": st.column_config.TextColumn("Evidence sentence", width="large"),
                "status": st.column_config.TextColumn("Status", help=c.AE_STATUS_HELP),
                "arm": st.column_config.TextColumn("Arm", help=c.AE_ARM_HELP),
            })
        if art["outcomes"]:
            st.subheader("Outcomes", help=c.help_text("outcome"))
            out = pd.DataFrame(art["outcomes"])
            st.dataframe(pd.DataFrame({
                "measure": out["measure"], "direction": [c.direction_label(d) for d in out["direction"]],
                "numbers": [", ".join(x) for x in out["numbers"]], "sentence": out["sentence"],
            }), hide_index=True, key="article_outcomes", column_config={"sentence": st.column_config.TextColumn("Evidence sentence", width="large")})
        if art["doses"]:
            st.subheader("Doses")
            st.dataframe(pd.DataFrame(art["doses"])[["text", "amount", "amount_high", "unit", "form", "route", "sentence"]],
                         hide_index=True, key="article_doses")
