"""A fake NCBI E-utilities server with fault injection, for tests and benchmarks.

It answers ``esearch.fcgi``, ``efetch.fcgi`` and ``einfo.fcgi`` (GET or
form-encoded POST) in the shapes the real service uses (see NBK25499 and the
recorded responses in ``../shared/data/eutils-*``), over a corpus of articles
whose XML comes from :mod:`tests.support.synthetic`:

* esearch: ``term`` is matched to a topic whose configured query text equals
  it (whitespace-normalised) or whose name equals it; ``datetype`` ``edat`` /
  ``mdat`` with ``mindate``/``maxdate``; ``rettype=count``; ``retstart`` and
  ``retmax`` with PubMed's 9,999-id cap (asking past it gives the real
  "Search Backend failed" error); unknown terms give the zero-hit
  ``ErrorList``/``PhraseNotFound`` shape.
* efetch: ``db=pubmed&id=1,2,3&retmode=xml`` -> ``<PubmedArticleSet>``.
* NCBI's rate limit (3 requests/s, 10 with ``api_key``; HTTP 429 with
  ``Retry-After`` beyond it), configurable.
* Faults on demand, scripted (``server.script("503", n=2)``) or random with a
  seed (``server.set_fault_rates({"reset": 0.1}, seed=1)``):

  ========== ======================================================
  ``429``    HTTP 429 with ``Retry-After: 1``
  ``500``..  HTTP 500 / 502 / 503
  ``reset``  the connection is reset (TCP RST) after the request is read
  ``truncate`` HTTP 200 whose XML body is cut in half
  ``stall``  the answer is delayed by ``stall_seconds`` (client timeouts)
  ``backend`` esearch: ``<ERROR>Search Backend failed: ...</ERROR>``
  ``errorlist`` esearch: Count 0 with an ``ErrorList`` (flaky zero)
  ``short``  efetch: well-formed XML with a third of the records missing
  ========== ======================================================

Every request is logged (time, endpoint, parameters with the API key masked,
status, fault) so tests can assert on what the server saw.

It is test support, not part of the shipped packages; the offline demo has its
own fault-free server (:mod:`ketamine_tracker.demo_server`).
"""

from __future__ import annotations

import random
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from .synthetic import TOPICS as SYNTHETIC_TOPICS
from .synthetic import article_set_xml, synthetic_article_xml

ID_CAP = 9_999
FAULTS = ("429", "500", "502", "503", "reset", "truncate", "stall", "backend", "errorlist", "short")
_ESEARCH_ONLY = {"backend", "errorlist"}
_EFETCH_ONLY = {"short"}

_ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
_EINFO_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eInfoResult PUBLIC "-//NLM//DTD einfo 20190110//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20190110/einfo.dtd">\n'
)
_CAP_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, ESearch can only "
    "retrieve the first 9,999 records matching the query. To obtain more than 9,999 PubMed records, consider "
    "using EDirect that contains additional logic to batch PubMed search results automatically so that an "
    "arbitrary number can be retrieved. For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)


@dataclass
class FakeArticle:
    """One article of the fake corpus."""

    pmid: int
    entrez_date: date
    revised_date: date
    topics: frozenset[str]
    revision: int = 0  # bump to change the article's text (a "revised" record)
    xml: str | None = None  # explicit <PubmedArticle> XML instead of synthetic text
    seed: int = 0

    def render(self) -> str:
        if self.xml is not None:
            return self.xml
        topic = next((t for t in sorted(self.topics) if t in SYNTHETIC_TOPICS), None)
        return synthetic_article_xml(self.pmid, self.entrez_date, topic=topic, revised_date=self.revised_date,
                                     revision=self.revision, seed=self.seed)


def make_articles(n: int, topic: str | Iterable[str], *, start_pmid: int = 30_000_000,
                  start: date = date(2015, 1, 1), end: date = date(2024, 12, 31), seed: int = 0) -> list[FakeArticle]:
    """``n`` articles of ``topic`` with entrez dates spread evenly (with seeded jitter) over ``[start, end]``."""
    rng = random.Random(seed)
    topics = frozenset([topic] if isinstance(topic, str) else topic)
    span = max((end - start).days, 0)
    out = []
    for i in range(n):
        day = start + timedelta(days=min(span, int(span * (i + rng.random()) / max(n, 1))))
        out.append(FakeArticle(pmid=start_pmid + i, entrez_date=day, revised_date=day, topics=topics, seed=seed))
    return out


