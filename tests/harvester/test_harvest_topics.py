"""Topics file: the shipped queries and validation of user files."""

from __future__ import annotations

import pytest

from harvester.topics import SHIPPED_TOPICS, Topic, load_topics, select_topics
from harvester.errors import TopicsError


def _write(tmp_path, text: str):
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_has_the_three_topics():
    assert list(load_topics()) == ["migraine", "pain", "depression"]


def test_shipped_queries_have_the_ketamine_block_filled_in():
    for topic in load_topics(SHIPPED_TOPICS).values():
        assert "{" not in topic.query and topic.query.startswith('("Ketamine"[MeSH Terms] OR ketamine[tiab]')


def test_missing_query_is_a_usage_error(tmp_path):
    with pytest.raises(TopicsError, match=r"\[topics.pain\] has no query"):
        load_topics(_write(tmp_path, '[topics.pain]\nlabel = "Pain"\n'))


def test_invalid_toml_is_a_usage_error(tmp_path):
    with pytest.raises(TopicsError, match="is not valid TOML"):
        load_topics(_write(tmp_path, "[topics.pain\n"))


def test_unknown_placeholder_is_a_usage_error(tmp_path):
    with pytest.raises(TopicsError, match=r"uses \{opioid\}"):
        load_topics(_write(tmp_path, "[topics.pain]\nquery = '{opioid} AND pain'\n"))


def test_file_without_topics_is_a_usage_error(tmp_path):
    with pytest.raises(TopicsError, match="no \\[topics.NAME\\] tables"):
        load_topics(_write(tmp_path, 'ketamine = "ketamine"\n'))


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(TopicsError, match="cannot read topics file"):
        load_topics(tmp_path / "absent.toml")


def test_unknown_topic_name_lists_known_topics():
    with pytest.raises(TopicsError, match="unknown topic 'nope'; known topics: migraine, pain, depression"):
        select_topics(load_topics(), ["nope"])


def test_no_names_selects_every_topic():
    assert [t.name for t in select_topics(load_topics(), [])] == ["migraine", "pain", "depression"]


def test_query_hash_ignores_whitespace_changes():
    assert Topic("a", "x  AND\n y").query_hash == Topic("a", "x AND y").query_hash


def test_query_hash_changes_with_the_query():
    assert Topic("a", "x AND y").query_hash != Topic("a", "x OR y").query_hash
