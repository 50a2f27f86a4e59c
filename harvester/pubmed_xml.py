"""Streaming, hardened parser for PubMed XML (efetch output, baseline and update files).

:func:`iter_records` feeds a ``PubmedArticleSet`` to an ``lxml.etree.XMLPullParser``
in 64 KiB chunks and yields one :class:`db.records.ArticleRecord` per
``<PubmedArticle>`` or ``<PubmedBookArticle>`` and one
:class:`db.records.DeletedCitation` per PMID of a ``<DeleteCitation>``; the
legacy ``MedlineCitationSet`` format (MEDLINE files before 2017) is read too.
Each record is cleared once it is converted, and after every chunk the
finished elements under the root are dropped, records or not, so memory stays
flat however large the file and whatever it holds besides records.

Hostile input is refused: PubMed files never carry an internal DTD subset, so
a ``<!DOCTYPE`` is read token by token (its quoted literals may hold ``>`` or
``[``) and any internal subset (the vehicle of XXE, "billion laughs" entity
expansion and injected attribute defaults) is an error before libxml2 sees the
document. The parser is additionally configured with ``resolve_entities=False``,
``no_network=True``, ``load_dtd=False`` and ``huge_tree=False`` (defence in
depth, following the OWASP XML External Entity Prevention Cheat Sheet). The
size bounds of :mod:`harvester.limits` (decompressed bytes, tags per file and
per record, tag length) are checked on the bytes as they stream in, and a PMID
must be ASCII digits in 1..2**63-1.

Element semantics follow the NLM PubMed DTD documentation
(https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html). Volume,
issue and pages come from ``JournalIssue/Volume``, ``JournalIssue/Issue`` and
``Pagination`` (``MedlinePgn`` as written, else ``StartPage``-``EndPage``);
books carry none.
"""

from __future__ import annotations

import calendar
import gzip
import io
import re
import zlib
from datetime import date
from pathlib import Path
from typing import BinaryIO, Iterator, Optional, Union

from lxml import etree

from db.records import ArticleRecord, DeletedCitation, MeshHeading, PubType
from harvester import limits
from harvester.errors import InputRejected
from harvester.resources.pubmed_rules import load_pubmed_rules

Source = Union[str, Path, bytes, bytearray, BinaryIO]

_RULES = load_pubmed_rules()
_RETRACTED_REFS = frozenset(_RULES.retracted_ref_types)
_RETRACTED_PUBTYPES = frozenset(_RULES.retracted_publication_types)
_ENTREZ_STATUSES = _RULES.entrez_date_statuses
_PUBMED_ROOTS = frozenset(_RULES.pubmed_root_elements)
NCT_RE = re.compile(_RULES.nct_pattern)

# Hardened libxml2 settings (OWASP XXE Prevention Cheat Sheet, lxml section).
PARSER_OPTIONS = {
    "resolve_entities": False,  # never substitute entity references
    "no_network": True,  # never fetch anything over the network
    "load_dtd": False,  # never load the external DTD named in <!DOCTYPE>
    "dtd_validation": False,
    "huge_tree": False,  # keep libxml2's depth and text-size limits
}
_IGNORED_REFS = frozenset(_RULES.ignored_comment_ref_types)

_TARGETS = frozenset({"PubmedArticle", "PubmedBookArticle", "DeleteCitation", "MedlineCitation"})
_EVENT_TAGS = tuple(sorted(_TARGETS | _PUBMED_ROOTS))  # the roots for their start event
_HEAD_BYTES = 64 * 1024
_CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_WS = re.compile(r"\s+")
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b", re.ASCII)  # the year in a free-text MedlineDate
# <!DOCTYPE name [SYSTEM "sys" | PUBLIC "pub" "sys"]: literals in either quote, which may hold ">" or "["
_LITERAL = r"(?:\"[^\"]*\"|'[^']*')"
_DOCTYPE = re.compile(
    rf"<!DOCTYPE\s+[^\s\[\]>\"']+(?:\s+(?:SYSTEM\s*{_LITERAL}|PUBLIC\s*{_LITERAL}\s*{_LITERAL}))?\s*"
)
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_ABBR = {i: name for i, name in enumerate(calendar.month_abbr) if name}


