"""PubMed XML parser on hand-written fixtures: one tricky case per test."""

from __future__ import annotations

import gzip
import io
from datetime import date

from db.records import ArticleRecord, DeletedCitation
from harvester.pubmed_xml import iter_records, parse_records


def _by_pmid(path) -> dict[int, ArticleRecord]:
    return {r.pmid: r for r in parse_records(path) if isinstance(r, ArticleRecord)}


def _structured(pubmed_fixture) -> ArticleRecord:
    return _by_pmid(pubmed_fixture("structured.xml"))[39000001]


def _edge(pubmed_fixture, pmid: int) -> ArticleRecord:
    return _by_pmid(pubmed_fixture("edge_cases.xml"))[pmid]


def test_version_above_one_is_kept(pubmed_fixture):
    assert _structured(pubmed_fixture).version == 2


def test_title_inline_markup_is_flattened_to_text(pubmed_fixture):
    assert _structured(pubmed_fixture).title == (
        "Intranasal esketamine and the 5-HT2A receptor in treatment-resistant depression."
    )


def test_structured_abstract_is_label_prefixed_paragraphs(pubmed_fixture):
    abstract = _structured(pubmed_fixture).abstract
    assert abstract.split("\n") == [
        "BACKGROUND: Esketamine (S-ketamine) acts at NMDA receptors.",
        "METHODS: Adults (n = 60) received 56 mg intranasal esketamine or placebo (ClinicalTrials.gov NCT01234567).",
        "RESULTS: MADRS fell by 12.4 points (p < 0.001); Cmax was 2.1 \u03bcg/L and R2 = 0.81.",
        "CONCLUSIONS: Esketamine was effective.",
    ]


def test_abstract_sections_keep_label_and_nlm_category(pubmed_fixture):
    sections = _structured(pubmed_fixture).abstract_sections
    assert [(s["label"], s["category"]) for s in sections] == [
        ("BACKGROUND", "BACKGROUND"), ("METHODS", "METHODS"), ("RESULTS", "RESULTS"), ("CONCLUSIONS", "CONCLUSIONS")
    ]


def test_copyright_is_not_part_of_the_abstract(pubmed_fixture):
    assert "Copyright" not in _structured(pubmed_fixture).abstract


def test_medline_date_gives_year_and_printed_date(pubmed_fixture):
    rec = _structured(pubmed_fixture)
    assert (rec.pub_year, rec.pub_date) == (2019, "2019 Jan-Feb")


def test_season_pub_date(pubmed_fixture):
    rec = _edge(pubmed_fixture, 39000002)
    assert (rec.pub_year, rec.pub_date) == (2022, "2022 Spring")


def test_numeric_day_is_printed_without_leading_zero(pubmed_fixture):
    assert _edge(pubmed_fixture, 39000003).pub_date == "2020 Aug 5"


def test_entrez_date_preferred_over_pubmed_date(pubmed_fixture):
    assert _structured(pubmed_fixture).entrez_date == date(2018, 12, 20)


def test_entrez_date_falls_back_to_pubmed_status(pubmed_fixture):
    assert _edge(pubmed_fixture, 39000002).entrez_date == date(2022, 4, 2)


def test_revised_date(pubmed_fixture):
    assert _structured(pubmed_fixture).revised_date == date(2024, 11, 15)


def test_journal_title_and_iso_abbreviation(pubmed_fixture):
    rec = _structured(pubmed_fixture)
    assert (rec.journal_iso, rec.journal.startswith("Journal of rapid-acting antidepressant research :")) == ("J Rapid Act Antidepress Res", True)


def test_doi_and_pmcid_come_from_the_article_not_its_references(pubmed_fixture):
    rec = _structured(pubmed_fixture)
    assert (rec.doi, rec.pmcid) == ("10.9999/npp.2019.0001", "PMC9900001")


