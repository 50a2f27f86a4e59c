"""Schwartz & Hearst abbreviation detection and its use in conditions and routes."""

from nlp.abbreviations import best_long_form, find_abbreviations
from nlp.extract import extract_article


def test_long_form_before_parenthesis():
    [ab] = find_abbreviations("Patients with treatment-resistant depression (TRD) were enrolled.")
    assert (ab.short, ab.long) == ("TRD", "treatment-resistant depression")


def test_short_form_before_parenthesis():
    [ab] = find_abbreviations("The MADRS (Montgomery-Asberg Depression Rating Scale) was used.")
    assert (ab.short, ab.long) == ("MADRS", "Montgomery-Asberg Depression Rating Scale")


def test_offsets_point_at_forms():
    text = "We gave electroconvulsive therapy (ECT) twice."
    [ab] = find_abbreviations(text)
    assert text[ab.long_start : ab.long_end] == ab.long and text[ab.short_start : ab.short_end] == ab.short


def test_no_definition_for_statistics():
    assert find_abbreviations("Scores fell (p < 0.05) and rose (95% CI 1.2-3.4).") == []


def test_best_long_form_requires_first_letter_at_word_start():
    assert best_long_form("EB", "web browser") is None


def test_defined_abbreviation_counts_as_condition():
    r = extract_article(1, "Ketamine in patients", "Patients with complex regional pain syndrome (CRPS) were treated. CRPS scores fell. CRPS improved.")
    assert "crps" in r["condition_subtypes"]


def test_text_definition_overrides_lexicon_meaning():
    # "IN" is intranasal in the lexicon, but here the text defines it otherwise
    r = extract_article(1, "Ketamine study", "Intensive nursing (IN) was given. Ketamine was given with IN support.")
    assert "intranasal" not in r["routes"]


def test_abbreviation_map_in_result():
    r = extract_article(1, "T", "Patients with treatment-resistant depression (TRD) received ketamine.")
    assert r["abbreviations"] == {"TRD": "treatment-resistant depression"}