class PubmedXMLError(InputRejected):
    """The input is not well-formed, not PubMed XML, hostile, or over a bound of :mod:`harvester.limits`."""


# --------------------------------------------------------------------------- input


class _Prefixed(io.RawIOBase):
    """A binary stream that first returns ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buf))
        n = len(data)
        buf[:n] = data
        return n


def _read_head(stream: BinaryIO, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        data = stream.read(size - got)
        if not data:
            break
        if isinstance(data, str):
            raise PubmedXMLError("a text stream was given; open the file in binary mode ('rb')")
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def _open(source: Source) -> tuple[BinaryIO, str, list]:
    """Binary stream of the (decompressed) document, its display name, things to close."""
    to_close: list = []
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw: BinaryIO = io.BytesIO(bytes(source))
        name = "<bytes>"
    elif isinstance(source, (str, Path)):
        name = str(source)
        try:
            raw = open(source, "rb")
        except OSError as exc:
            raise PubmedXMLError(f"{name}: cannot open: {exc.strerror or exc}") from exc
        to_close.append(raw)
    elif hasattr(source, "read"):
        raw = source
        name = str(getattr(source, "name", "<stream>"))
    else:
        raise PubmedXMLError(f"cannot read PubMed XML from a {type(source).__name__}")
    try:
        magic = _read_head(raw, 2)
        stream: BinaryIO = _Prefixed(magic, raw)
        if magic == _GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=io.BufferedReader(stream), mode="rb")
            to_close.append(stream)
        head = _read_head(stream, _HEAD_BYTES)
    except PubmedXMLError:
        _close(to_close)
        raise
    except (OSError, EOFError, zlib.error) as exc:
        _close(to_close)
        raise PubmedXMLError(f"{name}: truncated or corrupt gzip data: {exc}") from exc
    try:
        _check_prolog(head, name)
    except PubmedXMLError:
        _close(to_close)
        raise
    return io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 16), name, to_close


def _close(things: list) -> None:
    for thing in reversed(things):
        try:
            thing.close()
        except Exception:  # noqa: BLE001 - closing after an error must not mask it
            pass


def _check_prolog(head: bytes, name: str) -> None:
    """Refuse empty, non-XML, non-PubMed and DTD-carrying documents before parsing.

    PubMed XML has an XML declaration, an external ``<!DOCTYPE>`` and a
    ``PubmedArticleSet`` root; an internal subset (``[...]``) can only serve to
    declare entities, the vehicle of XXE and entity-expansion attacks (OWASP
    XXE Prevention Cheat Sheet), so it is rejected outright.
    """
    if not head.strip():
        raise PubmedXMLError(f"{name}: empty input (no XML document)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")
    pos = 1 if text.startswith("\ufeff") else 0
    if text.startswith("\xef\xbb\xbf"):
        pos = 3
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            raise PubmedXMLError(f"{name}: no root element in the first {_HEAD_BYTES // 1024} KiB; not PubMed XML")
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
            if end < 0:
                raise PubmedXMLError(f"{name}: unterminated processing instruction at the start; not PubMed XML")
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
            if end < 0:
                raise PubmedXMLError(f"{name}: unterminated comment at the start; not PubMed XML")
            pos = end + 3
        elif text.startswith("<!DOCTYPE", pos):
            m = _DOCTYPE.match(text, pos)
            after = text[m.end() : m.end() + 1] if m else ""
            if after == "[":
                raise PubmedXMLError(
                    f"{name}: the document declares an internal DTD subset (entity declarations); "
                    "refused: PubMed XML never does, and it is how XXE and entity-expansion attacks work"
                )
            if m is not None and not after:
                raise PubmedXMLError(f"{name}: unterminated DOCTYPE; not PubMed XML")
            if after != ">":
                raise PubmedXMLError(
                    f"{name}: malformed DOCTYPE (expected a name, an optional SYSTEM or PUBLIC identifier "
                    "and '>'); refused"
                )
            pos = m.end() + 1
        elif text.startswith("<", pos):
            m = re.match(r"<([A-Za-z_][\w.:-]*)", text[pos : pos + 200])
            if not m:
                raise PubmedXMLError(f"{name}: not XML (unexpected {text[pos:pos + 20]!r} at the start)")
            root = m.group(1)
            if root not in _PUBMED_ROOTS:
                raise PubmedXMLError(
                    f"{name}: not PubMed XML: root element <{root}> "
                    f"(expected {', '.join('<' + r + '>' for r in sorted(_PUBMED_ROOTS))})"
                )
            return
        else:
            snippet = text[pos : pos + 30]
            raise PubmedXMLError(f"{name}: not XML (starts with {snippet!r})")


# --------------------------------------------------------------------------- parsing


def iter_records(source: Source) -> Iterator[ArticleRecord | DeletedCitation]:
    """Yield the records of a PubMed XML document one at a time.

    The document is fed to a pull parser in chunks of :data:`_CHUNK` bytes; each
    record is converted and cleared as soon as it ends, and after every chunk
    the finished elements under the root are dropped, records or not, so the
    tree never holds more than the element being read. The bounds of
    :mod:`harvester.limits` are checked on the bytes as they stream in.

    Parameters
    ----------
    source : str | pathlib.Path | bytes | binary file object
        A ``.xml`` or ``.xml.gz`` path (gzip is recognised by its magic bytes,
        not the name), the document as bytes, or a binary stream (e.g. an
        HTTP response body).

    Yields
    ------
    ArticleRecord | DeletedCitation
        In document order. Records are yielded as they are parsed, so a
        consumer that needs all-or-nothing semantics must buffer or use a
        transaction (the ``ingest`` command does).

    Raises
    ------
    PubmedXMLError
        Truncated, malformed, non-XML, non-PubMed or hostile input, or input
        over a bound of :mod:`harvester.limits`; the message names the source,
        the line and the last PMID parsed completely.
    """
    stream, name, to_close = _open(source)
    last_pmid: Optional[int] = None
    count = 0
    guard = _Guard(name)
    parser = etree.XMLPullParser(
        events=("start", "end"),
        tag=_EVENT_TAGS,
        **PARSER_OPTIONS,
        remove_comments=True,
        remove_pis=True,
    )
    root = None
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if chunk:
                guard.feed(chunk)
                parser.feed(chunk)
            else:
                parser.close()
            for event, elem in parser.read_events():
                if event == "start":
                    if root is None:
                        root = elem
                    continue
                tag = elem.tag
                if tag not in _TARGETS:
                    continue  # the root's own end
                if tag == "MedlineCitation":
                    parent = elem.getparent()
                    if parent is not None and parent.tag == "PubmedArticle":
                        continue  # handled with its PubmedArticle
                count += 1
                try:
                    if tag == "DeleteCitation":
                        for pmid_el in elem.iterfind("PMID"):
                            pmid = _pmid(pmid_el, name, count)
                            yield DeletedCitation(pmid=pmid)
                    elif tag == "PubmedBookArticle":
                        rec = _book_article(elem, name, count)
                        last_pmid = rec.pmid
                        yield rec
                    else:
                        rec = _article(elem, name, count)
                        last_pmid = rec.pmid
                        yield rec
                finally:
                    _release(elem)
            guard.hold(root)
            if not chunk:
                break
    except etree.XMLSyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        after = f"; last complete record PMID {last_pmid}" if last_pmid is not None else "; no complete record before it"
        msg = (exc.msg or str(exc)).strip()
        kind = "truncated XML" if "Premature end" in msg or "end of data" in msg else "malformed or truncated XML"
        raise PubmedXMLError(f"{name}: {kind} at {where}: {msg}{after}") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise PubmedXMLError(f"{name}: truncated or corrupt gzip data after record {count}: {exc}") from exc
    finally:
        _close(to_close)


class _Guard:
    """The bounds of :mod:`harvester.limits` on one XML document, checked per chunk.

    Tags are counted as the ``<`` in the raw bytes (one C-speed count per
    chunk, no Python work per element). The tags held at once are those
    counted since the root's last child started (at most one chunk more).
    """

    def __init__(self, name: str):
        self.name = name
        self.bytes = 0
        self.tags = 0
        self.held = 0
        self.since_gt = 0  # bytes since the last ">"
        self.new = 0  # tags of the last chunk
        self.last = None  # the root's last child after the previous chunk

    def _refuse(self, what: str) -> None:
        raise PubmedXMLError(f"{self.name}: {what}; refused (bounds in harvester/limits.py)")

    def feed(self, chunk: bytes) -> None:
        """Count a chunk of the document; refuse it when it passes a bound."""
        self.bytes += len(chunk)
        if self.bytes > limits.MAX_FILE_BYTES:
            self._refuse(f"more than {limits.MAX_FILE_BYTES} bytes of XML")
        first = chunk.find(b">")
        if first < 0:
            self.since_gt += len(chunk)
        elif self.since_gt + first > limits.MAX_TAG_BYTES:
            self.since_gt += first
        else:
            self.since_gt = len(chunk) - 1 - chunk.rfind(b">")
        if self.since_gt > limits.MAX_TAG_BYTES:
            self._refuse(f"a tag or text of more than {limits.MAX_TAG_BYTES} bytes (attribute too large)")
        self.new = chunk.count(b"<")
        self.tags += self.new
        if self.tags > limits.MAX_TAGS:
            self._refuse(f"more than {limits.MAX_TAGS} XML tags")

    def hold(self, root: Optional[etree._Element]) -> None:
        """After a chunk's records are out: drop the finished children of ``root``
        and refuse an element that holds too many tags."""
        if root is None or root.tag in _TARGETS:  # no root seen (a namespaced one), or a record as the root:
            self.held = self.tags  # the whole document is held
        else:
            n = len(root)
            if n > 1:
                del root[: n - 1]  # every child but the last has ended
            last = root[-1] if n else None
            self.held = self.held + self.new if last is not None and last is self.last else self.new
            self.last = last
        if self.held > limits.MAX_RECORD_TAGS:
            self._refuse(f"more than {limits.MAX_RECORD_TAGS} XML tags in one record")


def parse_records(source: Source) -> list[ArticleRecord | DeletedCitation]:
    """All records of ``source`` as a list (see :func:`iter_records`)."""
    return list(iter_records(source))


def _release(elem) -> None:
    """Free a processed record and any siblings before it (the lxml iterparse idiom)."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


