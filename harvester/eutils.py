"""A small, polite NCBI E-utilities client (esearch, efetch) built on ``requests``.

Politeness and robustness follow NCBI's usage guidelines (Sayers E., *The
E-utilities In-Depth: Parameters, Syntax and More*, Entrez Programming
Utilities Help, NCBI Bookshelf NBK25499):

* every request carries ``tool`` and ``email`` and, when configured, ``api_key``;
* one thread-safe :class:`RateLimiter` per client spaces requests to at most
  3 per second without a key and 10 per second with one;
* transient failures (HTTP 429 honouring ``Retry-After``, HTTP 5xx, connection
  resets, timeouts, truncated or unparsable XML, esearch ``<ERROR>`` backend
  failures) are retried with capped exponential backoff and full jitter
  (Brooker M., *Exponential Backoff and Jitter*, AWS Architecture Blog, 2015),
  a bounded number of times, then reported as :class:`EutilsError`;
* a server that cannot be reached at all (DNS failure, connection refused,
  proxy or TLS error, connect timeout) is tried only :data:`UNREACHABLE_TRIES`
  times and reported as :class:`EutilsUnreachable`, naming the cause, within
  seconds (no network is not a transient failure).

The API key is sent but never logged, and it is scrubbed from every error
message this module produces; so are credentials written into the base URL
(``http://user:password@proxy/...``), which messages show as ``***@proxy``.
"""

from __future__ import annotations

import io
import logging
import random
import socket
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Sequence, TypeVar
from urllib.parse import unquote, urlsplit

import requests
from lxml import etree
from urllib3.exceptions import NameResolutionError
from urllib3.exceptions import ProxyError as Urllib3ProxyError

from .errors import EutilsError, EutilsUnreachable

__all__ = ["EutilsClient", "EutilsError", "EutilsUnreachable", "RateLimiter", "RetryPolicy", "RetryableResponse",
           "SearchResult", "connection_failure", "parse_esearch", "pubmed_date", "url_secrets", "display_url"]

log = logging.getLogger("harvester.eutils")

T = TypeVar("T")

#: PubMed returns at most this many ids for one query (retstart + retmax).
PUBMED_ID_CAP = 9_999
#: NCBI's limits: requests per second without / with an API key.
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
#: Above this many ids efetch is sent as a form-encoded POST (NBK25499 advises
#: POST for more than about 200 UIDs).
POST_ID_THRESHOLD = 200
#: A request that cannot reach the server at all (DNS failure, connection
#: refused, proxy or TLS error, connect timeout) is tried at most this many
#: times, with at most UNREACHABLE_WAIT seconds between tries: these causes do
#: not heal within a backoff, and a user without network wants the reason in
#: seconds, not after a minute of retries.
UNREACHABLE_TRIES = 2
UNREACHABLE_WAIT = 0.5


class RetryableResponse(Exception):
    """A response that arrived but cannot be used (truncated XML, backend error...)."""


def url_secrets(url: str) -> list[str]:
    """The credentials written into ``url``, longest first, for masking.

    Parameters
    ----------
    url : str
        A URL that may carry user information (``scheme://user:password@host/...``).

    Returns
    -------
    list[str]
        The user information (``user:password``) and the password, each as
        written and percent-decoded; empty when the URL has no user information.
    """
    netloc = urlsplit(url).netloc if "//" in url else ""
    userinfo = netloc.rpartition("@")[0]
    if not userinfo:
        return []
    found = {userinfo, unquote(userinfo)}
    password = userinfo.partition(":")[2]
    if password:
        found |= {password, unquote(password)}
    return sorted((s for s in found if s), key=len, reverse=True)


def display_url(url: str) -> str:
    """``url`` with its user information replaced by ``***`` (``http://***@proxy/...``).

    Parameters
    ----------
    url : str
        Any URL.

    Returns
    -------
    str
        The URL safe to log, store or send.
    """
    for secret in url_secrets(url):
        url = url.replace(secret, "***")
    return url


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception behind it (``__cause__``, ``__context__``, urllib3's ``reason``, wrapped args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None),
                 *(a for a in current.args if isinstance(a, BaseException))]
        todo = [t for t in todo if isinstance(t, BaseException)]
    return seen


