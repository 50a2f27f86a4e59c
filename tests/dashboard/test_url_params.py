"""The explorer and article pages keep their filters in the URL: read on load, written on change, and
a URL the page wrote reproduces the view (issue 15), under AppTest on SQLite and PostgreSQL."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES, WILDCARD_PMID

TIMEOUT = 120


def page(name: str, url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def matching(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Matching articles").replace(",", ""))


# --------------------------------------------------------------------------- explorer


def test_explorer_reads_its_filters_from_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch, route="oral", tier="rct", min_n="20", sort="sample_size")
    assert (at.multiselect(key="f_routes").value, at.multiselect(key="f_tiers").value, at.number_input(key="f_min_n").value,
            at.selectbox(key="f_sort").value) == (["oral"], ["rct"], 20, "sample_size")


def test_explorer_writes_a_changed_filter_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch)
    at.multiselect(key="f_conditions").set_value(["pain", "migraine"]).run()
    assert at.query_params["condition"] == ["pain", "migraine"]


def test_explorer_writes_the_search_text_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch)
    at.text_input(key="f_text").input("ketamine pain").run()
    assert at.query_params["q"] == "ketamine pain"


def test_explorer_writes_the_sort_order_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch)
    at.selectbox(key="f_sort").set_value("title").run()
    assert at.query_params["sort"] == "title"


def test_explorer_leaves_defaults_out_of_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch)
    assert at.query_params == {}


def test_explorer_url_round_trip_reproduces_the_view(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch)
    at.multiselect(key="f_tiers").set_value(["rct"]).run()
    at.number_input(key="f_min_n").set_value(50).run()
    at.multiselect(key="f_forms").set_value(["racemic"]).run()
    shared = page("explorer", url, monkeypatch, **at.query_params)
    assert (matching(shared), shared.multiselect(key="f_tiers").value, shared.number_input(key="f_min_n").value) == (
        matching(at), ["rct"], 50)


def test_explorer_cleared_filter_leaves_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("explorer", url, monkeypatch, tier="rct")
    at.multiselect(key="f_tiers").set_value([]).run()
    assert "tier" not in at.query_params


# --------------------------------------------------------------------------- article


def test_article_opened_from_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("article", url, monkeypatch, pmid=str(WILDCARD_PMID))
    assert at.text_input(key="article_pmid").value == str(WILDCARD_PMID)


def test_article_typed_pmid_is_written_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("article", url, monkeypatch)
    at.text_input(key="article_pmid").input(str(WILDCARD_PMID)).run()
    assert at.query_params["pmid"] == str(WILDCARD_PMID)


def test_article_url_round_trip_shows_the_same_article(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("article", url, monkeypatch)
    at.text_input(key="article_pmid").input(str(WILDCARD_PMID)).run()
    shared = page("article", url, monkeypatch, **at.query_params)
    assert [h.value for h in shared.get("html")][:1] == [h.value for h in at.get("html")][:1]


def test_article_box_follows_a_new_url(backend_db, monkeypatch):
    url, specs = backend_db
    other = specs[0].pmid
    at = page("article", url, monkeypatch, pmid=str(WILDCARD_PMID))
    at.query_params["pmid"] = str(other)
    at.run()
    assert at.text_input(key="article_pmid").value == str(other)


def test_article_cleared_box_removes_the_pmid_from_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page("article", url, monkeypatch, pmid=str(WILDCARD_PMID))
    at.text_input(key="article_pmid").input("").run()
    assert "pmid" not in at.query_params
