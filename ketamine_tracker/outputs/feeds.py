"""Atom feeds of new and revised articles: one for every article and one per topic.

Built with ``feedgen``. Entries are the articles most recently stored or
revised (:func:`db.news.latest`), newest first. Everything a feed reader
compares is derived from the database, never from the time of the run, so a
run that changed nothing writes byte-identical files (and leaves them alone):

* entry ``id``: ``urn:pmid:<PMID>``, the same in every feed that carries the
  article and in every run (a new PubMed version of a record is a revision);
* entry ``updated``: when the tracker stored the article's current content,
  so a revision shows as an update of the same entry, not a new one;
* feed ``updated``: the newest entry's, or a fixed date for an empty feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Optional, Sequence

from feedgen.feed import FeedGenerator
from sqlalchemy.engine import Engine

from db.news import NewsItem, latest

from .. import __version__
from ..errors import UsageError
from .describe import Labels, labels, pubmed_url, summary
from .files import output_dir, write_atomic

#: entries per feed (feed readers keep what they have seen)
FEED_ENTRIES = 100
#: ``updated`` of a feed without entries (a constant keeps it stable)
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=timezone.utc)
ALL = "all"
FEED_SUFFIX = ".atom"
CATEGORY_SCHEME = "urn:ketamine-tracker:{kind}"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class FeedFile:
    """A feed written (or left as it was) by :func:`write_feeds`.

    Attributes
    ----------
    name : str
        ``all`` or the topic.
    path : Path
    entries : int
    changed : bool
        False when the file already held exactly this feed.
    """

    name: str
    path: Path
    entries: int
    changed: bool


def entry_id(pmid: int) -> str:
    """The Atom id of an article: ``urn:pmid:123``.

    Parameters
    ----------
    pmid : int

    Returns
    -------
    str
    """
    return f"urn:pmid:{pmid}"


def feed_filename(name: str) -> str:
    """File name of a feed.

    Parameters
    ----------
    name : str
        ``all`` or a topic name.

    Returns
    -------
    str
        ``all.atom``, ``<topic>.atom`` (runs of characters outside ``[A-Za-z0-9_-]`` become ``-``).
    """
    return (_SAFE_NAME.sub("-", name).strip("-") or "topic") + FEED_SUFFIX


def build_feed(
    items: Sequence[NewsItem],
    name: str,
    title: str,
    topic_labels: Mapping[str, str] | None = None,
    base_url: Optional[str] = None,
) -> bytes:
    """One Atom document.

    Parameters
    ----------
    items : sequence of NewsItem
        Entries, newest first.
    name : str
        ``all`` or the topic; part of the feed id.
    title : str
        Feed title.
    topic_labels : mapping of str to str, optional
        Labels of topic categories.
    base_url : str, optional
        Public URL of the directory the feeds are served from; gives the feed
        its ``rel="self"`` link.

    Returns
    -------
    bytes
        UTF-8 XML.
    """
    topic_labels = topic_labels or {}
    fg = FeedGenerator()
    fg.id(f"urn:ketamine-tracker:feed:{name}")
    fg.title(title)
    fg.subtitle("Articles on ketamine newly found in PubMed or revised, with study facts extracted from the abstract")
    fg.author({"name": "ketamine-tracker"})
    fg.generator("ketamine-tracker", version=__version__)
    fg.language("en")
    if base_url:
        fg.link(href=base_url.rstrip("/") + "/" + feed_filename(name), rel="self", type="application/atom+xml")
    fg.updated(max((i.updated for i in items), default=EMPTY_FEED_UPDATED))
    lab = labels()
    for item in items:
        fe = fg.add_entry(order="append")
        fe.id(entry_id(item.pmid))
        fe.title(("Retracted: " if item.is_retracted else "") + (item.title or f"PMID {item.pmid}"))
        # one link only: feedgen 1.0 drops the rel of entry links, so a second
        # (DOI) link would be a second "alternate"; the DOI is in the summary
        fe.link(href=pubmed_url(item.pmid), rel="alternate", type="text/html")
        fe.published(item.first_seen)
        fe.updated(item.updated)
        for author in item.authors[:10]:
            fe.author({"name": author})
        fe.summary(summary(item))
        for topic in item.topics:
            fe.category(term=topic, scheme=CATEGORY_SCHEME.format(kind="topic"), label=topic_labels.get(topic) or topic)
        for condition in item.conditions:
            fe.category(term=condition, scheme=CATEGORY_SCHEME.format(kind="condition"), label=Labels.code(condition))
        if item.design is not None:
            fe.category(term=item.design, scheme=CATEGORY_SCHEME.format(kind="design"), label=lab.design(item.design))
    return fg.atom_str(pretty=True)


def write_feeds(
    engine: Engine,
    directory: str | Path,
    topics: Mapping[str, str],
    *,
    base_url: Optional[str] = None,
    entries: int = FEED_ENTRIES,
) -> list[FeedFile]:
    """Write ``all.atom`` and one ``<topic>.atom`` per topic into ``directory``.

    Parameters
    ----------
    engine : Engine
        The database.
    directory : str or Path
        Created if missing.
    topics : mapping of str to str
        Topic name -> label (the topics file's ``label``; empty for the name).
    base_url : str, optional
        Public URL of ``directory`` (self links).
    entries : int
        Entries per feed.

    Returns
    -------
    list of FeedFile
        ``all`` first, then the topics in the order given.
    """
    target = output_dir(directory)
    labels_by_topic = {t: (label or t) for t, label in topics.items()}
    jobs = [(ALL, None, "Ketamine evidence tracker: new and revised studies")]
    jobs += [(t, t, f"Ketamine evidence tracker: {labels_by_topic[t]}") for t in topics]
    paths = [target / feed_filename(name) for name, _, _ in jobs]
    clash = next((p for i, p in enumerate(paths) if p in paths[:i]), None)
    if clash is not None:
        raise UsageError(f"two feeds would be written to {clash}: rename a topic in the topics file")
    out = []
    for (name, topic, title), path in zip(jobs, paths):
        items = latest(engine, topic=topic, limit=entries)
        changed = write_atomic(path, build_feed(items, name, title, labels_by_topic, base_url))
        out.append(FeedFile(name=name, path=path, entries=len(items), changed=changed))
    return out
