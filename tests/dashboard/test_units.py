"""Pure helpers of the dashboard: synthetic text offsets, highlighting, exports, accuracy loader."""

from __future__ import annotations

import json

from dashboard.accuracy import load_accuracy
from dashboard.exports import bibtex_escape, file_name, page_range, to_bibtex, to_ris
from dashboard.highlight import highlight_html
from support.synthetic_db import random_specs, render
from db.text import document_text

from dashboard_support import HTML_TITLE, NOW, special_specs

KINDS = {"condition": {"label": "Condition", "color": "#bbdefb"}, "adverse_event": {"label": "Adverse event", "color": "#ffcdd2"}}


def test_synthetic_spans_point_at_their_text():
    for spec in random_specs(60, seed=3, now=NOW) + special_specs():
        r = render(spec)
        doc = document_text(r.title, r.abstract)
        for sp in r.spans:
            assert sp["sentence_start"] <= sp["start"] < sp["end"] <= sp["sentence_end"] <= len(doc)
            if sp["kind"] in ("adverse_event", "dose", "comparator", "sample_size"):
                assert doc[sp["start"]:sp["end"]] == sp["label"]


def test_synthetic_event_rows_quote_their_sentence():
    for spec in random_specs(60, seed=4, now=NOW):
        r = render(spec)
        doc = document_text(r.title, r.abstract)
        for row in r.ae_rows:
            assert doc[row["start"]:row["end"]] == row["term"]
            assert row["sentence"] in doc


def test_synthetic_specs_are_reproducible():
    assert random_specs(20, seed=9, now=NOW) == random_specs(20, seed=9, now=NOW)


def test_highlight_escapes_html_in_text():
    text = HTML_TITLE
    html = highlight_html(text, [{"kind": "condition", "label": "migraine", "start": text.index("migraine"), "end": len(text)}], KINDS)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_highlight_marks_negated_spans():
    text = "No nausea was observed."
    html = highlight_html(text, [{"kind": "adverse_event", "label": "nausea", "start": 3, "end": 9, "negated": True}], KINDS)
    assert 'class="kt-adverse_event kt-negated"' in html and ">nausea</mark>" in html


def test_highlight_skips_overlapping_and_out_of_range_spans():
    text = "treatment-resistant depression"
    spans = [
        {"kind": "condition", "label": "a", "start": 0, "end": 30},
        {"kind": "condition", "label": "b", "start": 20, "end": 30},
        {"kind": "condition", "label": "c", "start": 25, "end": 99},
    ]
    assert highlight_html(text, spans, KINDS).count("<mark") == 1


ROW = {"pmid": 123, "pub_year": 2021, "title": "50% {faster} & cheaper_ #1", "journal": "Pain", "doi": "10.1/x_y",
       "authors": [{"last": "Smith", "fore": "Jane", "initials": "J"}, {"collective": "KET Study Group"}],
       "abstract": "Line one.\nLine two.", "design": "rct", "sample_size": 40, "conditions": ["pain"], "routes": ["oral"],
       "ketamine_forms": ["racemic"], "efficacy_direction": "improved", "serious_ae": "no", "is_retracted": True}


def test_ris_record_has_tags_and_end():
    ris = to_ris([ROW])
    assert ris.splitlines()[0] == "TY  - JOUR"
    assert "AU  - Smith, Jane" in ris and "AU  - KET Study Group" in ris
    assert "AB  - Line one. Line two." in ris and ris.rstrip().endswith("ER  -")


def test_bibtex_escapes_latex_specials():
    assert bibtex_escape("50% {x} & a_b #1") == r"50\% \{x\} \& a\_b \#1"
    bib = to_bibtex([ROW])
    assert bib.startswith("@article{pmid123,") and r"title = {{50\% \{faster\} \& cheaper\_ \#1}}" in bib


def test_accuracy_absent_file_says_not_measured(tmp_path):
    rows, reason = load_accuracy(tmp_path / "accuracy.json")
    assert rows == [] and "not measured yet" in reason