# --------------------------------------------------------------------------- helpers


def _text(el) -> str:
    """All text of ``el`` with inline markup (<i>, <sup>, <sub>, <b>) flattened, whitespace collapsed.

    The whitespace test of :func:`_squash` is repeated inline: this runs ~30
    times per article.
    """
    if el is None:
        return ""
    t = el.text if len(el) == 0 else "".join(el.itertext())
    if not t:
        return ""
    if "  " in t or "\n" in t or "\t" in t or "\r" in t or "\xa0" in t or t[0] == " " or t[-1] == " ":
        return " ".join(t.split())
    return t


def _squash(t: str) -> str:
    """Collapse whitespace runs to one space (fast path: nothing to do)."""
    if "  " in t or "\n" in t or "\t" in t or "\r" in t or "\xa0" in t or t[0] == " " or t[-1] == " ":
        return " ".join(t.split())
    return t


def _pmid(el, name: str, index: int) -> int:
    """The value of a ``<PMID>`` element; refuses anything but ASCII digits in 1..MAX_PMID."""
    raw = (el.text or "").strip() if el is not None else ""
    value = limits.pmid_value(raw)
    if value is None:
        line = el.sourceline if el is not None else None
        where = f" (line {line})" if line else ""
        shown = limits.shown(raw) if raw else "missing"
        raise PubmedXMLError(f"{name}: record {index}{where}: PMID is {shown}, "
                             f"expected a positive integer of ASCII digits up to {limits.MAX_PMID}")
    return value


