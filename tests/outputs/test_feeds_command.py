"""``ketamine-tracker feeds`` through the command line, on both backends."""

from __future__ import annotations

import feedparser
import pytest

from ketamine_tracker.cli import main


def test_feeds_writes_one_feed_for_all_and_one_per_topic(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    code = main(["--database-url", url, "feeds", "--out", str(tmp_path / "f")])
    names = sorted(p.name for p in (tmp_path / "f").iterdir())
    assert (code, names) == (0, ["all.atom", "depression.atom", "migraine.atom", "pain.atom"])


def test_feeds_keeps_to_the_entries_asked_for(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    main(["--database-url", url, "feeds", "--out", str(tmp_path), "--entries", "3"])
    assert len(feedparser.parse((tmp_path / "all.atom").read_bytes()).entries) == 3


def test_feeds_takes_the_base_url_from_the_environment(migrated_news_db, tmp_path, monkeypatch):
    url, _ = migrated_news_db
    monkeypatch.setenv("KETAMINE_TRACKER_FEEDS_URL", "https://example.org/f")
    main(["--database-url", url, "feeds", "--out", str(tmp_path)])
    links = feedparser.parse((tmp_path / "pain.atom").read_bytes()).feed.links
    assert [link.href for link in links if link.rel == "self"] == ["https://example.org/f/pain.atom"]


def test_feeds_with_a_bad_entry_count_is_exit_2(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    with pytest.raises(SystemExit) as stop:  # argparse's usage error
        main(["--database-url", url, "feeds", "--out", str(tmp_path / "f"), "--entries", "0"])
    assert (stop.value.code, (tmp_path / "f").exists()) == (2, False)
