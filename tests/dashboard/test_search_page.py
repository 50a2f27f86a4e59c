"""The Search page (dashboard/views/search.py) under AppTest, on SQLite and PostgreSQL:
results with highlighted, escaped snippets, the total, paging, syntax errors as a message,
and the query kept in the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES, build_database, reset_postgres
from db.engine import make_engine
from db.records import ArticleRecord
from db.store import upsert_articles
from support.old_schema import store_records

TIMEOUT = 120
WORD = "zygomycosis"  # a word no synthetic article holds
HTML_PMID = 99_100_000
#: 25 articles hold WORD: two pages of 20
MATCHES = 25


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def search_url(request, tmp_path_factory):
    """A small synthetic database per backend plus MATCHES articles about WORD, one with HTML in its title."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
    build_database(url, n=20, seed=3)
    records = [ArticleRecord(pmid=HTML_PMID, title=f"Ketamine <script>alert(1)</script> and {WORD}",
                             abstract=f"A case of {WORD} <b>treated</b> with ketamine.", is_retracted=True)]
    records += [ArticleRecord(pmid=HTML_PMID + i, title=f"Report {i}", abstract=f"Another {WORD} report.")
                for i in range(1, MATCHES)]
    engine = make_engine(url)
    try:
        upsert_articles(engine, records)
    finally:
        engine.dispose()
    return url


def page(url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / "search.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def html(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def metric(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Matching articles").replace(",", ""))


def test_query_from_the_url_shows_the_total(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD)
    assert (at.exception, metric(at)) == ([], MATCHES)


def test_first_page_lists_twenty_results(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD)
    assert html(at).count('class="kt-search-hit"') == 20


def test_page_from_the_url_lists_the_rest(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD, page="2")
    assert html(at).count('class="kt-search-hit"') == MATCHES - 20


def test_page_past_the_end_shows_the_last_page(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD, page="999")
    assert html(at).count('class="kt-search-hit"') == MATCHES - 20


def test_matching_word_is_highlighted(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD)
    assert f"<mark>{WORD}</mark>" in html(at)


def test_article_text_is_escaped(search_url, monkeypatch):
    body = html(page(search_url, monkeypatch, q=WORD))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body and "<b>" not in body


def test_result_links_to_the_article_page(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD)
    assert f'href="./article?pmid={HTML_PMID}"' in html(at)


def test_retracted_article_is_flagged(search_url, monkeypatch):
    body = html(page(search_url, monkeypatch, q=f"{WORD} AND ketamine"))
    assert "RETRACTED" in body


def test_clearing_the_box_clears_the_url(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD)
    at.text_input(key="search_q").input("").run()
    assert "q" not in at.query_params


def test_typed_query_goes_into_the_url(search_url, monkeypatch):
    at = page(search_url, monkeypatch)
    at.text_input(key="search_q").input(WORD).run()
    assert at.query_params["q"] == WORD


def test_typed_query_shows_results(search_url, monkeypatch):
    at = page(search_url, monkeypatch)
    at.text_input(key="search_q").input(WORD).run()
    assert metric(at) == MATCHES


def test_chosen_page_goes_into_the_url(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=WORD)
    at.number_input(key=f"search_page_{WORD}").set_value(2).run()
    assert at.query_params["page"] == "2"


def test_syntax_error_is_a_message_not_a_traceback(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=f'"{WORD}')
    assert (at.exception, "This search cannot be run" in at.error[0].value) == ([], True)


def test_syntax_error_points_at_the_place(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q=f"{WORD} AND")
    assert at.code[0].value == f"{WORD} AND\n{' ' * (len(WORD) + 1)}^"


def test_no_match_says_so(search_url, monkeypatch):
    at = page(search_url, monkeypatch, q="xylophone")
    assert "No article matches" in at.warning[0].value


def test_empty_box_shows_examples(search_url, monkeypatch):
    at = page(search_url, monkeypatch)
    assert "Type a search" in at.info[0].value


@pytest.mark.parametrize("db", ["empty_url", "no_schema_url", "missing_url"])
def test_page_without_data_explains_first_harvest(db, request, monkeypatch):
    at = page(request.getfixturevalue(db), monkeypatch, q=WORD)
    assert "No data to show yet" in at.info[0].value


def test_database_before_the_search_index_asks_for_an_upgrade(tmp_path, monkeypatch):
    from db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine, "0004")
        store_records(engine, [ArticleRecord(pmid=1, title=f"{WORD}", abstract="x")])
    finally:
        engine.dispose()
    at = page(url, monkeypatch, q=WORD)
    assert "ketamine-tracker db upgrade" in at.info[0].value
