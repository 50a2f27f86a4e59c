"""The bounds of harvester.limits on PubMed XML and MEDLINE input, and PMID validation."""

from __future__ import annotations

import gzip

import pytest

from harvester import limits
from harvester.medline import MedlineError, parse_medline
from harvester.pubmed_xml import PubmedXMLError, parse_records

HEAD = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n'
TAIL = b"</PubmedArticleSet>\n"


def _article(pmid: bytes = b"1", title: bytes = b"Ketamine") -> bytes:
    return (b"<PubmedArticle><MedlineCitation><PMID>" + pmid + b"</PMID><Article><ArticleTitle>" + title
            + b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")


def _medline(pmid: str = "1", title: str = "Ketamine") -> str:
    return f"PMID- {pmid}\nTI  - {title}\n\n"


# --- elements -------------------------------------------------------------------------


def test_file_of_junk_elements_over_the_tag_cap_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TAGS", 1_000_000)
    doc = gzip.compress(HEAD + b"<x/>" * 2_000_000 + TAIL)
    with pytest.raises(PubmedXMLError, match="more than 1000000 XML tags"):
        parse_records(doc)


def test_junk_elements_beside_records_are_dropped_as_they_stream(monkeypatch):
    # 2M finished <x/> under the root, 20x the tags the tree may hold at once:
    # only dropping them as they end lets the record after them through.
    monkeypatch.setattr(limits, "MAX_RECORD_TAGS", 100_000)
    doc = gzip.compress(HEAD + b"<x/>" * 2_000_000 + _article(b"7") + TAIL)
    assert [r.pmid for r in parse_records(doc)] == [7]


def test_junk_elements_inside_one_record_over_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_TAGS", 100_000)
    doc = HEAD + _article(b"1", b"T" + b"<i/>" * 200_000) + TAIL
    with pytest.raises(PubmedXMLError, match="tags in one record"):
        parse_records(doc)


def test_junk_elements_in_a_non_record_element_over_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_TAGS", 100_000)
    doc = HEAD + b"<x>" + b"<y/>" * 200_000 + b"</x>" + _article() + TAIL
    with pytest.raises(PubmedXMLError, match="tags in one record"):
        parse_records(doc)


def test_junk_under_a_namespaced_root_over_the_cap_is_refused(monkeypatch):
    # the root is not one the parser watches, so nothing is dropped: the whole document counts
    monkeypatch.setattr(limits, "MAX_RECORD_TAGS", 100_000)
    doc = b'<?xml version="1.0"?>\n<PubmedArticleSet xmlns="http://example.org/ns">' + b"<x/>" * 200_000 + TAIL
    with pytest.raises(PubmedXMLError, match="tags in one record"):
        parse_records(doc)


def test_records_under_the_caps_are_all_read(monkeypatch):
    # 110,000 tags in all; the tree may hold 20,000 (a 64 KiB chunk of these records has ~5,500)
    monkeypatch.setattr(limits, "MAX_RECORD_TAGS", 20_000)
    doc = HEAD + b"".join(_article(str(p).encode()) for p in range(1, 10_001)) + TAIL
    assert len(parse_records(doc)) == 10_000


# --- bytes ------------------------------------------------------------------------------


def test_decompressed_bytes_over_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 << 20)
    doc = gzip.compress(HEAD + _article() + b" " * (2 << 20) + TAIL)
    with pytest.raises(PubmedXMLError, match=f"more than {1 << 20} bytes of XML"):
        parse_records(doc)


def test_attribute_over_the_cap_is_refused():
    doc = gzip.compress(HEAD + b'<PubmedArticle Note="' + b"A" * (limits.MAX_TAG_BYTES + (1 << 20)) + b'"/>' + TAIL)
    with pytest.raises(PubmedXMLError, match="attribute too large"):
        parse_records(doc)


def test_attribute_under_the_cap_is_read(monkeypatch):
    doc = HEAD + b'<x a="' + b"A" * (1 << 20) + b'"/>' + _article(b"3") + TAIL
    assert [r.pmid for r in parse_records(doc)] == [3]


def test_medline_field_line_over_the_cap_is_refused():
    text = "PMID- 1\nAB  - " + "a" * (limits.MAX_FIELD_CHARS + 10) + "\n\n"
    with pytest.raises(MedlineError, match="line 2: a line of more than"):
        parse_medline(text.encode())


def test_medline_field_of_continuation_lines_over_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FIELD_CHARS", 1000)
    text = "PMID- 1\nAB  - start\n" + "      more words of the abstract\n" * 100 + "\n"
    with pytest.raises(MedlineError, match="a field of more than 1000 characters"):
        parse_medline(text.encode())


def test_medline_record_over_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_CHARS", 10_000)
    text = "PMID- 1\n" + "AU  - Doe J\n" * 2000 + "\n"
    with pytest.raises(MedlineError, match="a record of more than 10000 characters"):
        parse_medline(text.encode())


def test_medline_file_over_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 10_000)
    text = "".join(_medline(str(p)) for p in range(1, 1001))
    with pytest.raises(MedlineError, match="more than 10000 characters of MEDLINE text"):
        parse_medline(text.encode())


