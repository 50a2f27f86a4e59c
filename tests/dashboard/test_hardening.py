"""Untrusted input on the dashboard (issue 14), on SQLite and PostgreSQL: huge numbers in the URL are
clamped, a long search is cut with a note, an unexpected error shows one friendly message and no
details, and PubMed text that looks like a markdown link is shown as text."""

from __future__ import annotations

import ast

import pytest
import streamlit as st
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from dashboard import common
from dashboard_support import PAGE_NAMES, PAGES, REPO, build_database, reset_postgres
from db import queries
from db.engine import make_engine
from db.models import Article
from support.synthetic_db import ArticleSpec, write_specs

TIMEOUT = 120
LINK_PMID = 99_000_010
AUTHOR_LINK = "[click me](https://evil.example/a)"
JOURNAL_LINK = "[journal](https://evil.example/j)"
DOI_LINK = "[doi](https://evil.example/d)"
KEYWORD_LINK = "[kw](https://evil.example/k)"
SECRET_SQL = "SELECT secret_column FROM article"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hard_url(request, tmp_path_factory):
    """A small database per backend with one article whose PubMed fields hold markdown links."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hard') / 'hard.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
    build_database(url, n=20, seed=5)
    engine = make_engine(url)
    try:
        write_specs(engine, [ArticleSpec(pmid=LINK_PMID, topics=["pain"], design="rct", conditions=["pain"],
                                         journal=JOURNAL_LINK, authors=[{"last": AUTHOR_LINK, "initials": "X"}])])
        with engine.begin() as conn:
            conn.execute(update(Article).where(Article.pmid == LINK_PMID).values(doi=DOI_LINK, keywords=[KEYWORD_LINK]))
    finally:
        engine.dispose()
    return url


def page(name: str, url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def shown_text(at: AppTest) -> str:
    """Everything a page wrote as text elements (markdown, captions, alerts)."""
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# --------------------------------------------------------------------------- numbers in the URL


def test_pmid_beyond_64_bits_is_clamped_not_a_traceback(hard_url, monkeypatch):
    at = page("article", hard_url, monkeypatch, pmid="9223372036854775808")
    assert not at.exception
    assert f"PMID {common.MAX_PMID} is not in the tracker database" in at.warning[0].value


def test_pmid_of_5000_digits_is_clamped(hard_url, monkeypatch):
    at = page("article", hard_url, monkeypatch, pmid="9" * 5000)
    assert not at.exception and str(common.MAX_PMID) in at.warning[0].value


def test_thirty_one_digit_min_n_is_clamped_to_the_largest_sample_size(hard_url, monkeypatch):
    at = page("explorer", hard_url, monkeypatch, min_n="1" * 31)
    assert not at.exception
    assert at.number_input(key="f_min_n").value == common.MAX_SAMPLE_SIZE


def test_year_beyond_the_data_is_clamped_to_the_last_year(hard_url, monkeypatch):
    at = page("explorer", hard_url, monkeypatch, year_min="9" * 40)
    assert not at.exception
    assert at.slider(key="f_years").value[0] == at.slider(key="f_years").max


# --------------------------------------------------------------------------- long search text


def test_sixty_thousand_character_q_is_cut_to_the_limit(hard_url, monkeypatch):
    at = page("explorer", hard_url, monkeypatch, q="ketamine " * 7500)
    assert not at.exception
    assert len(at.text_input(key="f_text").value) <= common.MAX_QUERY_CHARS


def test_capped_q_from_the_url_is_noted_on_the_page(hard_url, monkeypatch):
    at = page("explorer", hard_url, monkeypatch, q="ketamine " * 7500)
    assert any(f"first {common.MAX_QUERY_WORDS} words" in cap.value for cap in at.caption)


def test_short_q_has_no_cap_note(hard_url, monkeypatch):
    at = page("explorer", hard_url, monkeypatch, q="ketamine")
    assert not any(f"first {common.MAX_QUERY_WORDS} words" in cap.value for cap in at.caption)


def test_long_q_typed_in_the_box_is_noted(hard_url, monkeypatch):
    at = page("explorer", hard_url, monkeypatch)
    at.text_input(key="f_text").input(" ".join(f"w{i}" for i in range(common.MAX_QUERY_WORDS + 5))).run()
    assert any(f"first {common.MAX_QUERY_WORDS} words" in cap.value for cap in at.caption)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_unexpected_error_shows_one_friendly_message(name, hard_url, monkeypatch):
    def broken(engine):
        raise RuntimeError(f"{SECRET_SQL} at /srv/app/db/queries.py line 12")

    monkeypatch.setattr(queries, "data_version", broken)
    at = page(name, hard_url, monkeypatch)
    assert not at.exception
    assert [e.value for e in at.error] == [common.FRIENDLY_ERROR]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_unexpected_error_shows_no_sql_or_path(name, hard_url, monkeypatch):
    def broken(engine):
        raise RuntimeError(f"{SECRET_SQL} at /srv/app/db/queries.py line 12")

    monkeypatch.setattr(queries, "data_version", broken)
    shown = shown_text(page(name, hard_url, monkeypatch))
    assert "secret_column" not in shown and "/srv/app" not in shown


def test_query_error_inside_a_page_is_caught(hard_url, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError(SECRET_SQL)

    st.cache_data.clear()
    monkeypatch.setattr(queries, "search_articles", broken)
    at = page("explorer", hard_url, monkeypatch)
    assert not at.exception and [e.value for e in at.error] == [common.FRIENDLY_ERROR]


# --------------------------------------------------------------------------- markdown from PubMed


@pytest.mark.parametrize("raw", [AUTHOR_LINK, JOURNAL_LINK, DOI_LINK, KEYWORD_LINK])
def test_markdown_link_in_a_pubmed_field_is_not_rendered_as_a_link(raw, hard_url, monkeypatch):
    at = page("article", hard_url, monkeypatch, pmid=str(LINK_PMID))
    sources = [m.value for m in at.markdown]
    assert not any(raw in s for s in sources)
    assert any(common.md(raw) in s for s in sources)


def test_md_escapes_every_markdown_link_character():
    assert common.md("[a](https://x.example)") == r"\[a\]\(https\:\/\/x\.example\)"


def test_md_joins_lines_so_none_starts_a_heading():
    assert common.md("a\n# b") == r"a \# b"


def test_md_of_none_is_empty():
    assert common.md(None) == ""


# --------------------------------------------------------------------------- bounded values


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 7 ", 7), ("0", 1), ("-5", 1), ("9" * 31, 100), ("-" + "9" * 31, 1),
    ("12a", None), ("1e9", None), ("１２", None), ("", None), (None, None),
])
def test_bounded_int(raw, expected):
    assert common.bounded_int(raw, 1, 100) == expected


def test_bounded_text_keeps_at_most_the_word_limit():
    assert len(common.bounded_text("w " * 1000).split()) == common.MAX_QUERY_WORDS


def test_bounded_text_keeps_at_most_the_character_limit():
    assert len(common.bounded_text("x" * 60_000)) == common.MAX_QUERY_CHARS


# --------------------------------------------------------------------------- layering


def dashboard_sources():
    return sorted((REPO / "dashboard").rglob("*.py"))


@pytest.mark.parametrize("path", dashboard_sources(), ids=lambda p: p.name)
def test_dashboard_does_not_import_the_cli(path):
    tree = ast.parse(path.read_text())
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in modules if m.split(".")[0] == "ketamine_tracker"]


@pytest.mark.parametrize("path", dashboard_sources(), ids=lambda p: p.name)
def test_dashboard_does_not_edit_sys_path(path):
    assert "sys.path" not in path.read_text()


def test_dashboard_reads_the_database_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    assert common.database_url() == "sqlite:///elsewhere.db"
