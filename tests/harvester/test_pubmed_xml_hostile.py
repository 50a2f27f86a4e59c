"""PubMed XML parser on truncated, malformed, non-XML and hostile input."""

from __future__ import annotations

import gzip
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from harvester.pubmed_xml import PARSER_OPTIONS, PubmedXMLError, iter_records, parse_records

SECRET = "kt-secret-6f1c2d"


def _xxe_doc(secret_file) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret_file}">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + b"]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
    b"<ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
)


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_xxe_payload_is_refused(secret_file):
    with pytest.raises(PubmedXMLError, match="internal DTD subset"):
        parse_records(_xxe_doc(secret_file))


def test_xxe_error_does_not_leak_the_file(secret_file):
    with pytest.raises(PubmedXMLError) as info:
        parse_records(_xxe_doc(secret_file))
    assert SECRET not in str(info.value)


def test_parser_options_alone_do_not_read_local_files(secret_file):
    # Defence in depth: even if the prolog check were bypassed, libxml2 with
    # PARSER_OPTIONS leaves the external entity unresolved.
    texts = []
    for _, el in etree.iterparse(io.BytesIO(_xxe_doc(secret_file)), events=("end",), tag="ArticleTitle", **PARSER_OPTIONS):
        texts.append("".join(el.itertext()))
    assert texts == ["&xxe;"]


def test_billion_laughs_is_refused():
    with pytest.raises(PubmedXMLError, match="entity"):
        parse_records(BILLION_LAUGHS)


def test_parser_options_alone_never_expand_billion_laughs():
    # libxml2 either stops with an amplification error or leaves the reference unexpanded.
    texts = []
    try:
        for _, el in etree.iterparse(io.BytesIO(BILLION_LAUGHS), events=("end",), tag="ArticleTitle", **PARSER_OPTIONS):
            texts.append("".join(el.itertext()))
    except etree.XMLSyntaxError:
        pass
    assert all("lollol" not in t for t in texts)


def test_truncated_xml_names_the_last_complete_pmid(pubmed_fixture):
    data = pubmed_fixture("edge_cases.xml").read_bytes()
    cut = data[: data.index(b"<ArticleTitle>Retraction notice")]
    with pytest.raises(PubmedXMLError, match=r"truncated.*line \d+.*last complete record PMID 39000003"):
        parse_records(cut)


def test_records_before_the_damage_are_streamed_first(pubmed_fixture):
    data = pubmed_fixture("edge_cases.xml").read_bytes()
    cut = data[: data.index(b"<ArticleTitle>Retraction notice")]
    seen = []
    with pytest.raises(PubmedXMLError):
        for rec in iter_records(cut):
            seen.append(rec.pmid)
    assert seen == [39000002, 39000003]


def test_malformed_xml_names_the_line():
    doc = b"<?xml version='1.0'?>\n<PubmedArticleSet>\n<PubmedArticle></Wrong>\n</PubmedArticleSet>"
    with pytest.raises(PubmedXMLError, match="line 3"):
        parse_records(doc)


def test_truncated_gzip(pubmed_fixture, tmp_path):
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(gzip.compress(pubmed_fixture("edge_cases.xml").read_bytes())[:400])
    with pytest.raises(PubmedXMLError, match=r"cut\.xml\.gz: truncated or corrupt gzip"):
        parse_records(path)


def test_non_xml_text():
    with pytest.raises(PubmedXMLError, match="not XML"):
        parse_records(b"PMID- 12345678\nTI  - A MEDLINE record, not XML.\n")


def test_empty_input():
    with pytest.raises(PubmedXMLError, match="empty input"):
        parse_records(b"  \n")


def test_other_xml_root_is_not_pubmed():
    with pytest.raises(PubmedXMLError, match="root element <eSearchResult>"):
        parse_records(b"<?xml version='1.0'?><eSearchResult><Count>0</Count></eSearchResult>")


def test_missing_file_is_a_parser_error(tmp_path):
    with pytest.raises(PubmedXMLError, match="cannot open"):
        parse_records(tmp_path / "absent.xml")


def test_text_stream_is_refused():
    with pytest.raises(PubmedXMLError, match="binary mode"):
        parse_records(io.StringIO("<PubmedArticleSet/>"))


def test_non_numeric_pmid_names_the_record(pubmed_fixture):
    data = pubmed_fixture("edge_cases.xml").read_bytes().replace(b">39000003</PMID>", b">39000003x</PMID>")
    with pytest.raises(PubmedXMLError, match=r"record 2 \(line \d+\): PMID is '39000003x'"):
        parse_records(data)


def test_article_without_pmid_names_the_record():
    doc = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><Article/></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    with pytest.raises(PubmedXMLError, match="record 1: PMID is missing"):
        parse_records(doc)


def test_excessive_nesting_is_refused():
    doc = b"<PubmedArticleSet>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</PubmedArticleSet>"
    with pytest.raises(PubmedXMLError, match="malformed"):
        parse_records(doc)


@settings(max_examples=300, deadline=2000)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_pubmed_xml_error(data):
    try:
        records = parse_records(data)
    except PubmedXMLError:
        return
    assert isinstance(records, list)


@settings(max_examples=200, deadline=2000)
@given(st.text(max_size=1000))
def test_arbitrary_text_raises_only_pubmed_xml_error(text):
    try:
        records = parse_records(text.encode("utf-8"))
    except PubmedXMLError:
        return
    assert isinstance(records, list)


_VALID = (
    b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">5</PMID>'
    b"<Article><Journal><JournalIssue><PubDate><Year>2020</Year><Month>Feb</Month></PubDate></JournalIssue></Journal>"
    b"<ArticleTitle>Ketamine <i>x</i></ArticleTitle><Abstract><AbstractText Label=\"A\">t</AbstractText></Abstract>"
    b"</Article></MedlineCitation><PubmedData><History><PubMedPubDate PubStatus=\"entrez\"><Year>2020</Year>"
    b"<Month>2</Month><Day>30</Day></PubMedPubDate></History></PubmedData></PubmedArticle></PubmedArticleSet>"
)


@settings(max_examples=300, deadline=2000)
@given(st.integers(0, len(_VALID)), st.integers(0, len(_VALID)), st.binary(max_size=8))
def test_damaged_pubmed_documents_raise_only_pubmed_xml_error(cut, at, junk):
    data = _VALID[:at] + junk + _VALID[at:cut] if at <= cut else _VALID[:cut]
    try:
        records = parse_records(data)
    except PubmedXMLError:
        return
    assert all(r.pmid >= 0 for r in records)
