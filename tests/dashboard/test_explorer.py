"""The evidence explorer (issue 15): every matching row, paged; a column picker; retracted articles
listed on request and marked; an adverse-event filter and column. AppTest on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import tier_designs
from dashboard_support import PAGES

TIMEOUT = 120
MARK = "⚠ RETRACTED"


def explorer(url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / "explorer.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def results(at: AppTest):
    return next(d.value for d in at.dataframe if "article" in d.value.columns)


def pmids(at: AppTest) -> list[int]:
    return [int(re.search(r"pmid=(\d+)", a).group(1)) for a in results(at)["article"]]


def live(specs):
    return [s for s in specs if not getattr(s, "is_deleted", False)]


# --------------------------------------------------------------------------- paging


def test_every_matching_article_is_on_some_page(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, per_page="50")
    seen = []
    for number in range(1, -(-len(live(specs)) // 50) + 1):
        at.number_input(key="f_page").set_value(number).run()
        seen += pmids(at)
    assert sorted(seen) == sorted(s.pmid for s in live(specs))


def test_page_from_the_url_starts_at_its_first_row(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, per_page="50", page="2")
    assert any(cap.value.startswith("Rows 51–100 of") for cap in at.caption)


def test_page_beyond_the_last_shows_the_last(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, per_page="50", page="999999")
    assert len(results(at)) == len(live(specs)) - 50 * (len(live(specs)) // 50)


def test_another_filter_starts_at_the_first_page(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, per_page="50", page="2")
    at.multiselect(key="f_tiers").set_value(["rct"]).run()
    assert at.number_input(key="f_page").value == 1 and "page" not in at.query_params


def test_page_change_is_written_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch)
    at.selectbox(key="f_page_size").set_value(50).run()
    at.number_input(key="f_page").set_value(2).run()
    assert (at.query_params["per_page"], at.query_params["page"]) == ("50", "2")


# --------------------------------------------------------------------------- column picker


def test_column_picker_shows_the_chosen_columns_after_the_pmid(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch)
    at.multiselect(key="f_columns").set_value(["doi", "title"]).run()
    assert list(results(at).columns) == ["article", "title", "doi"]


def test_chosen_columns_are_kept_in_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch)
    at.multiselect(key="f_columns").set_value(["journal", "authors", "title"]).run()
    shared = explorer(url, monkeypatch, **at.query_params)
    assert list(results(shared).columns) == ["article", "title", "journal", "authors"]


def test_first_author_column_names_the_first_author(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, col=["authors"], sort="pmid", per_page="500")
    first = next(s for s in sorted(live(specs), key=lambda s: s.pmid) if s.authors)
    row = results(at).set_index(results(at)["article"].str.extract(r"pmid=(\d+)")[0].astype(int)).loc[first.pmid]
    assert row["authors"].startswith(first.authors[0]["last"])


# --------------------------------------------------------------------------- retracted articles


def test_retracted_articles_are_listed_and_marked_by_default(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, per_page="500")
    marked = {p for p, t in zip(pmids(at), results(at)["title"]) if t.startswith(MARK)}
    assert marked == {s.pmid for s in live(specs) if s.is_retracted}


def test_retracted_articles_can_be_left_out(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, per_page="500", retracted="hide")
    assert sorted(pmids(at)) == sorted(s.pmid for s in live(specs) if not s.is_retracted)


def test_only_retracted_articles_on_request(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch)
    at.radio(key="f_retracted").set_value("only").run()
    assert sorted(pmids(at)) == sorted(s.pmid for s in live(specs) if s.is_retracted)


def test_overview_retracted_link_lists_only_the_retracted(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, retracted="1")
    assert sorted(pmids(at)) == sorted(s.pmid for s in live(specs) if s.is_retracted)


def test_retracted_rows_are_marked_without_the_title_column(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, retracted="only", col=["year"])
    assert results(at)["retracted"].all()


# --------------------------------------------------------------------------- adverse events


def test_adverse_event_column_lists_the_filtered_event_on_every_row(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, ae="dissociation", per_page="500")
    assert all("dissociation" in cell.split(", ") for cell in results(at)["adverse_events"])


def test_adverse_event_filter_counts_the_studies_reporting_it(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, ae="dissociation", per_page="500")
    expected = {s.pmid for s in live(specs) if s.extracted and any(a.term == "dissociation" and a.status == "occurred"
                                                                   for a in s.adverse_events)}
    assert set(pmids(at)) == expected


def test_adverse_event_column_leaves_out_events_that_did_not_occur(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, per_page="500")
    cells = dict(zip(pmids(at), results(at)["adverse_events"]))
    spec = next(s for s in live(specs) if s.extracted and any(a.status != "occurred" for a in s.adverse_events))
    assert set(filter(None, cells[spec.pmid].split(", "))) == {a.term for a in spec.adverse_events if a.status == "occurred"}


# --------------------------------------------------------------------------- full-text search link


def test_search_text_links_to_the_full_text_search(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, q="ketamine pain")
    assert any('href="./search?q=ketamine+pain"' in h.value for h in at.get("html"))


def search_page_finds(url: str, query: str) -> set[int]:
    """What the Search page (db.search.search) finds for ``query``: every hit, over all its pages."""
    from db.engine import make_engine
    from db.search import MAX_LIMIT, search

    engine = make_engine(url, read_only=True)
    try:
        found, offset = set(), 0
        while True:
            page = search(engine, query, limit=MAX_LIMIT, offset=offset)
            found |= {h.pmid for h in page.hits}
            offset += MAX_LIMIT
            if offset >= page.total:
                return found
    finally:
        engine.dispose()


@pytest.mark.parametrize("query", ['"treatment resistant depression"', "migraine OR headache", "ketamine NOT depression",
                                   "suicid*", "esketamine[ti]", "(postpartum OR suicid*) AND intranasal"])
def test_search_text_finds_what_the_search_page_finds(backend_db, monkeypatch, query):
    url, _ = backend_db
    at = explorer(url, monkeypatch, q=query, per_page="500")
    assert set(pmids(at)) == search_page_finds(url, query)


def test_search_text_combines_with_the_other_filters(backend_db, monkeypatch):
    url, specs = backend_db
    at = explorer(url, monkeypatch, q="ketamine pain", tier="rct", per_page="500")
    rcts = {s.pmid for s in live(specs) if s.extracted and s.design in tier_designs("rct")}
    assert set(pmids(at)) == search_page_finds(url, "ketamine pain") & rcts


def test_every_article_a_search_finds_is_on_some_page(backend_db, monkeypatch):
    url, _ = backend_db
    expected = search_page_finds(url, "ketamine pain")
    at = explorer(url, monkeypatch, q="ketamine pain", per_page="50")
    seen = []
    for number in range(1, -(-len(expected) // 50) + 1):
        at.number_input(key="f_page").set_value(number).run()
        seen += pmids(at)
    assert sorted(seen) == sorted(expected)


def test_bad_search_syntax_shows_the_reason_and_the_place(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, q="migraine AND (nausea")
    assert [e.value.startswith("This search cannot be run") for e in at.error] == [True]
    assert at.code[0].value.splitlines() == ["migraine AND (nausea", " " * 13 + "^"]


def test_bad_search_syntax_shows_no_results_and_no_traceback(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch, q="migraine AND (nausea")
    assert (len(at.exception), [d for d in at.dataframe if "article" in d.value.columns]) == (0, [])


def test_search_on_a_database_without_the_index_says_how_to_upgrade(db_url, monkeypatch):
    from dashboard_support import build_database
    from db.engine import make_engine
    from db.search_schema import uninstall

    build_database(db_url, n=10, seed=3)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            uninstall(conn)  # as before migration 0005
    finally:
        engine.dispose()
    at = explorer(db_url, monkeypatch, q="ketamine")
    assert (len(at.exception), ["db upgrade" in w.value for w in at.warning]) == (0, [True])


def test_search_text_typed_in_the_box_is_kept_in_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = explorer(url, monkeypatch)
    at.text_input(key="f_text").input('"treatment resistant depression" OR suicid*').run()
    assert at.query_params["q"] == '"treatment resistant depression" OR suicid*'


# --------------------------------------------------------------------------- trials and participants


def test_matching_articles_are_also_counted_as_trials_and_participants(backend_db, monkeypatch):
    from db.engine import make_engine
    from db.trials import count_trials

    url, specs = backend_db
    at = explorer(url, monkeypatch, tier="rct", per_page="500")
    engine = make_engine(url, read_only=True)
    try:
        expected = count_trials(engine, pmids(at)).label()
    finally:
        engine.dispose()
    assert expected in [cap.value for cap in at.caption]


# --------------------------------------------------------------------------- new since the last harvest


def test_new_since_last_harvest_is_counted_from_the_last_finished_job(db_url, monkeypatch):
    """A job three hours after the nightly one is the last harvest on its own (db.news), as on the Overview."""
    from datetime import timedelta

    from sqlalchemy import insert

    from dashboard_support import NOW, build_database
    from db import news
    from db.engine import make_engine
    from db.models import HarvestRun
    from support.synthetic_db import ArticleSpec, last_harvest_time, write_specs

    build_database(db_url, n=40, seed=3)
    later = last_harvest_time(NOW) + timedelta(hours=3)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(HarvestRun.__table__).values(topic="pain", kind="incremental", started=later,
                                                             finished=later + timedelta(minutes=2), status="success", new=1))
        write_specs(engine, [ArticleSpec(pmid=99_000_100, topics=["pain"], first_seen=later + timedelta(minutes=1))])
        expected = news.changes_since_last_harvest(engine).new.total
    finally:
        engine.dispose()
    at = explorer(db_url, monkeypatch, new="harvest")
    assert (int(next(m.value for m in at.metric if m.label == "Matching articles").replace(",", "")), expected) == (1, 1)


def test_about_page_last_harvest_is_the_last_finished_job(db_url, monkeypatch):
    """A job still running after a successful one: the About page reports the successful one."""
    from datetime import timedelta

    from sqlalchemy import insert

    from dashboard_support import NOW, build_database
    from db.engine import make_engine
    from db.models import HarvestRun
    from support.synthetic_db import last_harvest_time

    build_database(db_url, n=20, seed=3)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(HarvestRun.__table__).values(topic="pain", kind="incremental", status="running",
                                                             started=last_harvest_time(NOW) + timedelta(hours=3)))
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = AppTest.from_file(str(PAGES / "about.py"), default_timeout=TIMEOUT).run()
    assert next(m.value for m in at.metric if m.label == "Last harvest") == "success"


def test_best_match_sort_lists_the_search_page_order(backend_db, monkeypatch):
    from db.engine import make_engine
    from db.search import search

    url, _ = backend_db
    engine = make_engine(url, read_only=True)
    try:
        expected = [h.pmid for h in search(engine, "postpartum OR suicid*", limit=200).hits]
    finally:
        engine.dispose()
    at = explorer(url, monkeypatch, q="postpartum OR suicid*", sort="relevance", per_page="500")
    assert pmids(at) == expected


def test_best_match_sort_without_search_text_is_newest_first(backend_db, monkeypatch):
    url, _ = backend_db
    newest = explorer(url, monkeypatch, per_page="50")
    best = explorer(url, monkeypatch, sort="relevance", per_page="50")
    assert pmids(best) == pmids(newest)
