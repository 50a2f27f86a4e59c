"""Search: PubMed-style full-text search over title, abstract, MeSH and keywords (``?q=...&page=N``).

The query is evaluated by :func:`db.search.search` (SQLite FTS5 / PostgreSQL
full-text search). Titles and snippets come back with the matching words
between :data:`db.search.MARK_START` and :data:`db.search.MARK_END`: the page
escapes all of the text and only then turns those marks into ``<mark>`` tags.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy.engine import Engine

from dashboard import common as c
from db.search import (MARK_END, MARK_START, MAX_QUERY_CHARS, SearchHit, SearchIndexMissingError, SearchPage,
                       SearchSyntaxError, search)

PAGE_SIZE = 20
#: the syntax in one caption (docs/search.md has the long form)
SYNTAX_HELP = (
    'Words must all appear (title, abstract, MeSH or keywords; *studies* finds *study*). '
    '"quoted words" form a phrase, AND / OR / NOT (upper case) combine terms from left to right, '
    '(parentheses) group them, anesthe\\* finds every word that starts with *anesthe*, and PubMed field tags '
    'limit a term: migraine\\[ti\\], nausea\\[ab\\], "cluster headache"\\[mh\\], ketamine\\[tiab\\].'
)
EXAMPLES = [
    '"treatment resistant depression" AND intranasal',
    "migraine OR headache NOT cluster",
    "(esketamine OR arketamine) AND suicid*",
    "esketamine[ti] AND nause*[ab]",
]


@st.cache_data(show_spinner=False, max_entries=256)
def _search(_engine: Engine, url: str, version: tuple, query: str, offset: int) -> SearchPage:
    """:func:`db.search.search` cached per database, data version, query and page."""
    return search(_engine, query, limit=PAGE_SIZE, offset=offset)


def marked_html(text: str) -> str:
    """``text`` escaped for HTML, its match marks turned into ``<mark>`` tags.

    A mark that opens inside an open mark or closes nothing is dropped, and an
    open mark is closed at the end, so the tags always balance.

    Parameters
    ----------
    text : str
        A title, snippet or MeSH descriptor from :func:`db.search.search`.

    Returns
    -------
    str
        HTML whose only tags are ``<mark>`` and ``</mark>``.
    """
    out, opened = [], False
    for part in _split_marks(text):
        if part == MARK_START:
            if not opened:
                out.append("<mark>")
                opened = True
        elif part == MARK_END:
            if opened:
                out.append("</mark>")
                opened = False
        else:
            out.append(escape(part))
    if opened:
        out.append("</mark>")
    return "".join(out)


def _split_marks(text: str) -> list[str]:
    parts, start = [], 0
    for i, ch in enumerate(text):
        if ch in (MARK_START, MARK_END):
            parts += [text[start:i], ch]
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p]


def _byline(hit: SearchHit) -> str:
    """Retraction flag, journal, year and PMID of a hit, escaped, each followed by a separator."""
    parts = ['<strong style="color:#b00020">RETRACTED</strong>'] if hit.retracted else []
    parts += [escape(str(v)) for v in (hit.journal, hit.year) if v]
    parts.append(f"PMID {hit.pmid}")
    return "".join(f"{p} · " for p in parts)


def _go(query: str, page: int) -> None:
    if not query:
        st.query_params.clear()
        return
    st.query_params["q"] = query
    if page > 1:
        st.query_params["page"] = str(page)
    elif "page" in st.query_params:
        del st.query_params["page"]


with c.guard("search"):
    ctx = c.start("Search")
    url_q = (c.param_list("q") or [""])[0]
    page_no = c.param_int("page", 1, 10**6) or 1
    if st.session_state.get("_search_url_q") != url_q:
        st.session_state["_search_url_q"] = url_q
        st.session_state["search_q"] = url_q[:MAX_QUERY_CHARS]

    typed = st.text_input("Search title, abstract, MeSH and keywords", key="search_q", max_chars=MAX_QUERY_CHARS,
                          placeholder=f"e.g. {EXAMPLES[0]}", help=SYNTAX_HELP)
    query = typed.strip()
    if query != url_q.strip()[:MAX_QUERY_CHARS]:
        url_q, page_no = query, 1
        _go(query, 1)
        st.session_state["_search_url_q"] = query
    else:
        query = url_q.strip()
    st.caption(SYNTAX_HELP)

    if not query:
        st.info("Type a search above, for example:")
        c.link_list((f"?{urlencode({'q': e})}", e) for e in EXAMPLES)
        st.stop()

    try:
        result = _search(ctx.engine, ctx.url, ctx.version, query, (page_no - 1) * PAGE_SIZE)
    except SearchSyntaxError as exc:
        st.error(f"This search cannot be run: {c.md(exc.reason)}.", icon=":material/search_off:")
        st.code(f"{exc.query}\n{' ' * exc.position}^", language=None)
        st.stop()
    except SearchIndexMissingError:
        st.warning("This database has no search index yet. Upgrade it with `ketamine-tracker db upgrade` "
                   "(the next `ketamine-tracker update` does it too), then reload this page.")
        st.stop()

    pages = max(1, -(-result.total // PAGE_SIZE))
    top = st.columns([1, 1, 3])
    top[0].metric("Matching articles", f"{result.total:,}")
    if result.total == 0:
        st.warning("No article matches. Try fewer words, OR between alternatives, or a prefix such as depress\\*.")
        st.stop()
    if page_no > pages:
        page_no = pages
        result = _search(ctx.engine, ctx.url, ctx.version, query, (page_no - 1) * PAGE_SIZE)
    chosen = top[1].number_input("Page", min_value=1, max_value=pages, value=page_no, step=1, key=f"search_page_{query}")
    if chosen != page_no:
        _go(query, int(chosen))
        st.rerun()
    first = (page_no - 1) * PAGE_SIZE + 1
    top[2].caption(f"Results {first:,}–{first + len(result.hits) - 1:,} of {result.total:,}, best match first.")

    for hit in result.hits:
        mesh = f'<div style="font-size:0.85rem">MeSH: {"; ".join(marked_html(m) for m in hit.mesh)}</div>' if hit.mesh else ""
        st.html(
            f'<div class="kt-search-hit" style="margin-bottom:0.9rem">'
            f'<div style="font-size:1.05rem"><a href="{escape(c.article_url(hit.pmid), quote=True)}">'
            f'{marked_html(hit.title) or "(no title)"}</a></div>'
            f'<div style="font-size:0.8rem;opacity:0.75">{_byline(hit)}'
            f'<a href="{escape(c.pubmed_url(hit.pmid), quote=True)}" target="_blank">PubMed ↗</a></div>'
            f'<div>{marked_html(hit.snippet)}</div>{mesh}</div>'
        )