def _version(el) -> int:
    """The ``Version`` attribute of a ``<PMID>`` (1 when absent or not a small ASCII number)."""
    value = limits.ascii_int(el.get("Version"), 9)
    return 1 if value is None else value


def _month(value: Optional[str]) -> Optional[int]:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        m = limits.ascii_int(value, 2)
        return m if m is not None and 1 <= m <= 12 else None
    return _MONTHS.get(value[:3].lower())


def _first_texts(el) -> dict:
    """``{tag: text}`` of the first child of each tag, text as ``findtext`` gives it
    ("" for an empty element); one pass over the children instead of one
    ``findtext`` path search per field."""
    out: dict = {}
    for child in el:
        tag = child.tag
        if tag not in out:
            out[tag] = child.text or ""
    return out


def _ymd(el) -> Optional[date]:
    """A ``<Year><Month><Day>`` element as a date (None when incomplete or invalid)."""
    if el is None:
        return None
    texts = _first_texts(el)
    y, m, d = texts.get("Year"), _month(texts.get("Month")), texts.get("Day")
    try:
        day = limits.ascii_int(d.strip(), 4) if d else None
        return date(int(y), m or 1, 1 if day is None else day) if y and m else None
    except (TypeError, ValueError):
        return None


def _pub_date(el) -> tuple[Optional[int], Optional[str]]:
    """``PubDate`` → (year, printed date), e.g. (2019, "2019 Jan-Feb") from a MedlineDate.

    Follows PubMed's display of the DP field: year, month abbreviation, day
    (or season), or the free-text ``MedlineDate`` verbatim.
    """
    if el is None:
        return None, None
    texts = _first_texts(el)
    medline = texts.get("MedlineDate")
    if medline:
        medline = _WS.sub(" ", medline).strip()
        m = _YEAR.search(medline)
        return (int(m.group(1)) if m else None), medline
    year = (texts.get("Year") or "").strip()
    if not year:
        return None, None
    parts = [year]
    month = texts.get("Month")
    mnum = _month(month)
    if mnum:
        parts.append(_MONTH_ABBR[mnum])
        day = (texts.get("Day") or "").strip()
        if day:
            number = limits.ascii_int(day, 4)
            parts.append(day if number is None else str(number))
    elif month:
        parts.append(month.strip())
    season = texts.get("Season")
    if season and not month:
        parts.append(season.strip())
    return limits.ascii_int(year, 4), " ".join(parts)


