"""Atom feeds (ketamine_tracker.outputs.feeds), read back with feedparser."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import update

from db.models import Article
from ketamine_tracker.errors import UsageError
from ketamine_tracker.outputs.feeds import write_feeds

from .conftest import HOSTILE_TITLE

TOPICS = {"migraine": "Migraine", "pain": "", "depression": "Depression"}


def _feed(path):
    return feedparser.parse(path.read_bytes())


def _entry(parsed, pmid):
    return next(e for e in parsed.entries if e.id == f"urn:pmid:{pmid}")


@pytest.fixture
def feeds(sqlite_news_db, tmp_path):
    write_feeds(sqlite_news_db.engine, tmp_path / "feeds", TOPICS)
    return tmp_path / "feeds"


def test_one_feed_for_all_and_one_per_topic(feeds):
    assert sorted(p.name for p in feeds.iterdir()) == ["all.atom", "depression.atom", "migraine.atom", "pain.atom"]


@pytest.mark.parametrize("name", ["all", "migraine", "pain", "depression"])
def test_every_feed_is_well_formed_atom(feeds, name):
    parsed = _feed(feeds / f"{name}.atom")
    assert (parsed.bozo, parsed.version) == (0, "atom10")


def test_the_all_feed_has_every_live_article_newest_first(feeds):
    ids = [e.id for e in _feed(feeds / "all.atom").entries]
    assert ids == [f"urn:pmid:{p}" for p in (108, 104, 101, 102, 105, 103, 106)]


def test_a_topic_feed_has_only_that_topics_articles(feeds):
    ids = [e.id for e in _feed(feeds / "pain.atom").entries]
    assert ids == ["urn:pmid:108", "urn:pmid:102", "urn:pmid:103"]


@pytest.mark.parametrize("name", ["all", "migraine", "pain", "depression"])
def test_no_feed_repeats_an_id(feeds, name):
    ids = [e.id for e in _feed(feeds / f"{name}.atom").entries]
    assert len(ids) == len(set(ids))


def test_an_entry_links_to_pubmed(feeds):
    entry = _entry(_feed(feeds / "all.atom"), 101)
    assert entry.link == "https://pubmed.ncbi.nlm.nih.gov/101/"


def test_an_entry_names_the_authors(feeds):
    entry = _entry(_feed(feeds / "all.atom"), 101)
    assert [a.name for a in entry.authors] == ["Smith J", "Doe A"]


def test_an_entry_is_updated_when_the_article_last_changed(sqlite_news_db, feeds):
    entry = _entry(_feed(feeds / "all.atom"), 104)
    assert entry.updated == sqlite_news_db.since(1).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_an_entry_summary_gives_design_n_route_direction_and_adverse_events(feeds):
    entry = _entry(_feed(feeds / "all.atom"), 101)
    assert entry.summary == (
        "Randomised controlled trial · N = 120 · route: intravenous · efficacy: positive (authors conclude "
        "ketamine helps) · adverse events: dissociation, nausea · conditions: depression · J Affect Disord 2025 · doi:10.1000/kt.101")


def test_a_retracted_article_says_so_in_its_title(feeds):
    entry = _entry(_feed(feeds / "all.atom"), 105)
    assert entry.title == "Retracted: Retracted ketamine trial"


def test_markup_in_a_pubmed_title_stays_text(feeds):
    entry = _entry(_feed(feeds / "all.atom"), 103)
    assert entry.title == HOSTILE_TITLE


def test_a_run_without_changes_writes_the_same_bytes(sqlite_news_db, feeds):
    before = (feeds / "all.atom").read_bytes()
    written = write_feeds(sqlite_news_db.engine, feeds, TOPICS)
    assert ((feeds / "all.atom").read_bytes(), [f.changed for f in written]) == (before, [False] * 4)


def test_a_revision_updates_the_same_entry_id(sqlite_news_db, feeds):
    with sqlite_news_db.engine.begin() as conn:
        conn.execute(update(Article).where(Article.pmid == 106).values(updated=sqlite_news_db.now + timedelta(minutes=1)))
    write_feeds(sqlite_news_db.engine, feeds, TOPICS)
    ids = [e.id for e in _feed(feeds / "all.atom").entries]
    assert (ids[0], len(ids), len(set(ids))) == ("urn:pmid:106", 7, 7)


def test_the_entry_limit_is_kept(sqlite_news_db, tmp_path):
    write_feeds(sqlite_news_db.engine, tmp_path, TOPICS, entries=2)
    assert len(_feed(tmp_path / "all.atom").entries) == 2


def test_a_base_url_gives_each_feed_its_self_link(sqlite_news_db, tmp_path):
    write_feeds(sqlite_news_db.engine, tmp_path, TOPICS, base_url="https://example.org/feeds/")
    links = _feed(tmp_path / "pain.atom").feed.links
    assert [l.href for l in links if l.rel == "self"] == ["https://example.org/feeds/pain.atom"]


def test_an_empty_database_gives_valid_empty_feeds(engine, tmp_path):
    write_feeds(engine, tmp_path, TOPICS)
    parsed = _feed(tmp_path / "all.atom")
    assert (parsed.bozo, len(parsed.entries)) == (0, 0)


def test_topics_whose_file_names_clash_are_refused(engine, tmp_path):
    with pytest.raises(UsageError, match="two feeds"):
        write_feeds(engine, tmp_path, {"low back": "", "low-back": ""})


def test_feeds_are_written_on_postgresql_too(news_db, tmp_path):
    write_feeds(news_db.engine, tmp_path, TOPICS)
    assert [e.id for e in _feed(tmp_path / "migraine.atom").entries] == ["urn:pmid:108", "urn:pmid:104"]
