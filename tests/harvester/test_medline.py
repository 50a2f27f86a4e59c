"""MEDLINE (.nbib) import via Bio.Medline on hand-written fixtures."""

from __future__ import annotations

import io
from datetime import date

import pytest

from db.records import ArticleRecord
from harvester.medline import MedlineError, iter_medline_records, parse_medline


def _recs(medline_fixture) -> dict[int, ArticleRecord]:
    return {r.pmid: r for r in parse_medline(medline_fixture("ketamine.nbib"))}


def _trial(medline_fixture) -> ArticleRecord:
    return _recs(medline_fixture)[39100001]


def test_records_in_file_order(medline_fixture):
    assert [r.pmid for r in iter_medline_records(medline_fixture("ketamine.nbib"))] == [39100001, 39100002]


def test_wrapped_title_is_joined(medline_fixture):
    assert _trial(medline_fixture).title == (
        "Intranasal esketamine versus placebo for treatment-resistant depression: a randomized controlled trial."
    )


def test_inline_abstract_labels_become_sections(medline_fixture):
    assert [s["label"] for s in _trial(medline_fixture).abstract_sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]


def test_abstract_is_label_prefixed_paragraphs(medline_fixture):
    assert _trial(medline_fixture).abstract.split("\n")[1] == (
        "METHODS: Adults (n = 60) received 56 mg intranasal esketamine or placebo (NCT01234567)."
    )


def test_unstructured_abstract_is_one_unlabelled_section(medline_fixture):
    rec = _recs(medline_fixture)[39100002]
    assert rec.abstract_sections == [{"label": None, "category": None, "text": rec.abstract}]


def test_full_author_names_with_initials_and_affiliation(medline_fixture):
    assert _trial(medline_fixture).authors[0] == {
        "last": "Nowak", "fore": "Anna M", "initials": "AM", "collective": None,
        "affiliation": "Department of Psychiatry, Example University, Exampletown.",
    }


def test_corporate_author_is_collective(medline_fixture):
    assert _trial(medline_fixture).authors[-1]["collective"] == "Invented Esketamine Study Group"


def test_medline_date(medline_fixture):
    rec = _trial(medline_fixture)
    assert (rec.pub_year, rec.pub_date) == (2019, "2019 Jan-Feb")


def test_publication_types(medline_fixture):
    assert [p.name for p in _trial(medline_fixture).publication_types] == ["Journal Article", "Randomized Controlled Trial"]


def test_mesh_star_marks_major_descriptor(medline_fixture):
    mesh = {m.descriptor: m for m in _trial(medline_fixture).mesh}
    assert (mesh["Depressive Disorder, Treatment-Resistant"].major_topic, mesh["Humans"].major_topic) == (True, False)


def test_mesh_qualifiers_with_star(medline_fixture):
    mesh = {m.descriptor: m for m in _trial(medline_fixture).mesh}
    assert mesh["Esketamine"].qualifiers == [
        {"name": "administration & dosage", "ui": None, "major": False},
        {"name": "therapeutic use", "ui": None, "major": True},
    ]


def test_mesh_major_qualifier_makes_heading_major(medline_fixture):
    mesh = {m.descriptor: m for m in _trial(medline_fixture).mesh}
    assert mesh["Esketamine"].major_topic is True


def test_doi_from_aid(medline_fixture):
    assert _trial(medline_fixture).doi == "10.9999/npp.2019.0101"


def test_pmcid(medline_fixture):
    assert _trial(medline_fixture).pmcid == "PMC9900101"


def test_nct_from_secondary_source_then_abstract(medline_fixture):
    assert _trial(medline_fixture).nct_ids == ["NCT07654321", "NCT01234567"]


def test_language(medline_fixture):
    assert _trial(medline_fixture).language == "eng"


def test_entrez_date_from_edat(medline_fixture):
    assert _trial(medline_fixture).entrez_date == date(2018, 12, 20)


def test_entrez_date_falls_back_to_pubmed_history(medline_fixture):
    assert _recs(medline_fixture)[39100002].entrez_date == date(2020, 8, 6)


def test_last_revised_date(medline_fixture):
    assert _trial(medline_fixture).revised_date == date(2024, 11, 15)


def test_journal_title_and_abbreviation(medline_fixture):
    rec = _trial(medline_fixture)
    assert (rec.journal, rec.journal_iso) == (
        "Journal of rapid-acting antidepressant research : official journal of the Fictional Society of Ketamine Studies",
        "J Rapid Act Antidepress Res",
    )


def test_keywords(medline_fixture):
    assert _trial(medline_fixture).keywords == ["esketamine", "depression"]


def test_retraction_in_is_a_comment_and_flags_retracted(medline_fixture):
    rec = _recs(medline_fixture)[39100002]
    assert (rec.is_retracted, rec.comments_corrections) == (
        True, [{"type": "RetractionIn", "ref": "Invent J Anaesth. 2023 Mar;12(3):45", "pmid": 39100003}]
    )


def test_text_stream_source(medline_fixture):
    stream = io.StringIO(medline_fixture("ketamine.nbib").read_text(encoding="utf-8"))
    assert [r.pmid for r in iter_medline_records(stream)] == [39100001, 39100002]


def test_record_without_pmid_names_the_record_number(medline_fixture):
    with pytest.raises(MedlineError, match=r"broken\.nbib: record 2 \(line 6\): PMID is missing"):
        parse_medline(medline_fixture("broken.nbib"))


def test_records_before_a_broken_one_are_streamed(medline_fixture):
    seen = []
    with pytest.raises(MedlineError):
        for rec in iter_medline_records(medline_fixture("broken.nbib")):
            seen.append(rec.pmid)
    assert seen == [39100011]


def test_xml_is_not_medline():
    with pytest.raises(MedlineError, match="line 1: .* not a MEDLINE field line"):
        parse_medline(b'<?xml version="1.0"?>\n<PubmedArticleSet/>\n')


def test_empty_input():
    with pytest.raises(MedlineError, match="no MEDLINE records"):
        parse_medline(b"\n\n")


def test_binary_garbage():
    with pytest.raises(MedlineError, match="not UTF-8"):
        parse_medline(b"PMID- 1\nTI  - \xff\xfe\n")


def test_missing_file(tmp_path):
    with pytest.raises(MedlineError, match="cannot open"):
        parse_medline(tmp_path / "absent.nbib")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=2000)
@given(st.lists(st.sampled_from(["PMID- 12", "PMID- x", "TI  - t", "      cont", "MH  - *A/*b", "AB  - X: y. Z: w",
                                 "FAU - ,", "AU  - ", "DP  - 20", "EDAT- 2020/13/40", "LR  - 2020", "", "junk", "\x00"]),
                max_size=20))
def test_arbitrary_line_soup_raises_only_medline_error(lines):
    try:
        records = parse_medline("\n".join(lines).encode("utf-8"))
    except MedlineError:
        return
    assert all(r.pmid == 12 for r in records)