def _pages(pagination) -> Optional[str]:
    """``Pagination`` → the pages as PubMed prints them: ``MedlinePgn`` ("244-55"), else
    ``StartPage``-``EndPage`` ("244-255"); None without pagination (an article cited by
    its ``ELocationID`` alone)."""
    if pagination is None:
        return None
    texts = _first_texts(pagination)
    medline = _squash(texts["MedlinePgn"]) if texts.get("MedlinePgn", "").strip() else ""
    if medline:
        return medline
    start = (texts.get("StartPage") or "").strip()
    end = (texts.get("EndPage") or "").strip()
    if not start:
        return None
    return f"{start}-{end}" if end and end != start else start


def _abstract(abstract_el) -> tuple[str, list[dict]]:
    if abstract_el is None:
        return "", []
    sections: list[dict] = []
    for at in abstract_el:
        if at.tag != "AbstractText":
            continue
        text = _text(at)
        if not text:
            continue
        sections.append({"label": at.get("Label"), "category": at.get("NlmCategory"), "text": text})
    paragraphs = [f"{s['label']}: {s['text']}" if s["label"] else s["text"] for s in sections]
    return "\n".join(paragraphs), sections


def _authors(author_list) -> list[dict]:
    if author_list is None:
        return []
    out = []
    for a in author_list:
        if a.tag != "Author" or a.get("ValidYN") == "N":
            continue
        last = fore = initials = collective = None
        affs: list[str] = []
        for child in a:
            tag = child.tag
            if tag == "LastName":
                if last is None:
                    last = _text(child) or None
            elif tag == "ForeName":
                if fore is None:
                    fore = _text(child) or None
            elif tag == "Initials":
                if initials is None:
                    initials = _text(child) or None
            elif tag == "AffiliationInfo":
                for aff in child:
                    if aff.tag == "Affiliation":
                        t = _text(aff)
                        if t and t not in affs:
                            affs.append(t)
            elif tag == "CollectiveName" and collective is None:
                collective = _text(child) or None
        out.append({"last": last, "fore": fore, "initials": initials, "collective": collective,
                    "affiliation": "; ".join(affs) or None})
    return out


