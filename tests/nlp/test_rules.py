"""nlp.rules: JSON rule files read into typed rule classes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from nlp.errors import NlpError
from nlp.rules import RuleFile, RuleFileError, load_rules


@dataclass(frozen=True, kw_only=True)
class Entry:
    label: str
    terms: list[str]
    subtype: str | None = None


@dataclass(frozen=True, kw_only=True)
class Example(RuleFile):
    entries: list[Entry]
    threshold: float = 0.5
    window: int = 3
    units: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def load(tmp_path, data: dict) -> Example:
    path = tmp_path / "example.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_rules(path, Example)


def test_nested_objects_become_rule_classes(tmp_path):
    got = load(tmp_path, {"entries": [{"label": "iv", "terms": ["intravenous"]}]})
    assert got.entries == [Entry(label="iv", terms=["intravenous"])]


def test_absent_optional_keys_take_their_defaults(tmp_path):
    got = load(tmp_path, {"entries": []})
    assert (got.description, got.threshold, got.window, got.units) == ("", 0.5, 3, [])


def test_unknown_key_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="'treshold'"):
        load(tmp_path, {"entries": [], "treshold": 0.1})


def test_unknown_key_in_a_nested_object_is_refused_with_its_place(tmp_path):
    with pytest.raises(RuleFileError, match=r"entries\[1\].*'subtpye'"):
        load(tmp_path, {"entries": [{"label": "a", "terms": []}, {"label": "b", "terms": [], "subtpye": "x"}]})


def test_missing_required_key_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="'entries'"):
        load(tmp_path, {"threshold": 0.1})


def test_string_where_a_list_belongs_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="terms"):
        load(tmp_path, {"entries": [{"label": "a", "terms": "intravenous"}]})


def test_boolean_is_not_an_integer(tmp_path):
    with pytest.raises(RuleFileError, match="window"):
        load(tmp_path, {"entries": [], "window": True})


def test_integer_is_accepted_as_a_number(tmp_path):
    assert load(tmp_path, {"entries": [], "threshold": 1}).threshold == 1


def test_tuple_of_the_wrong_length_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match=r"units\[0\]"):
        load(tmp_path, {"entries": [], "units": [["mg", "mg", "extra"]]})


def test_tuple_is_built_from_an_array(tmp_path):
    assert load(tmp_path, {"entries": [], "units": [["mg/kg", "mg/kg"]]}).units == [("mg/kg", "mg/kg")]


def test_mistyped_dictionary_value_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="counts.pain"):
        load(tmp_path, {"entries": [], "counts": {"pain": "two"}})


def test_null_is_accepted_where_the_type_allows_it(tmp_path):
    assert load(tmp_path, {"entries": [{"label": "a", "terms": [], "subtype": None}]}).entries[0].subtype is None


def test_rule_file_error_is_an_nlp_error():
    assert issubclass(RuleFileError, NlpError)
