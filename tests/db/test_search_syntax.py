"""The query language (db.search_syntax) on its own: the trees it builds and what it refuses."""

from __future__ import annotations

import pytest

from db.search_syntax import Op, SearchSyntaxError, Term, field_tags, leaves, parse


def test_operators_apply_left_to_right():
    assert parse("a OR b AND c") == Op("AND", Op("OR", Term("word", "a", 0), Term("word", "b", 5)), Term("word", "c", 11))


def test_adjacent_terms_are_joined_by_and():
    assert parse("a b") == Op("AND", Term("word", "a", 0), Term("word", "b", 2))


def test_parentheses_make_a_subtree():
    assert parse("a OR (b AND c)") == Op("OR", Term("word", "a", 0),
                                          Op("AND", Term("word", "b", 6), Term("word", "c", 12)))


def test_phrase_keeps_its_words_with_single_spaces():
    assert parse('"treatment   resistant\tdepression"') == Term("phrase", "treatment resistant depression", 0)


def test_typographic_quotes_make_a_phrase():
    assert parse("\u201cnasal spray\u201d") == Term("phrase", "nasal spray", 0)


def test_prefix_keeps_its_stem():
    assert parse("anesthe*") == Term("prefix", "anesthe", 0)


def test_field_tag_sets_the_field():
    assert parse("migraine[TI]") == Term("word", "migraine", 0, "title")


def test_lowercase_operator_is_a_word():
    assert parse("a and b") == Op("AND", Op("AND", Term("word", "a", 0), Term("word", "and", 2)), Term("word", "b", 6))


def test_leaves_leave_out_the_right_side_of_not():
    assert [t.text for t in leaves(parse("a NOT (b OR c) OR d"))] == ["a", "d"]


def test_every_field_tag_names_a_known_field():
    assert set(field_tags().values()) == {"all", "text", "title", "abstract", "mesh"}


@pytest.mark.parametrize("query", ["ketamine NEAR/3 migraine", "title:ketamine", "ket^2", "a & !b", "x:*A"])
def test_engine_syntax_is_words(query):
    assert all(t.kind == "word" for t in leaves(parse(query)))


def test_error_message_names_the_place_from_one():
    with pytest.raises(SearchSyntaxError, match=r"\(at character 3\)$"):
        parse("a (")
