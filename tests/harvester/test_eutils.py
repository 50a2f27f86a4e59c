"""E-utilities client against the fake server: parameters, retries, faults, rate limit."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from harvester.eutils import EutilsClient, EutilsError, RateLimiter, RetryPolicy, parse_esearch, RetryableResponse
from support.fake_eutils import FakeEutils, make_articles
from harvester.pubmed_xml import iter_records
from support import shared_data

PAIN = "ketamine AND pain (fake query)"


@pytest.fixture
def corpus(fake):
    arts = make_articles(60, "pain", start=date(2020, 1, 1), end=date(2020, 12, 31))
    fake.add_articles(arts)
    return arts


def test_esearch_count_sends_identity_parameters(fake, make_client, corpus):
    client = make_client(email="team@example.org", tool="kt-test")
    assert client.esearch(PAIN).count == 60
    seen = fake.log[-1].params
    assert (seen["tool"], seen["email"], seen["rettype"]) == ("kt-test", "team@example.org", "count")


def test_api_key_is_sent_but_masked_in_server_log(fake, make_client, corpus):
    client = make_client(api_key="SECRET-KEY-123")
    client.esearch(PAIN)
    assert fake.log[-1].has_api_key and fake.log[-1].params["api_key"] == "***"


def test_esearch_date_range_uses_pubmed_date_format(fake, client, corpus):
    result = client.esearch(PAIN, datetype="edat", mindate=date(2020, 1, 1), maxdate=date(2020, 6, 30), retmax=100)
    assert fake.log[-1].params["mindate"] == "2020/01/01"
    assert set(result.ids) == {a.pmid for a in corpus if a.entrez_date <= date(2020, 6, 30)}


def test_efetch_long_id_list_is_posted(fake, client, corpus):
    ids = [a.pmid for a in corpus] + list(range(1, 200))  # 259 ids, unknown ones are simply absent
    records = client.efetch(ids, iter_records)
    assert fake.log[-1].method == "POST" and len(records) == 60


def test_efetch_short_id_list_is_get(fake, client, corpus):
    client.efetch([a.pmid for a in corpus[:5]], iter_records)
    assert fake.log[-1].method == "GET"


@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "reset", "truncate", "stall", "backend"])
def test_esearch_recovers_from_each_fault(fault, fake, client, corpus):
    fake.script(fault, n=2, endpoint="esearch")
    assert client.esearch(PAIN).count == 60
    assert fake.counts()["esearch"] == 3


@pytest.mark.parametrize("fault", ["429", "503", "reset", "truncate", "stall"])
def test_efetch_recovers_from_each_fault(fault, fake, client, corpus):
    fake.script(fault, n=2, endpoint="efetch")
    records = client.efetch([a.pmid for a in corpus[:10]], iter_records)
    assert sorted(r.pmid for r in records) == [a.pmid for a in corpus[:10]]
    assert fake.counts()["efetch"] == 3


def test_retries_are_counted_by_reason(fake, client, corpus):
    fake.script("503", n=1)
    fake.script("reset", n=1)
    client.esearch(PAIN)
    assert (client.retries["5xx"], client.retries["connection"]) == (1, 1)


def test_bounded_tries_then_clear_error(fake, make_client, corpus):
    client = make_client(retry=RetryPolicy(tries=3, base=0.001, cap=0.01))
    fake.script("503", n=10)
    with pytest.raises(EutilsError, match=r"esearch failed after 3 tries .*HTTP 503"):
        client.esearch(PAIN)
    assert fake.counts()["esearch"] == 3


def test_client_error_is_not_retried(fake, client):
    with pytest.raises(EutilsError, match="HTTP 404"):
        client.call("nosuch.fcgi", {"db": "pubmed"}, parse_esearch)
    assert len(fake.log) == 1


def test_error_message_never_contains_api_key(fake, make_client, corpus):
    client = make_client(api_key="SECRET-KEY-123", retry=RetryPolicy(tries=2, base=0.001))
    fake.script("500", n=5)
    with pytest.raises(EutilsError) as info:
        client.esearch(PAIN)
    assert "SECRET-KEY-123" not in str(info.value)


def test_retry_after_is_honoured(fake, make_client, corpus):
    client = make_client(retry=RetryPolicy(tries=3, base=0.001, cap=5))
    fake.script("429", n=1)
    client.esearch(PAIN)
    first, second = fake.log[0].time, fake.log[1].time
    assert second - first >= 1.0  # the fake sends Retry-After: 1


def test_retry_delay_uses_retry_after_when_longer():
    assert RetryPolicy(base=0.01, cap=30).delay(0, retry_after=2.5) == 2.5


def test_retry_delay_is_capped():
    assert RetryPolicy(base=10, cap=3).delay(8) <= 3


def test_rate_limiter_spaces_concurrent_callers():
    slots: list[float] = []
    now = [100.0]
    lock = threading.Lock()

    def fake_sleep(seconds):
        with lock:
            slots.append(now[0] + seconds)

    limiter = RateLimiter(3, margin=0.0, clock=lambda: now[0], sleep=fake_sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the first caller goes at once; the five others get distinct slots 1/3 s apart
    assert sorted(round(s - 100.0, 6) for s in slots) == [round(i / 3, 6) for i in range(1, 6)]


def test_rate_is_ten_per_second_with_key():
    assert EutilsClient("http://x/", api_key="k").limiter.interval == pytest.approx(0.1 + 0.05)


def test_rate_is_three_per_second_without_key():
    assert EutilsClient("http://x/").limiter.interval == pytest.approx(1 / 3 + 0.05)


def test_server_observes_at_most_three_requests_per_second(corpus):
    with FakeEutils({"pain": PAIN}, corpus, rate_limit=3) as server:
        client = EutilsClient(server.url, retry=RetryPolicy(tries=1))  # default limiter: 3/s; no retries
        for _ in range(8):
            client.esearch(PAIN)
        times = [e.time for e in server.log]
    assert len(times) == 8 and all(e.status == 200 for e in server.log)
    # any four consecutive arrivals span at least one second
    assert min(times[i + 3] - times[i] for i in range(len(times) - 3)) >= 1.0


def test_fake_server_answers_429_beyond_its_rate(corpus):
    with FakeEutils({"pain": PAIN}, corpus, rate_limit=3) as server:
        client = EutilsClient(server.url, rate=0, retry=RetryPolicy(tries=1))
        with pytest.raises(EutilsError, match="HTTP 429"):
            for _ in range(5):
                client.esearch(PAIN)
    assert server.log[-1].status == 429


def test_pubmed_cap_error_shape_past_9999(fake, client):
    fake.add_articles(make_articles(10_050, "pain", start=date(2010, 1, 1), end=date(2020, 1, 1)))
    with pytest.raises(EutilsError, match="cannot be larger than 9998"):
        client.call("esearch.fcgi", {"db": "pubmed", "term": PAIN, "retstart": "9999", "retmax": "100"}, parse_esearch)


def test_parse_real_esearch_with_ids():
    result = parse_esearch(shared_data("eutils-fixtures-biopython", "esearch1.xml").read_bytes())
    assert (result.count, len(result.ids)) == (63, 20)


def test_parse_real_zero_hit_errorlist_is_a_zero_count():
    result = parse_esearch(shared_data("eutils-fixtures-biopython", "esearch8.xml").read_bytes())
    assert (result.count, result.warnings) == (0, ["PhraseNotFound: abcXYZ"])


def test_parse_real_count_only_reply():
    body = shared_data("eutils-cassettes-hawc", "extracted_bodies",
                       "services.nih.test_pubmed__TestPubMedSearch.test_multiquery.00.esearch.xml").read_bytes()
    assert parse_esearch(body).count == 6


def test_parse_backend_error_is_retryable():
    body = b"<?xml version='1.0'?><eSearchResult><ERROR>Search Backend failed: oops</ERROR></eSearchResult>"
    with pytest.raises(RetryableResponse, match="Search Backend failed"):
        parse_esearch(body)


def test_parse_truncated_esearch_is_retryable():
    with pytest.raises(RetryableResponse, match="not well-formed"):
        parse_esearch(b"<?xml version='1.0'?><eSearchResult><Count>12</Count><IdList><Id>1</Id>")