def connection_failure(exc: BaseException, url: str) -> tuple[str, str] | None:
    """Why a request to ``url`` could not reach the server, when that is the problem.

    Parameters
    ----------
    exc : BaseException
        What ``requests`` raised.
    url : str
        The URL requested (its host names the DNS and refused cases).

    Returns
    -------
    tuple[str, str] or None
        ``(cause, detail)``: cause ``"proxy"``, ``"tls"``, ``"dns"``, ``"refused"``
        or ``"timeout"`` and one phrase saying it; ``None`` for failures after
        the connection was made (reset, truncated reply), which are retried in full.
    """
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    chain = _causes(exc)

    def first(*kinds):
        return next((c for c in chain if isinstance(c, kinds)), None)

    if first(requests.exceptions.ProxyError, Urllib3ProxyError):
        proxy = requests.utils.get_environ_proxies(url).get(parts.scheme) or "set in HTTPS_PROXY / HTTP_PROXY"
        inner = ("connection refused" if first(ConnectionRefusedError)
                 else "DNS lookup failed" if first(NameResolutionError, socket.gaierror) else "no tunnel")
        return "proxy", f"proxy error: {display_url(proxy)} failed ({inner})"
    if first(requests.exceptions.SSLError, ssl.SSLError):
        tls = first(ssl.SSLError)  # the ssl module's own error names the reason (CERTIFICATE_VERIFY_FAILED...)
        reason = getattr(tls, "reason", None) or getattr(tls, "verify_message", None) or "SSL error"
        return "tls", f"TLS error: the handshake with {host} failed ({reason})"
    if first(NameResolutionError, socket.gaierror):
        return "dns", f"DNS failure: cannot resolve {host!r}"
    if first(ConnectionRefusedError):
        return "refused", f"connection refused by {host}:{port}"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timeout", f"connection timed out: no answer from {host}:{port}"
    return None


def pubmed_date(day: date) -> str:
    """``YYYY/MM/DD``, the date format of esearch ``mindate``/``maxdate``."""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