def test_doi_falls_back_to_elocation_id(pubmed_fixture):
    xml = pubmed_fixture("structured.xml").read_bytes()
    xml = xml.replace(b'<ArticleId IdType="doi">10.9999/npp.2019.0001</ArticleId>', b"")
    xml = xml.replace(b'EIdType="doi" ValidYN="Y">10.9999/npp.2019.0001', b'EIdType="doi" ValidYN="Y">10.9999/eloc.1')
    (rec,) = parse_records(xml)
    assert rec.doi == "10.9999/eloc.1"


def test_language(pubmed_fixture):
    assert _structured(pubmed_fixture).language == "eng"


def test_author_affiliations_are_joined(pubmed_fixture):
    first = _structured(pubmed_fixture).authors[0]
    assert first == {
        "last": "Nowak",
        "fore": "Anna M",
        "initials": "AM",
        "collective": None,
        "affiliation": "Department of Psychiatry, Example University, Exampletown.; Clinical Trials Unit, Example Hospital.",
    }


def test_collective_author(pubmed_fixture):
    authors = _edge(pubmed_fixture, 39000002).authors
    assert [a["collective"] for a in authors] == [None, "Invented Palliative Ketamine Working Group"]


def test_mesh_descriptors_with_ui(pubmed_fixture):
    mesh = _structured(pubmed_fixture).mesh
    assert [(m.descriptor, m.descriptor_ui) for m in mesh] == [
        ("Esketamine", "D000077402"),
        ("Depressive Disorder, Treatment-Resistant", "D061218"),
        ("Humans", "D006801"),
    ]


def test_mesh_major_topic_when_descriptor_or_a_qualifier_is_major(pubmed_fixture):
    assert [m.major_topic for m in _structured(pubmed_fixture).mesh] == [True, True, False]


def test_mesh_qualifiers(pubmed_fixture):
    assert _structured(pubmed_fixture).mesh[0].qualifiers == [
        {"name": "administration & dosage", "ui": "Q000008", "major": False},
        {"name": "therapeutic use", "ui": "Q000627", "major": True},
    ]


def test_keywords(pubmed_fixture):
    assert _structured(pubmed_fixture).keywords == ["esketamine", "depression"]


def test_publication_types_with_ui(pubmed_fixture):
    pts = _structured(pubmed_fixture).publication_types
    assert [(p.name, p.ui) for p in pts] == [("Journal Article", "D016428"), ("Randomized Controlled Trial", "D016449")]


def test_nct_ids_from_databank_then_abstract(pubmed_fixture):
    assert _structured(pubmed_fixture).nct_ids == ["NCT07654321", "NCT01234567"]


def test_missing_abstract_is_empty(pubmed_fixture):
    rec = _edge(pubmed_fixture, 39000002)
    assert (rec.abstract, rec.abstract_sections) == ("", [])


def test_unlabelled_abstract_has_no_prefix(pubmed_fixture):
    assert _edge(pubmed_fixture, 39000003).abstract == "Ketamine 0.15 mg/kg/h reduced opioid use."


def test_retracted_publication_is_flagged(pubmed_fixture):
    assert _edge(pubmed_fixture, 39000003).is_retracted is True


def test_retraction_link_is_kept(pubmed_fixture):
    assert _edge(pubmed_fixture, 39000003).comments_corrections == [
        {"type": "RetractionIn", "ref": "Invent J Anaesth. 2023 Mar;12(3):45", "pmid": 39000004}
    ]


def test_retraction_notice_is_not_itself_retracted(pubmed_fixture):
    rec = _edge(pubmed_fixture, 39000004)
    assert (rec.is_retracted, rec.comments_corrections[0]["type"]) == (False, "RetractionOf")


def test_book_chapter_is_a_book(pubmed_fixture):
    assert _edge(pubmed_fixture, 39000005).is_book is True


def test_book_chapter_title_and_book_as_container(pubmed_fixture):
    rec = _edge(pubmed_fixture, 39000005)
    assert (rec.title, rec.journal) == ("Ketamine", "Invented Handbook of Pain\u00ae")