def test_medline_under_the_caps_is_read():
    text = "".join(_medline(str(p)) for p in range(1, 101))
    assert len(parse_medline(text.encode())) == 100


# --- PMIDs ------------------------------------------------------------------------------

BAD_PMIDS = ["²³", "１２３", "0", "9" * 5000, str(2**63), "-5", "1e3"]


@pytest.mark.parametrize("raw", BAD_PMIDS)
def test_pmid_value_refuses(raw):
    assert limits.pmid_value(raw) is None


@pytest.mark.parametrize("raw, value", [("1", 1), ("39000001", 39000001), (str(2**63 - 1), 2**63 - 1)])
def test_pmid_value_accepts(raw, value):
    assert limits.pmid_value(raw) == value


@pytest.mark.parametrize("raw", BAD_PMIDS)
def test_bad_xml_pmid_is_refused_in_one_line(raw):
    with pytest.raises(PubmedXMLError) as info:
        parse_records(HEAD + _article(raw.encode()) + TAIL)
    assert "PMID is" in str(info.value) and "\n" not in str(info.value) and len(str(info.value)) < 300


@pytest.mark.parametrize("raw", BAD_PMIDS)
def test_bad_medline_pmid_is_refused_in_one_line(raw):
    with pytest.raises(MedlineError) as info:
        parse_medline(_medline(raw).encode())
    assert "PMID is" in str(info.value) and "\n" not in str(info.value) and len(str(info.value)) < 300


@pytest.mark.parametrize("raw", BAD_PMIDS)
def test_bad_deleted_citation_pmid_is_refused(raw):
    with pytest.raises(PubmedXMLError, match="PMID is"):
        parse_records(HEAD + b"<DeleteCitation><PMID>" + raw.encode() + b"</PMID></DeleteCitation>" + TAIL)


@pytest.mark.parametrize("raw", ["²³", "１２３", "9" * 5000])
def test_odd_digits_in_dates_and_versions_are_not_numbers(raw):
    doc = (HEAD + b'<PubmedArticle><MedlineCitation><PMID Version="' + raw.encode() + b'">5</PMID>'
           b"<Article><Journal><JournalIssue><PubDate><Year>" + raw.encode() + b"</Year><Month>"
           + raw.encode() + b"</Month><Day>" + raw.encode() + b"</Day></PubDate></JournalIssue></Journal>"
           b"<ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>" + TAIL)
    (rec,) = parse_records(doc)
    assert (rec.version, rec.pub_year) == (1, None)


def test_comment_with_a_fullwidth_pmid_keeps_no_pmid():
    doc = (HEAD + b"<PubmedArticle><MedlineCitation><PMID>5</PMID><Article><ArticleTitle>T</ArticleTitle></Article>"
           b'<CommentsCorrectionsList><CommentsCorrections RefType="ErratumIn"><RefSource>J 1</RefSource>'
           + "<PMID>１２３</PMID>".encode() + b"</CommentsCorrections></CommentsCorrectionsList>"
           b"</MedlineCitation></PubmedArticle>" + TAIL)
    (rec,) = parse_records(doc)
    assert rec.comments_corrections == [{"type": "ErratumIn", "ref": "J 1", "pmid": None}]


# --- DOCTYPE ----------------------------------------------------------------------------

SUBSET = b'[<!ATTLIST ArticleTitle Lang CDATA "x"><!ENTITY e "injected">]'


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE PubmedArticleSet SYSTEM "a>b" ' + SUBSET + b">",
    b"<!DOCTYPE PubmedArticleSet SYSTEM 'a>b' " + SUBSET + b">",
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//x>//EN" \'sys>[.dtd\' ' + SUBSET + b">",
    b'<!DOCTYPE PubmedArticleSet PUBLIC \'p"q>\' "s>"' + SUBSET + b">",
    b"<!DOCTYPE PubmedArticleSet " + SUBSET + b">",
    b"<!DOCTYPE PubmedArticleSet" + SUBSET + b">",
])
def test_internal_subset_is_refused_whatever_the_quoting(doctype):
    doc = b'<?xml version="1.0"?>\n' + doctype + b"\n<PubmedArticleSet>" + _article(b"1", b"&e;") + TAIL
    with pytest.raises(PubmedXMLError, match="internal DTD subset"):
        parse_records(doc)


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE PubmedArticleSet SYSTEM "a>b" junk>',
    b'<!DOCTYPE PubmedArticleSet SYSTEM "unterminated>',
])
def test_malformed_doctype_is_refused(doctype):
    doc = b'<?xml version="1.0"?>\n' + doctype + b"\n<PubmedArticleSet>" + _article() + TAIL
    with pytest.raises(PubmedXMLError, match="DOCTYPE"):
        parse_records(doc)


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">',
    b"<!DOCTYPE PubmedArticleSet SYSTEM 'odd>name.dtd'>",
    b"<!DOCTYPE PubmedArticleSet>",
])
def test_external_doctype_is_read(doctype):
    doc = b'<?xml version="1.0"?>\n' + doctype + b"\n<PubmedArticleSet>" + _article(b"4") + TAIL
    assert [r.pmid for r in parse_records(doc)] == [4]