@dataclass
class RequestLog:
    """One request as the server saw it."""

    time: float  # time.monotonic() on arrival
    endpoint: str
    method: str
    params: dict[str, str]  # api_key masked
    has_api_key: bool
    status: int = 0
    fault: str | None = None


def _parse_day(value: str, *, end: bool) -> date:
    parts = [int(p) for p in re.split(r"[/\-.]", value.strip()) if p]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        y, m = parts
        if not end:
            return date(y, m, 1)
        return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)
    if len(parts) == 1:
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    raise ValueError(value)


class FakeEutils:
    """The server. Use as a context manager or with :meth:`start` / :meth:`stop`.

    Parameters
    ----------
    topics:
        ``{name: query text}``; esearch maps a term to a topic through these.
    articles:
        Initial corpus.
    rate_limit, rate_limit_with_key:
        Requests per second allowed per identity (``None`` disables the check).
    stall_seconds:
        Delay of the ``stall`` fault.
    id_cap:
        PubMed's id cap (9,999; tests may lower it to exercise splitting cheaply).
    """

    def __init__(
        self,
        topics: dict[str, str] | None = None,
        articles: Iterable[FakeArticle] = (),
        *,
        rate_limit: float | None = 3.0,
        rate_limit_with_key: float | None = 10.0,
        stall_seconds: float = 2.0,
        id_cap: int = ID_CAP,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.topics = {name: " ".join(q.split()) for name, q in (topics or {}).items()}
        self.articles: dict[int, FakeArticle] = {}
        self.rate_limit = rate_limit
        self.rate_limit_with_key = rate_limit_with_key
        self.stall_seconds = stall_seconds
        self.id_cap = id_cap
        self.host, self.port = host, port
        self.log: list[RequestLog] = []
        self._lock = threading.Lock()
        self._script: deque[list] = deque()  # [fault, endpoint, requests still to let through]
        self._rates: dict[str, float] = {}
        self._rate_endpoints: set[str] | None = None
        self._rng = random.Random(0)
        self._windows: dict[str, deque[float]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add_articles(articles)

    # -- corpus -----------------------------------------------------------------
    def add_articles(self, articles: Iterable[FakeArticle]) -> None:
        with self._lock:
            for art in articles:
                self.articles[art.pmid] = art

    def revise(self, pmid: int, revised_date: date, **changes) -> FakeArticle:
        """Give an article a new modification date and a new text (``revision + 1``)."""
        with self._lock:
            old = self.articles[pmid]
            new = replace(old, revised_date=revised_date, revision=changes.pop("revision", old.revision + 1), **changes)
            self.articles[pmid] = new
            return new

    # -- faults -----------------------------------------------------------------
    def script(self, fault: str, n: int = 1, endpoint: str | None = None, skip: int = 0) -> None:
        """The next ``n`` requests (to ``endpoint``, e.g. ``"efetch"``, if given) fail with ``fault``,
        after letting ``skip`` of them through."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._script.extend([fault, endpoint, skip] for _ in range(n))

    def set_fault_rates(self, rates: dict[str, float], *, seed: int = 0, endpoints: Iterable[str] | None = None) -> None:
        """Fail each request with ``fault`` with probability ``rates[fault]`` (seeded)."""
        for fault in rates:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._rates = dict(rates)
            self._rng = random.Random(seed)
            self._rate_endpoints = set(endpoints) if endpoints else None

    def clear_faults(self) -> None:
        with self._lock:
            self._script.clear()
            self._rates = {}

    def _pick_fault(self, endpoint: str) -> str | None:
        with self._lock:
            for i, item in enumerate(self._script):
                fault, where, skip = item
                if (where is None or where == endpoint) and _applies(fault, endpoint):
                    if skip:  # this request passes; every pending entry it matches waits one less
                        for other in self._script:
                            if other[2] and (other[1] is None or other[1] == endpoint) and _applies(other[0], endpoint):
                                other[2] -= 1
                        return None
                    del self._script[i]
                    return fault
            if self._rates and (self._rate_endpoints is None or endpoint in self._rate_endpoints):
                for fault, p in self._rates.items():
                    if _applies(fault, endpoint) and self._rng.random() < p:
                        return fault
        return None

    # -- observations -------------------------------------------------------------
    def counts(self) -> Counter[str]:
        """Requests per endpoint (``esearch``, ``efetch``, ``einfo``)."""
        with self._lock:
            return Counter(entry.endpoint for entry in self.log)

    def faults_served(self) -> Counter[str]:
        with self._lock:
            return Counter(entry.fault for entry in self.log if entry.fault)

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- lifecycle --------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def start(self) -> "FakeEutils":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-eutils", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeEutils":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- rate limit ---------------------------------------------------------------------
    def _over_rate(self, identity: str, keyed: bool, now: float) -> bool:
        limit = self.rate_limit_with_key if keyed else self.rate_limit
        if not limit:
            return False
        with self._lock:
            window = self._windows.setdefault(identity, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                return True
            window.append(now)
            return False

    # -- responses ------------------------------------------------------------------------
    def _topic_for(self, term: str) -> str | None:
        norm = " ".join(term.split())
        for name, query in self.topics.items():
            if norm == query or norm == name:
                return name
        return None

    def esearch(self, params: dict[str, str], fault: str | None) -> tuple[int, str]:
        if fault == "backend":
            return 200, _ESEARCH_HEAD + "<eSearchResult>\n\t<ERROR>Search Backend failed: Database is not supported: temporarily unavailable</ERROR>\n</eSearchResult>\n"
        term = params.get("term", "")
        topic = self._topic_for(term)
        if fault == "errorlist" or topic is None:
            phrase = escape(term[:60]) if topic is None else "ketamine"
            return 200, (_ESEARCH_HEAD + "<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
                         f"<TranslationSet/><QueryTranslation>({phrase}[All Fields])</QueryTranslation>"
                         f"<ErrorList><PhraseNotFound>{phrase}</PhraseNotFound></ErrorList>"
                         "<WarningList><OutputMessage>No items found.</OutputMessage></WarningList></eSearchResult>\n")
        datetype = params.get("datetype", "").lower()
        lo, hi = params.get("mindate"), params.get("maxdate")
        try:
            lo_d = _parse_day(lo, end=False) if lo else None
            hi_d = _parse_day(hi, end=True) if hi else None
        except (ValueError, TypeError):
            return 200, _ESEARCH_HEAD + f"<eSearchResult><ERROR>Invalid date: {escape(str(lo))}/{escape(str(hi))}</ERROR></eSearchResult>\n"
        with self._lock:
            arts = [a for a in self.articles.values() if topic in a.topics]
        if lo_d or hi_d:
            attr = "revised_date" if datetype == "mdat" else "entrez_date"
            lo_d, hi_d = lo_d or date.min, hi_d or date.max
            arts = [a for a in arts if lo_d <= getattr(a, attr) <= hi_d]
        ids = sorted((a.pmid for a in arts), reverse=True)  # PubMed's default: most recent first
        count = len(ids)
        if params.get("rettype") == "count":
            return 200, _ESEARCH_HEAD + f"<eSearchResult>\n\t<Count>{count}</Count>\n</eSearchResult>\n"
        retstart = int(params.get("retstart") or 0)
        retmax = int(params.get("retmax") or 20)
        if retstart + min(retmax, max(count - retstart, 0)) > self.id_cap or retstart > self.id_cap - 1:
            return 200, _ESEARCH_HEAD + f"<eSearchResult>\n\t<ERROR>{escape(_CAP_ERROR)}</ERROR>\n</eSearchResult>\n"
        page = ids[retstart : retstart + retmax]
        id_xml = "".join(f"\n<Id>{p}</Id>" for p in page)
        return 200, (_ESEARCH_HEAD + f"<eSearchResult><Count>{count}</Count><RetMax>{len(page)}</RetMax>"
                     f"<RetStart>{retstart}</RetStart><IdList>{id_xml}\n</IdList><TranslationSet/>"
                     f"<QueryTranslation>{escape(term[:200])}</QueryTranslation></eSearchResult>\n")

    def efetch(self, params: dict[str, str], fault: str | None) -> tuple[int, str]:
        if params.get("db", "pubmed") != "pubmed":
            return 400, "<eFetchResult><ERROR>only db=pubmed is served</ERROR></eFetchResult>"
        ids = [int(x) for x in re.split(r"[,\s]+", params.get("id", "")) if x.isdigit()]
        with self._lock:
            arts = [self.articles[p] for p in ids if p in self.articles]
        if fault == "short" and arts:
            arts = arts[: len(arts) - max(1, len(arts) // 3)]
        return 200, article_set_xml(a.render() for a in arts)

    def einfo(self, params: dict[str, str], fault: str | None) -> tuple[int, str]:
        if not params.get("db"):
            return 200, _EINFO_HEAD + "<eInfoResult>\n<DbList>\n\t<DbName>pubmed</DbName>\n</DbList>\n</eInfoResult>\n"
        with self._lock:
            n = len(self.articles)
        now = datetime.now(timezone.utc)
        return 200, (_EINFO_HEAD + "<eInfoResult>\n\t<DbInfo>\n\t\t<DbName>pubmed</DbName>\n\t\t<MenuName>PubMed</MenuName>\n"
                     "\t\t<Description>PubMed bibliographic record</Description>\n"
                     f"\t\t<DbBuild>Build-fake.{now:%Y.%m.%d}</DbBuild>\n\t\t<Count>{n}</Count>\n"
                     f"\t\t<LastUpdate>{now:%Y/%m/%d %H:%M}</LastUpdate>\n\t</DbInfo>\n</eInfoResult>\n")


def _applies(fault: str, endpoint: str) -> bool:
    if fault in _ESEARCH_ONLY:
        return endpoint == "esearch"
    if fault in _EFETCH_ONLY:
        return endpoint == "efetch"
    return True


class _Handler(BaseHTTPRequestHandler):
    fake: FakeEutils
    protocol_version = "HTTP/1.1"
    server_version = "FakeEutils/1.0"
    # Headers and body go out in two writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms on Linux) and every request looks slow.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # quiet: tests read FakeEutils.log instead
        pass

    def do_GET(self) -> None:
        self._serve(parse_qs(urlsplit(self.path).query, keep_blank_values=True))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
        self._serve(params)

    def _serve(self, raw: dict[str, list[str]]) -> None:
        fake = self.fake
        now = time.monotonic()
        params = {k: v[-1] for k, v in raw.items()}
        endpoint = urlsplit(self.path).path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
        key = params.get("api_key") or None
        shown = {k: ("***" if k == "api_key" else v) for k, v in params.items()}
        entry = RequestLog(time=now, endpoint=endpoint, method=self.command, params=shown, has_api_key=bool(key))
        with fake._lock:
            fake.log.append(entry)
        if endpoint not in ("esearch", "efetch", "einfo"):
            entry.status = 404
            return self._send(404, "<ERROR>unknown endpoint</ERROR>")
        identity = f"key:{key}" if key else f"ip:{self.client_address[0]}"
        if fake._over_rate(identity, bool(key), now):
            entry.status, entry.fault = 429, "rate"
            return self._send(429, '{"error":"API rate limit exceeded","count":"%d"}' % (
                fake.rate_limit_with_key if key else fake.rate_limit), ctype="application/json",
                headers={"Retry-After": "1"})
        fault = fake._pick_fault(endpoint)
        entry.fault = fault
        if fault == "reset":
            entry.status = 0
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            finally:
                self.connection.close()
            return
        if fault == "429":
            entry.status = 429
            return self._send(429, '{"error":"API rate limit exceeded"}', ctype="application/json",
                              headers={"Retry-After": "1"})
        if fault in ("500", "502", "503"):
            entry.status = int(fault)
            return self._send(int(fault), "<html><body><h1>Service unavailable</h1></body></html>", ctype="text/html")
        if fault == "stall":
            time.sleep(fake.stall_seconds)
        status, body = getattr(fake, endpoint)(params, fault)
        if fault == "truncate":
            body = body[: len(body) // 2]
        entry.status = status
        self._send(status, body)

    def _send(self, status: int, body: str, ctype: str = "text/xml; charset=UTF-8", headers: dict | None = None) -> None:
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def demo_corpus(topic_names: list[str], n: int, *, seed: int = 0) -> list[FakeArticle]:
    """``n`` synthetic articles spread over 2005-2025, each in one of ``topic_names``
    (the synthetic topic when it is configured, otherwise the names in rotation)."""
    from .synthetic import synthetic_corpus

    return [
        FakeArticle(pmid=a.pmid, entrez_date=a.entrez_date, revised_date=a.revised_date,
                    topics=frozenset([a.topic if a.topic in topic_names else topic_names[i % len(topic_names)]]),
                    seed=seed)
        for i, a in enumerate(synthetic_corpus(n, seed=seed))
    ]