def test_book_chapter_authors_exclude_editors(pubmed_fixture):
    assert [a["last"] for a in _edge(pubmed_fixture, 39000005).authors] == ["Chapter"]


def test_book_chapter_dates(pubmed_fixture):
    rec = _edge(pubmed_fixture, 39000005)
    assert (rec.pub_date, rec.entrez_date, rec.revised_date) == ("2021 Jun", date(2021, 6, 15), date(2024, 1, 30))


def test_book_chapter_abstract_sections(pubmed_fixture):
    assert [s["label"] for s in _edge(pubmed_fixture, 39000005).abstract_sections] == ["INDICATIONS", "ADVERSE EFFECTS"]


def test_delete_citation_yields_one_deleted_record_per_pmid(pubmed_fixture):
    deleted = [r for r in parse_records(pubmed_fixture("edge_cases.xml")) if isinstance(r, DeletedCitation)]
    assert deleted == [DeletedCitation(38000001), DeletedCitation(38000002)]


def test_records_come_in_document_order(pubmed_fixture):
    assert [r.pmid for r in iter_records(pubmed_fixture("edge_cases.xml"))] == [
        39000002, 39000003, 39000004, 39000005, 38000001, 38000002
    ]


def test_path_given_as_str(pubmed_fixture):
    assert [r.pmid for r in iter_records(str(pubmed_fixture("structured.xml")))] == [39000001]


def test_bytes_source(pubmed_fixture):
    assert [r.pmid for r in iter_records(pubmed_fixture("structured.xml").read_bytes())] == [39000001]


def test_binary_stream_source(pubmed_fixture):
    stream = io.BytesIO(pubmed_fixture("structured.xml").read_bytes())
    assert [r.pmid for r in iter_records(stream)] == [39000001]


def test_gzip_detected_by_magic_bytes_not_name(pubmed_fixture, tmp_path):
    target = tmp_path / "looks-plain.xml"
    target.write_bytes(gzip.compress(pubmed_fixture("edge_cases.xml").read_bytes()))
    assert len(parse_records(target)) == 6


def test_gzip_stream(pubmed_fixture):
    stream = io.BytesIO(gzip.compress(pubmed_fixture("structured.xml").read_bytes()))
    assert [r.version for r in iter_records(stream)] == [2]


def test_same_record_hashes_identically_on_reparse(pubmed_fixture):
    a, b = _structured(pubmed_fixture), _structured(pubmed_fixture)
    assert a.content_hash() == b.content_hash()


def _one(citation_inner: bytes, article_inner: bytes = b"") -> ArticleRecord:
    doc = (b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">7</PMID>'
           b"<Article><ArticleTitle>T.</ArticleTitle>" + article_inner + b"</Article>" + citation_inner
           + b"</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    (rec,) = parse_records(doc)
    return rec


def test_keywords_of_every_keyword_list_are_kept_once():
    rec = _one(b'<KeywordList Owner="NOTNLM"><Keyword>ketamine</Keyword><Keyword>migraine</Keyword></KeywordList>'
               b'<KeywordList Owner="NLM"><Keyword>migraine</Keyword><Keyword>NMDA</Keyword></KeywordList>')
    assert rec.keywords == ["ketamine", "migraine", "NMDA"]


def test_invalid_elocation_doi_gives_way_to_the_next_valid_one():
    rec = _one(b"", b'<ELocationID EIdType="doi" ValidYN="N">10.1/bad</ELocationID>'
                    b'<ELocationID EIdType="pii" ValidYN="Y">S0001</ELocationID>'
                    b'<ELocationID EIdType="doi" ValidYN="Y">10.1/good</ELocationID>')
    assert rec.doi == "10.1/good"


def test_publication_types_of_every_list_are_read():
    rec = _one(b"", b'<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>'
                    b'<PublicationTypeList><PublicationType UI="D016454">Review</PublicationType></PublicationTypeList>')
    assert [p.name for p in rec.publication_types] == ["Journal Article", "Review"]
