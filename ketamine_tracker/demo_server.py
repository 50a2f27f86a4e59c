"""A small, fault-free stand-in for NCBI E-utilities, for ``ketamine-tracker demo``.

It serves ``esearch.fcgi``, ``efetch.fcgi`` and ``einfo.fcgi`` (GET or
form-encoded POST) in the shapes of the real service (NBK25499; recorded
answers in ``../shared/data/eutils-*``) over a corpus of generated articles
about ketamine for migraine, pain and depression, so a new user can run the
nightly job and open the dashboard without NCBI access. Everything is
deterministic in ``(pmid, seed)``. There is no rate limit, no fault injection
and no id cap: the test suite's fault-injecting server lives in
``tests/support/fake_eutils.py`` and is not shipped.

Example::

    with DemoPubMed({"pain": "ketamine AND pain"}, demo_articles(["pain"], 50)) as server:
        print(server.url)  # http://127.0.0.1:PORT/entrez/eutils/
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable, Sequence
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

_PUBMED_HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
_ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
_EINFO_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eInfoResult PUBLIC "-//NLM//DTD einfo 20190110//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20190110/einfo.dtd">\n'
)

#: condition families the generated text is about; other topic names get them in rotation
FAMILIES = ("migraine", "pain", "depression")
_CONDITIONS = {  # (text, MeSH descriptor, descriptor UI)
    "migraine": [("migraine", "Migraine Disorders", "D008881"), ("cluster headache", "Cluster Headache", "D003027"),
                 ("chronic migraine", "Migraine Disorders", "D008881")],
    "pain": [("postoperative pain", "Pain, Postoperative", "D010149"), ("neuropathic pain", "Neuralgia", "D009437"),
             ("complex regional pain syndrome", "Complex Regional Pain Syndromes", "D020918")],
    "depression": [("treatment-resistant depression", "Depressive Disorder, Treatment-Resistant", "D061218"),
                   ("major depressive disorder", "Depressive Disorder, Major", "D003865"),
                   ("bipolar depression", "Bipolar Disorder", "D001714")],
}
_OUTCOMES = {
    "migraine": ["monthly headache days", "pain intensity on a numeric rating scale"],
    "pain": ["visual analogue scale pain score", "cumulative morphine consumption"],
    "depression": ["Montgomery-Asberg Depression Rating Scale score", "Hamilton Depression Rating Scale score"],
}
_REGIMENS = [("intravenous", "ketamine", "0.5 mg/kg over 40 minutes"), ("intranasal", "esketamine", "56 mg"),
             ("intranasal", "ketamine", "25 mg"), ("oral", "ketamine", "1 mg/kg daily"),
             ("subcutaneous", "ketamine", "0.5 mg/kg")]
_COMPARATORS = ["placebo", "midazolam", "normal saline", "lidocaine"]
_EVENTS = ["dissociation", "nausea", "dizziness", "sedation", "vomiting", "headache"]
_DESIGNS = [  # (weight, publication type, its UI)
    (40, "Randomized Controlled Trial", "D016449"), (20, "Clinical Trial", "D016430"),
    (20, "Observational Study", "D064888"), (10, "Case Reports", "D002363"), (10, "Systematic Review", "D000078182"),
]
_JOURNALS = ["Headache", "Pain", "Journal of Affective Disorders", "Anesthesia and analgesia", "Cephalalgia"]
_SURNAMES = ["Smith", "Garcia", "Nakamura", "Okafor", "Rossi", "Dupont", "Kowalski", "Chen"]


@dataclass(frozen=True)
class DemoArticle:
    """One article of the demo corpus.

    Parameters
    ----------
    pmid : int
        Its PMID.
    topic : str
        The configured topic whose esearch returns it.
    entrez_date : date
        Entrez date; also its modification date (the demo never revises).
    family : str
        Which of :data:`FAMILIES` its text is about.
    """

    pmid: int
    topic: str
    entrez_date: date
    family: str


def demo_articles(topics: Sequence[str], n: int, *, seed: int = 0, start_pmid: int = 30_000_000) -> list[DemoArticle]:
    """``n`` articles, topics in rotation, entrez dates spread over 2005-2025 (denser in recent years).

    Parameters
    ----------
    topics : Sequence[str]
        Names of the configured topics (at least one).
    n : int
        Corpus size.
    seed : int
        Corpus seed.
    start_pmid : int
        PMID of the first article; the others follow.

    Returns
    -------
    list[DemoArticle]
        The corpus, in PMID order.
    """
    rng = random.Random(seed)
    start, span = date(2005, 1, 1), (date(2025, 12, 31) - date(2005, 1, 1)).days
    out = []
    for i in range(n):
        topic = topics[i % len(topics)]
        day = start + timedelta(days=int(span * ((i + rng.random()) / n) ** 0.6))
        family = topic if topic in FAMILIES else FAMILIES[i % len(FAMILIES)]
        out.append(DemoArticle(start_pmid + i, topic, day, family))
    return out


def _date(tag: str, day: date, attrs: str = "") -> str:
    return f"<{tag}{attrs}><Year>{day.year}</Year><Month>{day.month:02d}</Month><Day>{day.day:02d}</Day></{tag}>"


def article_xml(article: DemoArticle, *, seed: int = 0) -> str:
    """The ``<PubmedArticle>`` of ``article``: title, labelled abstract, authors, publication types, MeSH.

    Parameters
    ----------
    article : DemoArticle
        The article.
    seed : int
        Corpus seed (the text is deterministic in ``(pmid, seed)``).

    Returns
    -------
    str
        One ``<PubmedArticle>`` element, no XML declaration.
    """
    rng = random.Random(f"{seed}:{article.pmid}")
    cond, mesh, mesh_ui = rng.choice(_CONDITIONS[article.family])
    outcome = rng.choice(_OUTCOMES[article.family])
    route, form, dose = rng.choice(_REGIMENS)
    comparator = rng.choice(_COMPARATORS)
    _, pubtype, pubtype_ui = rng.choices(_DESIGNS, weights=[w for w, *_ in _DESIGNS])[0]
    n_a, n_b = rng.randint(10, 90), rng.randint(10, 90)
    event, other = rng.sample(_EVENTS, 2)
    pct_a, pct_b = rng.randint(8, 40), rng.randint(1, 8)
    effective = rng.random() < 0.7
    result = (f"The {outcome} improved significantly more with {form} than with {comparator} (p < 0.001)."
              if effective else f"There was no significant difference in the {outcome} between groups (p = 0.41).")
    safety = (f"{event.capitalize()} occurred in {pct_a}% of patients receiving {form} versus {pct_b}% with "
              f"{comparator}. No serious adverse events were reported.")
    if pubtype == "Randomized Controlled Trial":
        title = f"{route.capitalize()} {form} versus {comparator} for {cond}: a randomized controlled trial"
        methods = (f"In this randomized, double-blind trial, {n_a + n_b} adults with {cond} were randomly assigned to "
                   f"{route} {form} ({dose}; n = {n_a}) or {comparator} (n = {n_b}).")
    elif pubtype == "Clinical Trial":
        title = f"Open-label {route} {form} for {cond}"
        methods = f"In this open-label, single-arm study, {n_a} patients with {cond} received {route} {form} ({dose})."
        result = (f"The {outcome} improved significantly from baseline (p < 0.001)." if effective
                  else f"The {outcome} did not change significantly from baseline (p = 0.41).")
        safety = f"{event.capitalize()} occurred in {pct_a}% of patients. No serious adverse events were reported."
    elif pubtype == "Observational Study":
        title = f"{route.capitalize()} {form} for {cond} in routine care: a retrospective cohort study"
        methods = (f"In this retrospective cohort study, we reviewed the records of {n_a + n_b} patients with {cond}; "
                   f"{n_a} received {route} {form} and {n_b} received {comparator}.")
    elif pubtype == "Case Reports":
        title = f"{route.capitalize()} {form} for refractory {cond}: a case report"
        methods = f"We report the case of a 42-year-old woman with refractory {cond} who received {route} {form} ({dose})."
        result = f"Her {outcome} improved within 24 hours."
        safety = f"She reported transient {event}, which resolved without treatment."
    else:
        title = f"Ketamine for {cond}: a systematic review and meta-analysis"
        k = rng.randint(5, 20)
        methods = (f"We systematically searched MEDLINE and Embase for trials of {form} in {cond}. "
                   f"{k} trials with {n_a * k} patients were included.")
    sections = [("BACKGROUND", f"Ketamine, an NMDA receptor antagonist, is used off-label for {cond}."),
                ("METHODS", methods + f" The primary outcome was the {outcome} at 24 hours."),
                ("RESULTS", f"{result} {safety}" + ("" if pubtype in ("Clinical Trial", "Case Reports")
                                                       else f" Rates of {other} were similar between groups.")),
                ("CONCLUSIONS", f"{route.capitalize()} {form} " + ("was effective and well tolerated" if effective
                                                                     else "did not improve outcomes") + f" in {cond}.")]
    abstract = "".join(f'<AbstractText Label="{label}" NlmCategory="{label}">{escape(text)}</AbstractText>'
                       for label, text in sections)
    authors = "".join(f'<Author ValidYN="Y"><LastName>{rng.choice(_SURNAMES)}</LastName><Initials>'
                      f"{chr(65 + rng.randrange(26))}</Initials></Author>" for _ in range(rng.randint(1, 5)))
    pubtypes = '<PublicationType UI="D016428">Journal Article</PublicationType>'
    pubtypes += f'<PublicationType UI="{pubtype_ui}">{pubtype}</PublicationType>'
    day, pmid = article.entrez_date, article.pmid
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        + _date("DateRevised", day)
        + '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Internet">'
        f"<PubDate><Year>{day.year}</Year><Month>{day.strftime('%b')}</Month></PubDate></JournalIssue>"
        f"<Title>{escape(rng.choice(_JOURNALS))}</Title></Journal><ArticleTitle>{escape(title)}.</ArticleTitle>"
        f'<Abstract>{abstract}</Abstract><AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>'
        f"<PublicationTypeList>{pubtypes}</PublicationTypeList></Article><MeshHeadingList>"
        '<MeshHeading><DescriptorName UI="D007649" MajorTopicYN="Y">Ketamine</DescriptorName></MeshHeading>'
        f'<MeshHeading><DescriptorName UI="{mesh_ui}" MajorTopicYN="N">{escape(mesh)}</DescriptorName></MeshHeading>'
        '<MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>'
        "</MeshHeadingList></MedlineCitation><PubmedData><History>"
        + _date("PubMedPubDate", day, ' PubStatus="entrez"') + _date("PubMedPubDate", day, ' PubStatus="pubmed"')
        + f'</History><PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">{pmid}'
        "</ArticleId></ArticleIdList></PubmedData></PubmedArticle>"
    )


def _day(value: str) -> date:
    """A ``YYYY[/MM[/DD]]`` esearch date, read as the first day it names."""
    parts = [int(p) for p in re.split(r"[/\-.]", value.strip()) if p] + [1, 1]
    return date(*parts[:3])


class DemoPubMed:
    """The demo's E-utilities server, on ``http://host:port/entrez/eutils/`` in a daemon thread.

    Parameters
    ----------
    topics : dict[str, str]
        Topic name -> PubMed query; an esearch ``term`` equal to a query (whitespace-normalised) or to a
        name returns that topic's articles, any other term returns none.
    articles : Iterable[DemoArticle]
        The corpus.
    seed : int
        Corpus seed (passed to :func:`article_xml`).
    host : str
        Interface to listen on.
    port : int
        Port (0: any free one).
    """

    def __init__(self, topics: dict[str, str], articles: Iterable[DemoArticle], *, seed: int = 0,
                 host: str = "127.0.0.1", port: int = 0):
        self.topics = {name: " ".join(query.split()) for name, query in topics.items()}
        self.articles = {a.pmid: a for a in articles}
        self.seed = seed
        self._address = (host, port)
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Base URL to pass as ``--eutils-url`` (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("the demo server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def start(self) -> "DemoPubMed":
        """Listen and serve in a daemon thread; returns ``self``."""
        self._httpd = ThreadingHTTPServer(self._address, type("Handler", (_Handler,), {"server_of": self}))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="demo-pubmed",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "DemoPubMed":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def answer(self, endpoint: str, params: dict[str, str]) -> tuple[int, str]:
        """HTTP status and XML body for ``endpoint`` (``esearch``, ``efetch``, ``einfo``) called with ``params``."""
        if endpoint == "esearch":
            return 200, self._esearch(params)
        if endpoint == "efetch":
            ids = [int(x) for x in re.split(r"[,\s]+", params.get("id", "")) if x.isdigit()]
            found = [self.articles[p] for p in ids if p in self.articles]
            return 200, _PUBMED_HEAD + "<PubmedArticleSet>\n" + "\n".join(
                article_xml(a, seed=self.seed) for a in found) + "\n</PubmedArticleSet>\n"
        if endpoint == "einfo":
            now = datetime.now(timezone.utc)
            return 200, (_EINFO_HEAD + "<eInfoResult><DbInfo><DbName>pubmed</DbName><MenuName>PubMed</MenuName>"
                         f"<Description>PubMed bibliographic record</Description><Count>{len(self.articles)}</Count>"
                         f"<LastUpdate>{now:%Y/%m/%d %H:%M}</LastUpdate></DbInfo></eInfoResult>\n")
        return 404, f"<ERROR>unknown endpoint {escape(endpoint)}</ERROR>"

    def _esearch(self, params: dict[str, str]) -> str:
        term = " ".join(params.get("term", "").split())
        topic = next((name for name, query in self.topics.items() if term in (query, name)), None)
        if topic is None:
            phrase = escape(term[:60])
            return (_ESEARCH_HEAD + "<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
                    f"<ErrorList><PhraseNotFound>{phrase}</PhraseNotFound></ErrorList></eSearchResult>\n")
        low = _day(params["mindate"]) if params.get("mindate") else date.min
        high = _day(params["maxdate"]) if params.get("maxdate") else date.max
        ids = sorted((a.pmid for a in self.articles.values() if a.topic == topic and low <= a.entrez_date <= high),
                     reverse=True)  # PubMed's default order: most recent first
        if params.get("rettype") == "count":
            return _ESEARCH_HEAD + f"<eSearchResult><Count>{len(ids)}</Count></eSearchResult>\n"
        start, size = int(params.get("retstart") or 0), int(params.get("retmax") or 20)
        page = ids[start:start + size]
        return (_ESEARCH_HEAD + f"<eSearchResult><Count>{len(ids)}</Count><RetMax>{len(page)}</RetMax>"
                f"<RetStart>{start}</RetStart><IdList>" + "".join(f"<Id>{p}</Id>" for p in page)
                + f"</IdList><QueryTranslation>{escape(term[:200])}</QueryTranslation></eSearchResult>\n")


class _Handler(BaseHTTPRequestHandler):
    server_of: DemoPubMed
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def log_message(self, *args) -> None:  # the demo prints its own summary
        pass

    def do_GET(self) -> None:
        self._serve("")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length).decode("utf-8", "replace"))

    def _serve(self, body: str) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        params.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
        endpoint = url.path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        status, text = self.server_of.answer(endpoint, params)
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