def test_accuracy_rows_are_read(tmp_path):
    path = tmp_path / "accuracy.json"
    path.write_text(json.dumps([{"dataset": "psynamic", "field": "design", "metric": "macro_f1", "value": 0.71, "n": 300}]))
    rows, reason = load_accuracy(path)
    assert reason is None and rows[0]["value"] == 0.71 and rows[0]["reference"] is None


def test_accuracy_broken_file_is_reported_not_raised(tmp_path):
    path = tmp_path / "accuracy.json"
    path.write_text("{not json")
    rows, reason = load_accuracy(path)
    assert rows == [] and "cannot be read" in reason


def test_ris_parses_with_keywords():
    import rispy

    entry = rispy.loads(to_ris([dict(ROW, keywords=["esketamine", "nasal spray"])]))[0]
    assert (entry["type_of_reference"], entry["keywords"], entry["doi"]) == ("JOUR", ["esketamine", "nasal spray"], ROW["doi"])


def test_bibtex_parses_with_keywords():
    import bibtexparser

    library = bibtexparser.parse_string(to_bibtex([dict(ROW, keywords=["esketamine", "pain & mood"])]))
    entry = library.entries[0]
    assert (library.failed_blocks, entry.key, entry["keywords"]) == ([], "pmid123", r"esketamine, pain \& mood")


def test_bibtex_without_keywords_has_no_keywords_field():
    import bibtexparser

    entry = bibtexparser.parse_string(to_bibtex([dict(ROW, keywords=[])])).entries[0]
    assert "keywords" not in entry.fields_dict


CITED = dict(ROW, volume="42", issue="4 Suppl 1", pages="123-9")


def _ris(row):
    import rispy

    return rispy.loads(to_ris([row]))[0]


def _bib(row):
    import bibtexparser

    library = bibtexparser.parse_string(to_bibtex([row]))
    assert library.failed_blocks == []
    return library.entries[0]


def test_ris_parses_with_volume_and_issue():
    entry = _ris(CITED)
    assert (entry["volume"], entry["number"]) == ("42", "4 Suppl 1")


def test_ris_writes_an_abbreviated_end_page_in_full():
    entry = _ris(CITED)
    assert (entry["start_page"], entry["end_page"]) == ("123", "129")


def test_ris_single_page_has_no_end_page():
    entry = _ris(dict(CITED, pages="e0281"))
    assert (entry["start_page"], "end_page" in entry) == ("e0281", False)


def test_ris_without_citation_details_has_none_of_their_tags():
    ris = to_ris([ROW])
    assert [line[:2] for line in ris.splitlines() if line[:2] in ("VL", "IS", "SP", "EP")] == []


def test_bibtex_parses_with_volume_and_number():
    entry = _bib(CITED)
    assert (entry["volume"], entry["number"]) == ("42", "4 Suppl 1")


def test_bibtex_pages_are_a_double_dash_range_in_full():
    assert _bib(CITED)["pages"] == "123--129"


def test_bibtex_single_page():
    assert _bib(dict(CITED, pages="e0281"))["pages"] == "e0281"


def test_bibtex_without_citation_details_has_none_of_their_fields():
    entry = _bib(ROW)
    assert {"volume", "number", "pages"} & set(entry.fields_dict) == set()


def test_page_range_keeps_the_prefix_of_a_supplement_page():
    assert page_range("S12-5") == ("S12", "S15")


def test_page_range_reads_the_first_range_only():
    assert page_range("123-45; discussion 146-7") == ("123", "145")


def test_page_range_of_a_full_range_is_unchanged():
    assert page_range("1865-1876") == ("1865", "1876")


def test_page_range_of_roman_pages():
    assert page_range("iii-iv") == ("iii", "iv")


def test_page_range_without_pages():
    assert page_range(None) == (None, None)


def test_download_name_says_the_filter():
    assert file_name(["Depression", "RCT", "intranasal", "2020–2024"], "ris") == "ketamine-evidence_depression_rct_intranasal_2020-2024.ris"


def test_download_name_of_the_whole_database():
    assert file_name([], "csv") == "ketamine-evidence.csv"
