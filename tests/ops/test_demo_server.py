"""The demo's own E-utilities server (ketamine_tracker.demo_server): real HTTP, parsed by the harvester's parsers."""

from datetime import date
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from harvester.eutils import parse_esearch
from harvester.pubmed_xml import iter_records
from ketamine_tracker.demo_server import DemoPubMed, article_xml, demo_articles

TOPICS = {"pain": "ketamine AND  pain[tiab]", "migraine": "ketamine AND migraine[tiab]"}


@pytest.fixture(scope="module")
def server():
    with DemoPubMed(TOPICS, demo_articles(list(TOPICS), 40)) as srv:
        yield srv


def _get(server, endpoint: str, **params) -> bytes:
    with urlopen(f"{server.url}{endpoint}.fcgi?{urlencode(params)}", timeout=10) as resp:
        return resp.read()


def test_esearch_returns_the_topic_of_a_whitespace_normalised_query(server):
    result = parse_esearch(_get(server, "esearch", db="pubmed", term="ketamine AND pain[tiab]", retmax=100))
    expected = {a.pmid for a in server.articles.values() if a.topic == "pain"}
    assert result.count == 20 and set(result.ids) == expected


def test_esearch_filters_by_entrez_date_window(server):
    window = (date(2018, 1, 1), date(2022, 12, 31))
    result = parse_esearch(_get(server, "esearch", term="pain", retmax=100, datetype="edat",
                                mindate="2018/01/01", maxdate="2022/12/31"))
    expected = {a.pmid for a in server.articles.values()
                if a.topic == "pain" and window[0] <= a.entrez_date <= window[1]}
    assert expected and set(result.ids) == expected


def test_esearch_count_only(server):
    assert parse_esearch(_get(server, "esearch", term="migraine", rettype="count")).count == 20


def test_esearch_of_an_unknown_term_finds_nothing(server):
    result = parse_esearch(_get(server, "esearch", term="aspirin", retmax=10))
    assert result.count == 0 and result.ids == []


def test_efetch_by_post_returns_records_the_harvester_parses(server):
    pmids = sorted(server.articles)[:5]
    body = urlencode({"db": "pubmed", "id": ",".join(map(str, pmids)), "retmode": "xml"}).encode()
    with urlopen(Request(f"{server.url}efetch.fcgi", data=body), timeout=10) as resp:
        records = list(iter_records(resp.read()))
    assert [r.pmid for r in records] == pmids
    assert all(r.title and len(r.abstract_sections) == 4 and r.publication_types for r in records)


def test_einfo_reports_the_corpus_size(server):
    assert b"<Count>40</Count>" in _get(server, "einfo", db="pubmed")


def test_articles_are_deterministic_in_pmid_and_seed():
    art = demo_articles(["pain"], 1)[0]
    assert article_xml(art, seed=1) == article_xml(art, seed=1) != article_xml(art, seed=2)


def test_topics_that_are_not_a_family_still_get_text_about_one():
    arts = demo_articles(["ketamine-all"], 3)
    assert [a.family for a in arts] == ["migraine", "pain", "depression"]
