"""The digest (ketamine_tracker.outputs.digest): Markdown and HTML of new, revised and retracted studies."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from db.news import changes
from ketamine_tracker.outputs.digest import md_escape, render_html, render_markdown, write_digest

from .conftest import HOSTILE_TITLE


class _Tags(HTMLParser):
    """Start tags and link targets of an HTML page."""

    def __init__(self):
        super().__init__()
        self.tags, self.links = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _section(text: str, heading: str) -> str:
    """The text of one ``## heading`` section of the Markdown."""
    return text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]


def _pmids(text: str) -> list[int]:
    return [int(p) for p in re.findall(r"PMID (\d+)", text)]


@pytest.fixture
def news(sqlite_news_db):
    return changes(sqlite_news_db.engine, sqlite_news_db.since(7))


@pytest.fixture
def md(news):
    return render_markdown(news)


@pytest.fixture
def page(news):
    return render_html(news)


def test_new_studies_list_randomised_trials_first(md):
    assert _pmids(_section(md, "New studies")) == [101, 103, 102, 108]


def test_new_studies_group_the_randomised_trials_under_their_own_heading(md):
    section = _section(md, "New studies")
    assert section.index("### Randomised controlled trials (2)") < section.index("### Other studies (2)")


def test_a_study_gives_design_n_route_and_direction(md):
    assert "Randomised controlled trial · N = 120 · route: intravenous · efficacy: positive" in md


def test_a_study_gives_its_main_adverse_events(md):
    assert "Adverse events: dissociation, nausea  \n" in md


def test_revised_studies_are_listed_apart(md):
    assert _pmids(_section(md, "Revised studies")) == [104]


def test_newly_retracted_studies_are_listed_apart(md):
    assert _pmids(_section(md, "Newly retracted")) == [105]


def test_the_totals_line_counts_each_kind(md):
    assert "4 new (2 randomised controlled trials), 1 revised, 1 newly retracted." in md


def test_markdown_keeps_a_pubmed_title_as_text(md):
    assert "[x](http://evil.example)" not in md and "<script>" not in md


def test_html_escapes_a_pubmed_title(page):
    assert "script" not in _parse(page).tags


def test_html_shows_the_escaped_title_as_text(page):
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Intranasal esketamine [x](http://evil.example) *now* &amp; later" in page


def test_html_links_each_study_to_pubmed_and_nowhere_else(page):
    assert _parse(page).links == [f"https://pubmed.ncbi.nlm.nih.gov/{p}/" for p in (101, 103, 102, 108, 104, 105)]


def test_html_lists_the_same_studies_in_the_same_order_as_markdown(md, page):
    assert _pmids(page) == _pmids(md)


def test_a_section_beyond_the_limit_says_how_many_are_left_out(sqlite_news_db):
    text = render_markdown(changes(sqlite_news_db.engine, sqlite_news_db.since(7), limit=1))
    assert "Showing 1 of 4; the dashboard lists them all." in _section(text, "New studies")


def test_an_empty_period_says_so(sqlite_news_db):
    text = render_markdown(changes(sqlite_news_db.engine, sqlite_news_db.since(100), until=sqlite_news_db.since(90)))
    assert "No new study in this period." in text


def test_a_topic_digest_names_its_topic(sqlite_news_db):
    text = render_markdown(changes(sqlite_news_db.engine, sqlite_news_db.since(7), topic="pain"), "Pain")
    assert text.splitlines()[2].endswith(" · Pain")


def test_write_digest_writes_both_files_into_a_new_directory(sqlite_news_db, tmp_path):
    files = write_digest(sqlite_news_db.engine, tmp_path / "out" / "digest", sqlite_news_db.since(7))
    assert (files.markdown.name, files.html.name, files.markdown.parent.is_dir()) == ("digest.md", "digest.html", True)


def test_the_digest_on_postgresql_lists_the_same_studies(news_db, tmp_path):
    files = write_digest(news_db.engine, tmp_path, news_db.since(7))
    assert _pmids(files.markdown.read_text()) == [101, 103, 102, 108, 104, 105]


@pytest.mark.parametrize("text, escaped", [
    ("1986. A trial", "1986\\. A trial"),
    ("- not a list", "\\- not a list"),
    ("# not a heading", "\\# not a heading"),
    ("a *b* _c_ [d](e) `f` ~~g~~", "a \\*b\\* \\_c\\_ \\[d\\](e) \\`f\\` \\~\\~g\\~\\~"),
    ("<i>x</i> & y", "&lt;i&gt;x&lt;/i&gt; &amp; y"),
    ("two\n  lines", "two lines"),
])
def test_md_escape_makes_text_inert(text, escaped):
    assert md_escape(text) == escaped


def test_the_hostile_title_survives_escaping_as_its_own_words(md):
    assert md_escape(HOSTILE_TITLE) in md
