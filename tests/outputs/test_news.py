"""db.news: new, revised and newly retracted articles of a window (fixture table in conftest.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.news import MAX_LIMIT, changes, latest


def _pmids(change_list):
    return [item.pmid for item in change_list.items]


def test_new_lists_articles_first_stored_in_the_window(news_db):
    news = changes(news_db.engine, news_db.since(7))
    assert sorted(_pmids(news.new)) == [101, 102, 103, 108]


def test_new_puts_randomised_trials_first_larger_first(news_db):
    news = changes(news_db.engine, news_db.since(7))
    assert _pmids(news.new) == [101, 103, 102, 108]


def test_revised_lists_older_articles_changed_in_the_window(news_db):
    news = changes(news_db.engine, news_db.since(7))
    assert _pmids(news.revised) == [104]


def test_retracted_lists_older_articles_changed_in_the_window_and_retracted(news_db):
    news = changes(news_db.engine, news_db.since(7))
    assert _pmids(news.retracted) == [105]


def test_an_article_unchanged_in_the_window_is_in_no_list(news_db):
    news = changes(news_db.engine, news_db.since(7))
    listed = _pmids(news.new) + _pmids(news.revised) + _pmids(news.retracted)
    assert 106 not in listed


def test_a_deleted_article_is_in_no_list(news_db):
    news = changes(news_db.engine, news_db.since(7))
    listed = _pmids(news.new) + _pmids(news.revised) + _pmids(news.retracted)
    assert 107 not in listed


def test_the_window_end_is_exclusive(news_db):
    news = changes(news_db.engine, news_db.since(7), until=news_db.since(1))
    assert sorted(_pmids(news.new)) == [102, 103]


def test_topic_restricts_every_list(news_db):
    news = changes(news_db.engine, news_db.since(7), topic="pain")
    assert (_pmids(news.new), news.revised.total, news.retracted.total) == ([103, 102, 108], 0, 0)


def test_limit_caps_the_items_but_total_counts_them_all(news_db):
    news = changes(news_db.engine, news_db.since(7), limit=2)
    assert (_pmids(news.new), news.new.total) == ([101, 103], 4)


def test_an_item_carries_its_extraction_summary(news_db):
    item = changes(news_db.engine, news_db.since(7)).new.items[0]
    assert (item.design, item.sample_size, item.routes, item.efficacy_direction, item.conditions) == (
        "rct", 120, ("intravenous",), "positive", ("depression",))


def test_adverse_events_are_those_that_occurred_most_mentioned_first(news_db):
    item = changes(news_db.engine, news_db.since(7)).new.items[0]
    assert item.adverse_events == ("dissociation", "nausea")


def test_an_item_names_its_authors_and_topics(news_db):
    item = changes(news_db.engine, news_db.since(7)).new.items[0]
    assert (item.authors, item.topics) == (("Smith J", "Doe A"), ("depression",))


def test_an_item_not_extracted_yet_has_no_design(news_db):
    item = next(i for i in changes(news_db.engine, news_db.since(7)).new.items if i.pmid == 108)
    assert (item.design, item.topics, item.version) == (None, ("migraine", "pain"), 2)


def test_times_come_back_timezone_aware(news_db):
    item = changes(news_db.engine, news_db.since(7)).revised.items[0]
    assert (item.first_seen, item.updated) == (news_db.since(30), news_db.since(1))


def test_a_naive_since_is_refused(news_db):
    with pytest.raises(ValueError, match="timezone"):
        changes(news_db.engine, datetime(2025, 1, 1))


def test_an_empty_window_is_refused(news_db):
    with pytest.raises(ValueError, match="empty window"):
        changes(news_db.engine, news_db.since(1), until=news_db.since(2))


def test_a_limit_out_of_range_is_refused(news_db):
    with pytest.raises(ValueError, match="limit"):
        changes(news_db.engine, news_db.since(7), limit=MAX_LIMIT + 1)


def test_latest_orders_by_last_change_newest_first(news_db):
    assert [i.pmid for i in latest(news_db.engine)] == [108, 104, 101, 102, 105, 103, 106]


def test_latest_leaves_out_deleted_articles(news_db):
    assert 107 not in [i.pmid for i in latest(news_db.engine)]


def test_latest_restricted_to_a_topic(news_db):
    assert [i.pmid for i in latest(news_db.engine, topic="migraine")] == [108, 104]


def test_latest_keeps_to_its_limit(news_db):
    assert [i.pmid for i in latest(news_db.engine, limit=2)] == [108, 104]
