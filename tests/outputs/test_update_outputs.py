"""``update --feeds-dir --digest-dir`` against the demo's local PubMed: both written after extraction."""

from __future__ import annotations

import feedparser
import pytest

from harvester.topics import load_topics
from ketamine_tracker.cli import main
from ketamine_tracker.demo_server import DemoPubMed, demo_articles

ARTICLES = 12


@pytest.fixture
def updated(db_url, tmp_path):
    """One ``update`` writing feeds and digest: (exit code, output directory)."""
    topics = load_topics(None)
    corpus = demo_articles(list(topics), ARTICLES)
    out = tmp_path / "site"
    with DemoPubMed({n: t.query for n, t in topics.items()}, corpus) as server:
        code = main(["--database-url", db_url, "--eutils-url", server.url, "update",
                     "--feeds-dir", str(out / "feeds"), "--digest-dir", str(out), "--digest-since", "last-harvest"])
    return code, out


def test_update_writes_a_feed_entry_for_every_harvested_article(updated):
    code, out = updated
    parsed = feedparser.parse((out / "feeds" / "all.atom").read_bytes())
    assert (code, parsed.bozo, len(parsed.entries)) == (0, 0, ARTICLES)


def test_update_writes_feed_summaries_after_extraction(updated):
    _, out = updated
    parsed = feedparser.parse((out / "feeds" / "all.atom").read_bytes())
    assert not [e.id for e in parsed.entries if "not extracted yet" in e.summary]


def test_update_writes_a_digest_of_what_it_stored(updated):
    _, out = updated
    assert f"## New studies ({ARTICLES})" in (out / "digest.md").read_text()
