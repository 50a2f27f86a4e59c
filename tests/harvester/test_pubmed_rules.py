"""harvester/resources/pubmed_rules.json read into its typed class."""

from __future__ import annotations

import json

import pytest

from harvester.resources.pubmed_rules import RULES_FILE, RulesFileError, load_pubmed_rules, parse_pubmed_rules


def _data() -> dict:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def test_shipped_file_loads():
    assert load_pubmed_rules().retracted_ref_types == ("RetractionIn",)


def test_misspelt_key_is_refused():
    data = _data()
    data["retracted_ref_type"] = data.pop("retracted_ref_types")
    with pytest.raises(RulesFileError, match="unknown key.*retracted_ref_type"):
        parse_pubmed_rules(data)


def test_missing_key_is_refused():
    data = _data()
    del data["nct_pattern"]
    with pytest.raises(RulesFileError, match="missing key.*nct_pattern"):
        parse_pubmed_rules(data)


def test_mistyped_value_is_refused():
    data = _data()
    data["entrez_date_statuses"] = "entrez"
    with pytest.raises(RulesFileError, match="entrez_date_statuses: expected a list of strings"):
        parse_pubmed_rules(data)


def test_bad_pattern_is_refused():
    data = _data()
    data["nct_pattern"] = "NCT(\\d{8}"
    with pytest.raises(RulesFileError, match="nct_pattern: not a regular expression"):
        parse_pubmed_rules(data)