def _mesh(mesh_list) -> list[MeshHeading]:
    """MeSH headings; ``major_topic`` is true when the descriptor or any qualifier
    is a major topic, as in PubMed's ``[MAJR]`` search field."""
    if mesh_list is None:
        return []
    out = []
    for mh in mesh_list:
        if mh.tag != "MeshHeading":
            continue
        d = None
        quals = []
        major = False
        for child in mh:
            tag = child.tag
            if tag == "QualifierName":
                q_major = child.get("MajorTopicYN") == "Y"
                major = major or q_major
                quals.append({"name": _text(child), "ui": child.get("UI"), "major": q_major})
            elif tag == "DescriptorName" and d is None:
                d = child
        if d is None:
            continue
        major = d.get("MajorTopicYN") == "Y" or major
        out.append(MeshHeading(descriptor=_text(d), descriptor_ui=d.get("UI"), major_topic=major, qualifiers=quals))
    return out


def _keywords(parent) -> list[str]:
    return _keyword_lists([kl for kl in parent if kl.tag == "KeywordList"])


def _keyword_lists(lists) -> list[str]:
    out: list[str] = []
    for kl in lists:
        for kw in kl:
            if kw.tag != "Keyword":
                continue
            t = _text(kw)
            if t and t not in out:
                out.append(t)
    return out


def _pub_types(elems) -> list[PubType]:
    out = []
    for p in elems:
        name = _text(p)
        if name:
            out.append(PubType(name=name, ui=p.get("UI")))
    return out


def _ids(id_list) -> tuple[Optional[str], Optional[str]]:
    doi = pmc = None
    if id_list is not None:
        for aid in id_list:
            if aid.tag != "ArticleId":
                continue
            kind = aid.get("IdType")
            if kind == "doi" and doi is None:
                doi = (aid.text or "").strip() or None
            elif kind == "pmc" and pmc is None:
                pmc = (aid.text or "").strip() or None
    return doi, pmc


def _eloc_doi(parent) -> Optional[str]:
    if parent is None:
        return None
    return _eloc_doi_of([e for e in parent if e.tag == "ELocationID"])


def _eloc_doi_of(elocations) -> Optional[str]:
    for e in elocations:
        if e.get("EIdType") == "doi" and e.get("ValidYN", "Y") != "N":
            return (e.text or "").strip() or None
    return None


def _history_date(history) -> Optional[date]:
    if history is None:
        return None
    found = {}
    for d in history:
        if d.tag != "PubMedPubDate":
            continue
        status = d.get("PubStatus")
        if status in _ENTREZ_STATUSES and status not in found:
            found[status] = _ymd(d)
    for status in _ENTREZ_STATUSES:
        if found.get(status):
            return found[status]
    return None


def _nct_ids(article, title: str, abstract: str) -> list[str]:
    """Trial registrations: ClinicalTrials.gov accessions of the ``DataBankList``
    plus any ``NCT`` + 8 digits identifier written in the title or abstract."""
    out: list[str] = []
    if article is not None:
        for acc in article.iterfind("DataBankList/DataBank/AccessionNumberList/AccessionNumber"):
            for m in NCT_RE.findall((acc.text or "").upper()):
                if m not in out:
                    out.append(m)
    if "NCT" in title or "NCT" in abstract:
        for m in NCT_RE.findall(f"{title}\n{abstract}"):
            if m not in out:
                out.append(m)
    return out


