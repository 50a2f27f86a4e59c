"""The digest: new, revised and newly retracted studies of a window, as Markdown and HTML.

Both files are rendered from the same lists (:func:`db.news.changes`): the
Markdown for reading in a repository or an e-mail, the HTML as a standalone
page for a web server. Every text that comes from PubMed (titles, journals,
authors, terms) is untrusted: :func:`md_escape` makes it inert Markdown (HTML
characters as entities, Markdown punctuation backslash-escaped) and the HTML
page escapes it with :func:`html.escape`, so a title such as ``<script>...``
or ``[x](http://...)`` stays text in both.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

from sqlalchemy.engine import Engine

from db.news import ChangeList, Changes, NewsItem, changes

from .describe import adverse_events, authors, facts, pubmed_url
from .files import output_dir, write_atomic

#: most studies listed per section (new / revised / retracted); the rest are counted
DIGEST_LIMIT = 500
MARKDOWN_NAME, HTML_NAME = "digest.md", "digest.html"
TITLE = "Ketamine evidence: new and revised studies"
CAVEAT = ("Study facts (design, N, route, efficacy direction, adverse events reported as occurring) are extracted "
          "from the abstracts by rules: check the article before relying on them.")
#: inline Markdown punctuation; ( ) and ! only act after an (escaped) bracket, so they stay readable
_MD_INLINE = re.compile(r"([\\`*_\[\]~])")
_MD_LINE_START = re.compile(r"^([-+#>=])")
_MD_ORDERED = re.compile(r"^(\d+)([.)])")
_SPACE = re.compile(r"\s+")
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }}
li {{ margin-bottom: 0.8rem; }}
h2 {{ border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }}
.retracted {{ color: #a00; font-weight: bold; }}
.meta {{ color: #555; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


@dataclass(frozen=True)
class DigestFiles:
    """What :func:`write_digest` wrote.

    Attributes
    ----------
    markdown, html : Path
    changes : Changes
        The lists the digest was made of.
    """

    markdown: Path
    html: Path
    changes: Changes


def md_escape(text: Optional[str]) -> str:
    """Untrusted text as inert inline Markdown.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    str
        Whitespace collapsed to single spaces, ``& < >`` as HTML entities,
        inline Markdown punctuation backslash-escaped, and a leading character
        that would start a list, heading or quote escaped too.
    """
    text = _SPACE.sub(" ", text or "").strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(r"\\\1", text)
    return _MD_ORDERED.sub(r"\1\\\2", text)


@dataclass(frozen=True)
class _Section:
    title: str
    found: ChangeList
    empty: str

    @property
    def groups(self) -> list[tuple[str, list[NewsItem]]]:
        """Randomised controlled trials first, then the other studies (non-empty groups only)."""
        rcts = [i for i in self.found.items if i.design == "rct"]
        others = [i for i in self.found.items if i.design != "rct"]
        return [(h, g) for h, g in (("Randomised controlled trials", rcts), ("Other studies", others)) if g]

    @property
    def truncated(self) -> bool:
        return self.found.total > len(self.found.items)


def _sections(news: Changes) -> list[_Section]:
    return [
        _Section("New studies", news.new, "No new study in this period."),
        _Section("Revised studies", news.revised, "No study was revised in this period."),
        _Section("Newly retracted", news.retracted, "No study was retracted in this period."),
    ]


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _period(news: Changes, topic_label: Optional[str]) -> tuple[str, str]:
    """The period line's two parts (plain text): the window and the scope."""
    scope = (topic_label or news.topic) if news.topic else "all topics"
    return f"{_when(news.since)} to {_when(news.until)}", scope


def _totals(news: Changes) -> str:
    rct_new = sum(1 for i in news.new.items if i.design == "rct")
    shown = " among those shown" if news.new.total > len(news.new.items) else ""
    return (f"{news.new.total} new ({rct_new} randomised controlled trial{'s' if rct_new != 1 else ''}{shown}), "
            f"{news.revised.total} revised, {news.retracted.total} newly retracted.")


def _source(item: NewsItem) -> list[str]:
    """Authors, journal and year (plain text, those PubMed gives)."""
    return [x for x in (authors(item), item.journal or "", str(item.pub_year or "")) if x]


def _md_item(item: NewsItem) -> str:
    """One study as a Markdown list item (three or four lines)."""
    title = md_escape(item.title) or f"PMID {item.pmid}"
    lines = [f"- {'**RETRACTED** ' if item.is_retracted else ''}**{title}**", md_escape(" · ".join(facts(item)))]
    if item.design is not None:
        lines.append("Adverse events: " + md_escape(adverse_events(item)))
    ref = f"[PMID {item.pmid}]({pubmed_url(item.pmid)})"
    topics = [f"topics: {md_escape(', '.join(item.topics))}"] if item.topics else []
    lines.append(" · ".join([md_escape(x) for x in _source(item)] + [ref] + topics))
    return "  \n  ".join(lines)


