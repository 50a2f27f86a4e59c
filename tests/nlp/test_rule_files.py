"""Every shipped rule file loads into its rule class, and a misspelt key in it is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlp
from nlp.adverse_events.extract import ContextRules
from nlp.adverse_events.frequency import FrequencyRules
from nlp.adverse_events.lexicon import AdjectiveRules, LexiconRules
from nlp.adverse_events.serious import SeriousRules
from nlp.adverse_events.status import StatusRuleFile
from nlp.conditions import ConditionRules
from nlp.design import DesignRules
from nlp.negation.termsets import TermsetRules
from nlp.outcomes.direction import DirectionRules
from nlp.outcomes.efficacy import EfficacyRules
from nlp.outcomes.measures import MeasureRules
from nlp.matching.terms import LexiconFile, LexiconRegistry
from nlp.routes_doses import ComparatorRules, DoseRules, RouteRules
from nlp.rules import RuleFileError, load_rules
from nlp.sample_size import SampleSizeRules
from nlp.sentences import NonfinalRules
from nlp.sentences.index import SectionRules

NLP_ROOT = Path(nlp.__file__).resolve().parent

#: rule file (relative to nlp/) -> its rule class
RULE_FILES = {
    "adverse_events/resources/ae_adjectives.json": AdjectiveRules,
    "adverse_events/resources/ae_lexicon.json": LexiconRules,
    "adverse_events/resources/context_rules.json": ContextRules,
    "adverse_events/resources/frequency.json": FrequencyRules,
    "adverse_events/resources/serious.json": SeriousRules,
    "adverse_events/resources/status_rules.json": StatusRuleFile,
    "conditions/resources/conditions.json": LexiconFile,
    "conditions/resources/rules.json": ConditionRules,
    "design/resources/design_rules.json": DesignRules,
    "negation/resources/trial_termset.json": TermsetRules,
    "outcomes/resources/direction_rules.json": DirectionRules,
    "outcomes/resources/efficacy_rules.json": EfficacyRules,
    "outcomes/resources/measures.json": MeasureRules,
    "resources/ketamine.json": LexiconFile,
    "resources/lexicons.json": LexiconRegistry,
    "routes_doses/resources/comparators.json": ComparatorRules,
    "routes_doses/resources/doses.json": DoseRules,
    "routes_doses/resources/routes.json": RouteRules,
    "sample_size/resources/sample_size.json": SampleSizeRules,
    "sentences/resources/nonfinal.json": NonfinalRules,
    "sentences/resources/sections.json": SectionRules,
}
#: JSON files under nlp/ that are not rules
NOT_RULES = {
    "resources/accuracy.json",  # measured figures, written by `evaluate --write-accuracy`
}

#: (rule file, path to one object of a nested rule class inside it)
NESTED = [
    ("adverse_events/resources/ae_lexicon.json", ["entries", 0]),
    ("adverse_events/resources/context_rules.json", ["blocked", 0]),
    ("conditions/resources/conditions.json", ["entries", 0]),
    ("design/resources/design_rules.json", ["text_rules", 0]),
    ("design/resources/design_rules.json", ["pubtypes"]),
    ("design/resources/design_rules.json", ["mesh"]),
    ("design/resources/design_rules.json", ["preclinical"]),
    ("negation/resources/trial_termset.json", ["add"]),
    ("outcomes/resources/measures.json", ["measures", 0]),
    ("resources/ketamine.json", ["entries", 0]),
    ("routes_doses/resources/comparators.json", ["entries", 0]),
    ("routes_doses/resources/routes.json", ["entries", 0]),
]


def misspelt(obj: dict) -> tuple[dict, str]:
    """``obj`` with its last key misspelt (a letter doubled), and that misspelling."""
    key = list(obj)[-1]
    wrong = key[0] + key
    return {(wrong if k == key else k): v for k, v in obj.items()}, wrong


def test_every_json_file_under_nlp_is_a_rule_file_or_listed_as_not_one():
    found = {p.relative_to(NLP_ROOT).as_posix() for p in NLP_ROOT.rglob("*.json")}
    assert found == set(RULE_FILES) | NOT_RULES


@pytest.mark.parametrize("relpath", sorted(RULE_FILES))
def test_rule_file_loads_into_its_class(relpath):
    assert isinstance(load_rules(NLP_ROOT / relpath, RULE_FILES[relpath]), RULE_FILES[relpath])


@pytest.mark.parametrize("relpath", sorted(RULE_FILES))
def test_misspelt_key_in_rule_file_is_refused(relpath, tmp_path):
    data, wrong = misspelt(json.loads((NLP_ROOT / relpath).read_text(encoding="utf-8")))
    (tmp_path / "rules.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleFileError, match=wrong):
        load_rules(tmp_path / "rules.json", RULE_FILES[relpath])


@pytest.mark.parametrize("relpath, where", NESTED, ids=[f"{r}:{'/'.join(map(str, w))}" for r, w in NESTED])
def test_misspelt_key_in_nested_rule_is_refused(relpath, where, tmp_path):
    data = json.loads((NLP_ROOT / relpath).read_text(encoding="utf-8"))
    parent = data
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]], wrong = misspelt(parent[where[-1]])
    (tmp_path / "rules.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleFileError, match=wrong):
        load_rules(tmp_path / "rules.json", RULE_FILES[relpath])