class RateLimiter:
    """Space calls evenly: at most ``rate`` per second, shared by all threads.

    Each caller reserves the next free slot under a lock and sleeps outside it,
    so concurrent workers queue fairly. A small ``margin`` is added to the
    interval so that network jitter cannot pack four requests into one second
    as seen by the server.

    Parameters
    ----------
    rate:
        Calls per second; ``None`` or ``0`` disables limiting.
    margin:
        Seconds added to ``1 / rate``.
    """

    def __init__(self, rate: float | None, margin: float = 0.05, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = (1.0 / rate + margin) if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with capped exponential backoff and full jitter.

    The wait before try ``n + 1`` is uniform in ``[0, min(cap, base * 2**n)]``
    (full jitter), or the server's ``Retry-After`` when it is longer.

    Parameters
    ----------
    tries:
        Total attempts per request (first try included).
    base:
        Backoff base in seconds (tests use a few milliseconds).
    cap:
        Longest wait between two tries, seconds.
    """

    tries: int = 6
    base: float = 1.0
    cap: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        rng = rng or random
        backoff = rng.uniform(0, min(self.cap, self.base * (2 ** attempt)))
        if retry_after is not None:
            return max(backoff, min(retry_after, self.cap))
        return backoff


@dataclass
class SearchResult:
    """What one esearch call said."""

    count: int
    ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # ErrorList entries such as PhraseNotFound


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def parse_esearch(body: bytes) -> SearchResult:
    """Parse an esearch XML body.

    Raises
    ------
    RetryableResponse
        The body is not well-formed, is not an ``eSearchResult``, carries an
        ``<ERROR>`` (e.g. "Search Backend failed"), or has no ``<Count>``.
    """
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise RetryableResponse(f"esearch body is not well-formed XML ({exc})") from None
    if root.tag != "eSearchResult":
        raise RetryableResponse(f"esearch body is <{root.tag}>, not <eSearchResult>")
    error = root.findtext("ERROR")
    if error:
        raise RetryableResponse(f"esearch error: {' '.join(error.split())[:300]}")
    count_text = root.findtext("Count")
    if count_text is None or not count_text.strip().isdigit():
        raise RetryableResponse("esearch body has no <Count>")
    ids = [int(x.text) for x in root.iterfind("IdList/Id") if x.text and x.text.strip().isdigit()]
    warnings = []
    for err in root.iterfind("ErrorList/*"):
        warnings.append(f"{err.tag}: {(err.text or '').strip()}")
    return SearchResult(count=int(count_text), ids=ids, warnings=warnings)


class EutilsClient:
    """Client for one E-utilities endpoint (real NCBI or the fake server).

    Parameters
    ----------
    base_url:
        E-utilities base URL, e.g. ``https://eutils.ncbi.nlm.nih.gov/entrez/eutils/``.
    api_key, email, tool:
        Identification sent with every request, as NCBI asks.
    rate:
        Requests per second; default 3 without a key and 10 with one.
        ``0`` disables the limiter (fake server, benchmarks only).
    retry:
        The :class:`RetryPolicy`.
    timeout:
        ``(connect, read)`` timeouts in seconds.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "ketamine-tracker",
        rate: float | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10.0, 120.0),
        session: requests.Session | None = None,
        seed: int | None = None,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self._api_key = api_key or None
        self._secrets = ([self._api_key] if self._api_key else []) + url_secrets(self.base_url)
        self._secrets.sort(key=len, reverse=True)
        #: The base URL as messages show it (credentials masked).
        self.display_url = display_url(self.base_url)
        self.email = email
        self.tool = tool
        if rate is None:
            rate = RATE_WITH_KEY if self._api_key else RATE_WITHOUT_KEY
        self.limiter = RateLimiter(rate)
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", f"{tool} (+https://pubmed.ncbi.nlm.nih.gov)")
        self._rng = random.Random(seed)
        self._count_lock = threading.Lock()
        #: Set when the last request could not reach the server at all: later
        #: requests (the next topics) then try once, not UNREACHABLE_TRIES times.
        self.unreachable = False
        self.requests: Counter[str] = Counter()  # endpoint -> requests sent (retries included)
        self.retries: Counter[str] = Counter()  # reason -> retries

    # -- helpers ------------------------------------------------------------
    @property
    def total_requests(self) -> int:
        with self._count_lock:
            return sum(self.requests.values())

    def scrub(self, text: str) -> str:
        """``text`` with the API key and any credentials of the base URL replaced by ``***``.

        Parameters
        ----------
        text : str
            A message about to be logged, stored or raised.

        Returns
        -------
        str
            The message without secrets.
        """
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _identity(self) -> dict[str, str]:
        params = {"tool": self.tool}
        if self.email:
            params["email"] = self.email
        if self._api_key:
            params["api_key"] = self._api_key
        return params

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "EutilsClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the retry loop -----------------------------------------------------
    def call(self, endpoint: str, params: dict[str, str], parse: Callable[[bytes], T], *, post: bool = False) -> T:
        """Send one E-utilities request and parse its body, retrying transient failures.

        Parameters
        ----------
        endpoint:
            ``esearch.fcgi``, ``efetch.fcgi``, ...
        params:
            Query parameters (identity parameters are added here).
        parse:
            Turns the body into a result; raises :class:`RetryableResponse`
            (or ``ValueError``) when the body is unusable, which is retried.
        post:
            Send as a form-encoded POST (long id lists).

        Raises
        ------
        EutilsUnreachable
            The server could not be reached at all (DNS, refused, proxy, TLS,
            connect timeout) in :data:`UNREACHABLE_TRIES` tries, or in one
            when the previous request could not reach it either.
        EutilsError
            A non-retryable HTTP status, or still failing after ``retry.tries``.
        """
        url = self.base_url + endpoint
        payload = {**params, **self._identity()}
        name = endpoint.split(".")[0]
        last = "no attempt"
        tries = self.retry.tries
        unreachable: tuple[str, str] | None = None
        attempt = 0
        while attempt < tries:
            self.limiter.acquire()
            with self._count_lock:
                self.requests[name] += 1
            retry_after = None
            unreachable = None
            try:
                if post:
                    resp = self.session.post(url, data=payload, timeout=self.timeout)
                else:
                    resp = self.session.get(url, params=payload, timeout=self.timeout)
                status = resp.status_code
                self.unreachable = False  # an answer, whatever it says
                if status == 429 or status >= 500:
                    retry_after = _parse_retry_after(resp.headers.get("Retry-After"))
                    last = f"HTTP {status}"
                    reason = "429" if status == 429 else "5xx"
                elif status >= 400:
                    raise EutilsError(f"{name}: HTTP {status} from {self.display_url} (not retried): "
                                      f"{self.scrub(resp.text[:200])}")
                else:
                    try:
                        return parse(resp.content)
                    except (RetryableResponse, ValueError) as exc:
                        last = f"unusable response: {exc}"
                        reason = "bad_body"
            except requests.Timeout as exc:
                unreachable = connection_failure(exc, url)
                last, reason = (unreachable[1] if unreachable else "timed out"), "timeout"
            except requests.ConnectionError as exc:
                unreachable = connection_failure(exc, url)
                last = unreachable[1] if unreachable else f"connection error ({type(exc).__name__})"
                reason = "connection"
            except requests.exceptions.ChunkedEncodingError:
                last, reason = "connection broken mid-body", "connection"
            last = self.scrub(last)
            if unreachable is not None:
                tries = min(tries, 1 if self.unreachable else UNREACHABLE_TRIES)
            if attempt + 1 < tries:
                wait = self.retry.delay(attempt, retry_after, self._rng)
                if unreachable is not None:
                    wait = min(wait, UNREACHABLE_WAIT)
                with self._count_lock:
                    self.retries[reason] += 1
                log.warning("%s: %s; retry %d/%d in %.2fs", name, last, attempt + 1, tries - 1, wait)
                time.sleep(wait)
            attempt += 1
        self.unreachable = unreachable is not None
        if unreachable is not None:
            raise EutilsUnreachable(f"cannot reach E-utilities at {self.display_url}: {last}", *unreachable)
        raise EutilsError(f"{name} failed after {tries} tries against {self.display_url}: {last}")

    # -- esearch --------------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: date | None = None,
        maxdate: date | None = None,
        retmax: int = 0,
        db: str = "pubmed",
    ) -> SearchResult:
        """Count (``retmax=0``) or list the ids matching ``term``, optionally within a date range.

        Parameters
        ----------
        datetype:
            ``edat`` (Entrez date) or ``mdat`` (modification date).
        mindate, maxdate:
            Inclusive bounds; both or neither.
        retmax:
            Ids wanted (at most :data:`PUBMED_ID_CAP`); ``0`` asks only the count.
        """
        params = {"db": db, "term": term, "retmode": "xml"}
        if retmax:
            params.update(retmax=str(min(retmax, PUBMED_ID_CAP)), retstart="0")
        else:
            params["rettype"] = "count"
        if mindate or maxdate:
            if not (mindate and maxdate and datetype):
                raise ValueError("mindate, maxdate and datetype go together")
            params.update(datetype=datetype, mindate=pubmed_date(mindate), maxdate=pubmed_date(maxdate))
        post = len(term) > 1500
        return self.call("esearch.fcgi", params, parse_esearch, post=post)

    # -- efetch ---------------------------------------------------------------
    def efetch(self, pmids: Sequence[int], parse: Callable[[io.BytesIO], Iterable[T]], db: str = "pubmed") -> list[T]:
        """Fetch PubMed XML for ``pmids`` and parse it completely (so a truncated body is retried).

        Parameters
        ----------
        pmids:
            The ids of one batch.
        parse:
            A streaming parser over a binary file object, e.g.
            :func:`harvester.pubmed_xml.iter_records`; a ``ValueError`` it raises
            (malformed or truncated XML) makes the request be retried.
        """
        params = {"db": db, "id": ",".join(str(p) for p in pmids), "retmode": "xml"}

        def _parse(body: bytes) -> list[T]:
            if not body.strip():
                raise RetryableResponse("empty efetch body")
            return list(parse(io.BytesIO(body)))

        return self.call("efetch.fcgi", params, _parse, post=len(pmids) > POST_ID_THRESHOLD)