def _comments(lists) -> list[dict]:
    """Comments, errata, retractions linked to the citation (not its reference list:
    older DTDs listed references as ``RefType="Cites"``, which are skipped), from
    the citation's ``CommentsCorrectionsList`` elements."""
    out = []
    for cc in (cc for ccl in lists for cc in ccl if cc.tag == "CommentsCorrections"):
        if cc.get("RefType") in _IGNORED_REFS:
            continue
        pm = cc.findtext("PMID")
        out.append(
            {
                "type": cc.get("RefType"),
                "ref": _text(cc.find("RefSource")) or None,
                "pmid": limits.pmid_value(pm.strip()) if pm else None,
            }
        )
    return out


def _is_retracted(comments: list[dict], pub_types: list[PubType]) -> bool:
    return any(c["type"] in _RETRACTED_REFS for c in comments) or any(p.name in _RETRACTED_PUBTYPES for p in pub_types)


# --------------------------------------------------------------------------- records


def _article(elem, name: str, index: int) -> ArticleRecord:
    """``<PubmedArticle>`` (or a bare legacy ``<MedlineCitation>``) → ArticleRecord.

    Each container is walked once, its children dispatched on their tag (the
    first element of a tag wins, as with ``find``); a ``find`` per field costs
    an XPath-lite search each, which made field extraction several times
    slower than parsing itself.
    """
    citation = pubmed_data = None
    if elem.tag == "MedlineCitation":
        citation = elem
    else:
        for child in elem:
            tag = child.tag
            if tag == "MedlineCitation":
                if citation is None:
                    citation = child
            elif tag == "PubmedData" and pubmed_data is None:
                pubmed_data = child
        if citation is None:
            raise PubmedXMLError(f"{name}: record {index} (line {elem.sourceline}): <PubmedArticle> without <MedlineCitation>")
    pmid_el = article = revised_el = mesh_el = None
    keyword_lists: list = []
    comment_lists: list = []
    for child in citation:
        tag = child.tag
        if tag == "Article":
            if article is None:
                article = child
        elif tag == "MeshHeadingList":
            if mesh_el is None:
                mesh_el = child
        elif tag == "KeywordList":
            keyword_lists.append(child)
        elif tag == "CommentsCorrectionsList":
            comment_lists.append(child)
        elif tag == "PMID":
            if pmid_el is None:
                pmid_el = child
        elif tag == "DateRevised" and revised_el is None:
            revised_el = child
    pmid = _pmid(pmid_el, name, index)
    version = _version(pmid_el)
    if article is None:
        raise PubmedXMLError(f"{name}: record {index} (PMID {pmid}, line {elem.sourceline}): no <Article> element")
    first: dict = {}
    pub_type_els: list = []
    elocations: list = []
    has_databanks = False
    for child in article:
        tag = child.tag
        if tag == "PublicationTypeList":
            pub_type_els.extend(p for p in child if p.tag == "PublicationType")
        elif tag == "ELocationID":
            elocations.append(child)
        elif tag == "DataBankList":
            has_databanks = True
        elif tag not in first:
            first[tag] = child
    title = _text(first.get("ArticleTitle")) or _text(first.get("VernacularTitle"))
    abstract, sections = _abstract(first.get("Abstract"))
    journal_el = first.get("Journal")
    journal = journal_iso = volume = issue = None
    pub_year = pub_date = None
    if journal_el is not None:
        journal_title = iso = journal_issue = None
        for child in journal_el:
            tag = child.tag
            if tag == "JournalIssue":
                if journal_issue is None:
                    journal_issue = child
            elif tag == "Title":
                if journal_title is None:
                    journal_title = child
            elif tag == "ISOAbbreviation" and iso is None:
                iso = child
        journal = _text(journal_title) or None
        journal_iso = _text(iso) or None
        pub_date_el = None
        if journal_issue is not None:
            for part in journal_issue:
                ptag = part.tag
                if ptag == "PubDate":
                    if pub_date_el is None:
                        pub_date_el = part
                elif ptag == "Volume":
                    if volume is None:
                        volume = _text(part) or None
                elif ptag == "Issue" and issue is None:
                    issue = _text(part) or None
        pub_year, pub_date = _pub_date(pub_date_el)
    if pub_year is None:
        electronic = _ymd(first.get("ArticleDate"))
        if electronic:
            pub_year, pub_date = electronic.year, f"{electronic.year} {_MONTH_ABBR[electronic.month]} {electronic.day}"
    doi = pmcid = None
    entrez = None
    if pubmed_data is not None:
        id_list = history = None
        for child in pubmed_data:
            tag = child.tag
            if tag == "ArticleIdList":
                if id_list is None:
                    id_list = child
            elif tag == "History" and history is None:
                history = child
        doi, pmcid = _ids(id_list)
        entrez = _history_date(history)
    doi = doi or _eloc_doi_of(elocations)
    pub_types = _pub_types(pub_type_els)
    comments = _comments(comment_lists)
    language_el = first.get("Language")
    language = (language_el.text or "") if language_el is not None else None
    return ArticleRecord(
        pmid=pmid,
        version=version,
        title=title,
        abstract=abstract,
        abstract_sections=sections,
        journal=journal,
        journal_iso=journal_iso,
        pub_year=pub_year,
        pub_date=pub_date,
        entrez_date=entrez,
        revised_date=_ymd(revised_el),
        language=language.strip() if language else None,
        doi=doi,
        pmcid=pmcid,
        authors=_authors(first.get("AuthorList")),
        keywords=_keyword_lists(keyword_lists),
        nct_ids=_nct_ids(article if has_databanks else None, title, abstract),
        comments_corrections=comments,
        mesh=_mesh(mesh_el),
        publication_types=pub_types,
        is_book=False,
        is_retracted=_is_retracted(comments, pub_types),
        volume=volume,
        issue=issue,
        pages=_pages(first.get("Pagination")),
    )


