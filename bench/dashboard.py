"""Benchmark of the dashboard at realistic scale (server side).

Builds a synthetic database of 50,000 articles with extractions
(``tests/support/synthetic_db.py``), then with ``streamlit.testing.v1.AppTest`` times for
each page its first render (every cache cleared first) and a filter change,
and times the heaviest ``db.queries`` calls on their own, full-text searches
(:func:`db.search.search`, one page of 20 hits with its total) and the nightly
outputs (the digest of the last 7 days and the Atom feeds).
Targets: first render < 2 s, filter change < 0.5 s, a full-text search < 0.3 s,
digest and feeds < 5 s.

    .venv/bin/python bench/dashboard.py [--articles 50000] [--db PATH] [--repeat 3]

``--db PATH`` keeps (and reuses) the database file instead of a temporary one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest outside a server logs cache notices

from db import queries as q  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.maintenance import refresh_statistics  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from tests.support.synthetic_db import fill  # noqa: E402

PAGES = REPO / "dashboard" / "views"
FIRST_TARGET, FILTER_TARGET, SEARCH_TARGET, OUTPUTS_TARGET = 2.0, 0.5, 0.3, 5.0
#: PubMed-style queries of every kind the search accepts (docs/search.md)
SEARCHES = ["ketamine", "postpartum depression", '"treatment-resistant depression"', "migrain*",
            "pain NOT postoperative", "(nausea OR vomiting) AND esketamine", "esketamine[ti]"]


def build(path: Path, n: int) -> float:
    if path.exists():
        return 0.0
    t = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    fill(engine, n, seed=0, create_schema=False)
    refresh_statistics(engine)  # as the nightly job does after its writes
    engine.dispose()
    return time.perf_counter() - t


# page -> (description of the filter change, function applying it to an AppTest)
FILTERS = {
    "overview": ("pyramid condition = pain", lambda at: at.selectbox(key="pyramid_condition").set_value("pain")),
    "explorer": ("design tier = RCT", lambda at: at.multiselect(key="f_tiers").set_value(["rct"])),
    "adverse_events": ("condition = depression", lambda at: at.multiselect(key="ae_conditions").set_value(["depression"])),
    "outcomes": ("condition = migraine", lambda at: at.multiselect(key="out_conditions").set_value(["migraine"])),
    "article": ("open another PMID", lambda at: at.text_input(key="article_pmid").set_value(str(q_pmid[1]))),
    "gaps": ("design tier = RCT", lambda at: at.multiselect(key="g_tiers").set_value(["rct"])),
    "search": ("query 'postpartum depression'", lambda at: at.text_input(key="search_q").set_value("postpartum depression")),
    "about": None,
}
q_pmid: list[int] = []


def time_pages(repeat: int) -> list[tuple[str, float, str, float | None]]:
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.disable(logging.WARNING)  # AppTest outside a server logs a notice per cache clear

    AppTest.from_file(str(PAGES / "about.py"), default_timeout=600).run()  # imports, engine
    results = []
    for name, change in FILTERS.items():
        firsts, filters, cpu_firsts, cpu_filters = [], [], [], []
        for _ in range(repeat):
            st.cache_data.clear()
            at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=600)
            if name == "article":
                at.query_params["pmid"] = str(q_pmid[0])
            t, c = time.perf_counter(), time.process_time()
            at.run()
            firsts.append(time.perf_counter() - t)
            cpu_firsts.append(time.process_time() - c)
            if at.exception:
                raise SystemExit(f"{name}: {at.exception[0].value}")
            if change:
                change[1](at)
                t, c = time.perf_counter(), time.process_time()
                at.run()
                filters.append(time.perf_counter() - t)
                cpu_filters.append(time.process_time() - c)
        results.append((name, statistics.median(firsts), statistics.median(cpu_firsts), change[0] if change else "-",
                        statistics.median(filters) if filters else None, statistics.median(cpu_filters) if filters else None))
    return results


def time_queries(url: str) -> list[tuple[str, float]]:
    engine = make_engine(url, read_only=True)
    calls = {
        "data_version": lambda: q.data_version(engine),
        "totals": lambda: q.totals(engine),
        "design_counts": lambda: q.design_counts(engine),
        "year_condition_counts": lambda: q.year_condition_counts(engine),
        "filter_options": lambda: q.filter_options(engine),
        "search_articles (no filter, 1000 rows)": lambda: q.search_articles(engine, limit=1000),
        "search_articles (rct + pain)": lambda: q.search_articles(engine, q.ArticleFilter(designs=("rct",), conditions=("pain",)), limit=1000),
        "search_articles (free text 'postpartum')": lambda: q.search_articles(engine, q.ArticleFilter(text="postpartum"), limit=1000),
        "adverse_event_reports (all)": lambda: q.adverse_event_reports(engine),
        "study_rows (all)": lambda: q.study_rows(engine),
        "direction_counts": lambda: q.direction_counts(engine),
        "trial_table (rct, 2000 rows)": lambda: q.trial_table(engine, ["rct"], limit=2000),
        "export_articles (all)": lambda: q.export_articles(engine),
    }
    out = []
    for label, fn in calls.items():
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        out.append((label, min(times)))
    engine.dispose()
    return out


def time_searches(url: str) -> list[tuple[str, int, float]]:
    """(query, total hits, best of 3 seconds) of each query in :data:`SEARCHES`."""
    from db.search import search

    engine = make_engine(url, read_only=True)
    out = []
    for query in SEARCHES:
        times, total = [], 0
        for _ in range(3):
            t = time.perf_counter()
            total = search(engine, query, limit=20).total
            times.append(time.perf_counter() - t)
        out.append((query, total, min(times)))
    engine.dispose()
    return out


def time_outputs(url: str) -> list[tuple[str, str, float]]:
    """(output, what was written, seconds) of the 7-day digest and the Atom feeds."""
    from datetime import datetime, timedelta, timezone

    from harvester.topics import load_topics
    from ketamine_tracker.outputs.digest import write_digest
    from ketamine_tracker.outputs.feeds import write_feeds

    engine = make_engine(url, read_only=True)
    topics = {name: t.label for name, t in load_topics(None).items()}
    out = []
    with tempfile.TemporaryDirectory(prefix="kt-bench-outputs-") as tmp:
        t = time.perf_counter()
        write_digest(engine, Path(tmp) / "digest", datetime.now(timezone.utc) - timedelta(days=7))
        secs = time.perf_counter() - t
        size = sum(p.stat().st_size for p in (Path(tmp) / "digest").iterdir())
        out.append(("digest --since 7d", f"digest.md + digest.html, {size / 1e3:.0f} kB", secs))
        t = time.perf_counter()
        files = write_feeds(engine, Path(tmp) / "feeds", topics)
        secs = time.perf_counter() - t
        out.append(("feeds", f"{len(files)} Atom files", secs))
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="database file to build/reuse (default: a temporary file)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (median reported)")
    args = parser.parse_args(argv)
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="kt-bench-")
        args.db = Path(tmp.name) / "bench.db"
    built = build(args.db, args.articles)
    url = f"sqlite:///{args.db.resolve()}"
    os.environ["DATABASE_URL"] = url
    engine = make_engine(url, read_only=True)
    n = q.count_articles(engine)
    q_pmid.extend(r["pmid"] for r in q.search_articles(engine, limit=2)[1])
    engine.dispose()
    print(f"database: {n:,} articles ({args.db.stat().st_size / 1e6:.0f} MB SQLite)"
          + (f", built in {built:.1f} s" if built else ", reused"))
    print("\nqueries (best of 3, s)")
    for label, secs in time_queries(url):
        print(f"  {label:<44} {secs:7.3f}")
    print(f"\nfull-text search (one page of 20 hits and the total, best of 3; target < {SEARCH_TARGET} s)")
    for query, total, secs in time_searches(url):
        print(f"  {query:<44} {total:7,} hits {secs:7.3f} s {'' if secs < SEARCH_TARGET else '!'}")
    print(f"\nnightly outputs (target < {OUTPUTS_TARGET:.0f} s each)")
    for label, what, secs in time_outputs(url):
        print(f"  {label:<20} {what:<34} {secs:7.2f} s {'' if secs < OUTPUTS_TARGET else '!'}")
    print(f"\npages (AppTest, server side, median of {args.repeat}; targets: first render < {FIRST_TARGET} s, filter change < {FILTER_TARGET} s)")
    print("  wall = elapsed time; cpu = this process's CPU time (less sensitive to other load on the machine)")
    print(f"  {'page':<16} {'first render wall / cpu':>24}   {'filter change':<26} {'wall / cpu':>14}")
    for name, first, cpu1, change, secs, cpu2 in time_pages(args.repeat):
        flag1 = "" if first < FIRST_TARGET else "!"
        flag2 = "" if secs is None or secs < FILTER_TARGET else "!"
        second = "" if secs is None else f"{secs:5.2f} / {cpu2:4.2f} s {flag2}"
        print(f"  {name:<16} {first:10.2f} / {cpu1:4.2f} s {flag1:1}    {change:<26} {second}")
    cpus = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n  machine: {cpus} CPUs, load average {load:.1f} at the end of the run")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