def render_markdown(news: Changes, topic_label: Optional[str] = None) -> str:
    """The digest as Markdown.

    Parameters
    ----------
    news : Changes
        From :func:`db.news.changes`.
    topic_label : str, optional
        Label of ``news.topic`` for the heading.

    Returns
    -------
    str
    """
    window, scope = _period(news, topic_label)
    lines = [f"# {TITLE}", "", f"{window} · {md_escape(scope)}", "", md_escape(_totals(news)), "", CAVEAT, ""]
    for section in _sections(news):
        lines += [f"## {section.title} ({section.found.total})", ""]
        if not section.found.items:
            lines += [section.empty, ""]
            continue
        for heading, group in section.groups:
            lines += [f"### {heading} ({len(group)}{' shown' if section.truncated else ''})", ""]
            lines += [_md_item(i) for i in group]
            lines.append("")
        if section.truncated:
            lines += [f"Showing {len(section.found.items)} of {section.found.total}; the dashboard lists them all.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _html_item(item: NewsItem) -> str:
    """One study as an HTML list item."""
    esc = html.escape
    title = esc(item.title) or f"PMID {item.pmid}"
    head = ('<span class="retracted">RETRACTED</span> ' if item.is_retracted else "") + f"<strong>{title}</strong>"
    lines = [head, esc(" · ".join(facts(item)))]
    if item.design is not None:
        lines.append("Adverse events: " + esc(adverse_events(item)))
    ref = f'<a href="{esc(pubmed_url(item.pmid))}">PMID {item.pmid}</a>'
    topics = [f"topics: {esc(', '.join(item.topics))}"] if item.topics else []
    lines.append('<span class="meta">' + " · ".join([esc(x) for x in _source(item)] + [ref] + topics) + "</span>")
    return "<li>" + "<br>\n".join(lines) + "</li>"


def render_html(news: Changes, topic_label: Optional[str] = None) -> str:
    """The digest as a standalone HTML page (the same content as :func:`render_markdown`).

    Parameters
    ----------
    news : Changes
        From :func:`db.news.changes`.
    topic_label : str, optional
        Label of ``news.topic`` for the heading.

    Returns
    -------
    str
    """
    esc = html.escape
    window, scope = _period(news, topic_label)
    out = [f"<h1>{esc(TITLE)}</h1>", f"<p>{esc(window)} · {esc(scope)}</p>", f"<p><strong>{esc(_totals(news))}</strong></p>",
           f"<p><em>{esc(CAVEAT)}</em></p>"]
    for section in _sections(news):
        out.append(f"<h2>{esc(section.title)} ({section.found.total})</h2>")
        if not section.found.items:
            out.append(f"<p>{esc(section.empty)}</p>")
            continue
        for heading, group in section.groups:
            out.append(f"<h3>{esc(heading)} ({len(group)}{' shown' if section.truncated else ''})</h3>")
            out.append("<ul>\n" + "\n".join(_html_item(i) for i in group) + "\n</ul>")
        if section.truncated:
            out.append(f"<p>Showing {len(section.found.items)} of {section.found.total}; the dashboard lists them all.</p>")
    return _PAGE.format(title=esc(TITLE), body="\n".join(out))


def write_digest(
    engine: Engine,
    directory: str | Path,
    since: datetime,
    *,
    until: Optional[datetime] = None,
    topic: Optional[str] = None,
    topic_label: Optional[str] = None,
    limit: int = DIGEST_LIMIT,
) -> DigestFiles:
    """Write ``digest.md`` and ``digest.html`` into ``directory``.

    Both are rendered before either is written, and each is replaced
    atomically, so a failure leaves the previous digest in place.

    Parameters
    ----------
    engine : Engine
        The database.
    directory : str or Path
        Created if missing.
    since, until : datetime
        The window (timezone-aware; ``until`` defaults to now).
    topic : str, optional
        Only this topic's articles.
    topic_label : str, optional
        The topic's label for the heading.
    limit : int
        Most studies listed per section.

    Returns
    -------
    DigestFiles
    """
    news = changes(engine, since, until=until, topic=topic, limit=limit)
    text = render_markdown(news, topic_label).encode("utf-8")
    page = render_html(news, topic_label).encode("utf-8")
    target = output_dir(directory)
    md_path, html_path = target / MARKDOWN_NAME, target / HTML_NAME
    write_atomic(md_path, text)
    write_atomic(html_path, page)
    return DigestFiles(markdown=md_path, html=html_path, changes=news)