def _book_article(elem, name: str, index: int) -> ArticleRecord:
    """``<PubmedBookArticle>`` (NCBI Bookshelf book or chapter) → ArticleRecord with ``is_book``.

    A chapter's title is its ``ArticleTitle`` and its container (``journal``)
    the book title; a whole book's title is the ``BookTitle`` and its
    ``journal`` the publisher.
    """
    doc = elem.find("BookDocument")
    if doc is None:
        raise PubmedXMLError(f"{name}: record {index} (line {elem.sourceline}): <PubmedBookArticle> without <BookDocument>")
    pmid_el = doc.find("PMID")
    pmid = _pmid(pmid_el, name, index)
    book = doc.find("Book")
    book_title = _text(book.find("BookTitle")) if book is not None else ""
    chapter_title = _text(doc.find("ArticleTitle"))
    if chapter_title:
        title, journal = chapter_title, book_title or None
    else:
        title = book_title
        journal = _text(book.find("Publisher/PublisherName")) or None if book is not None else None
    abstract, sections = _abstract(doc.find("Abstract"))
    pub_year, pub_date = _pub_date(book.find("PubDate") if book is not None else None)
    doi, pmcid = _ids(doc.find("ArticleIdList"))
    doi = doi or _eloc_doi(doc) or _eloc_doi(book)
    authors_el = None
    for al in doc.iterfind("AuthorList"):
        if al.get("Type", "authors") == "authors":
            authors_el = al
            break
    if authors_el is None and book is not None:
        for al in book.iterfind("AuthorList"):
            if al.get("Type", "authors") == "authors":
                authors_el = al
                break
    book_data = elem.find("PubmedBookData")
    pub_types = _pub_types(doc.iterfind("PublicationType"))
    language = doc.findtext("Language")
    return ArticleRecord(
        pmid=pmid,
        version=_version(pmid_el),
        title=title,
        abstract=abstract,
        abstract_sections=sections,
        journal=journal,
        journal_iso=None,
        pub_year=pub_year,
        pub_date=pub_date,
        entrez_date=_history_date(book_data.find("History")) if book_data is not None else None,
        revised_date=_ymd(doc.find("DateRevised")),
        language=language.strip() if language else None,
        doi=doi,
        pmcid=pmcid,
        authors=_authors(authors_el),
        keywords=_keywords(doc),
        nct_ids=_nct_ids(None, title, abstract),
        comments_corrections=[],
        mesh=[],
        publication_types=pub_types,
        is_book=True,
        is_retracted=_is_retracted([], pub_types),
    )
