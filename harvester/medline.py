"""MEDLINE text (PubMed "Save → PubMed format", ``.nbib``/``.txt``) into ArticleRecord.

Records are split and tokenised by :func:`Bio.Medline.parse` (Biopython); this
module maps the MEDLINE tags to :class:`db.records.ArticleRecord` following the
NLM "MEDLINE/PubMed Data Element (Field) Descriptions"
(https://www.nlm.nih.gov/bsd/mms/medlineelements.html):

``PMID`` PMID, ``TI``/``BTI`` title, ``AB`` abstract (structured labels are
inline as ``LABEL: text``), ``FAU``/``AU``/``CN``/``AD`` authors, ``DP``
publication date, ``PT`` publication types, ``MH`` MeSH (``*`` marks a major
topic, ``/`` separates qualifiers), ``OT`` keywords, ``AID``/``LID`` DOI
(``[doi]``), ``PMC`` PMCID, ``SI`` secondary source ids (ClinicalTrials.gov),
``LA`` language, ``EDAT`` Entrez date, ``LR`` date last revised, ``JT``/``TA``
journal, ``VI``/``IP``/``PG`` volume, issue and pages (as written: ``123-9``),
``RIN``/``ROF``/``EIN``... comments and corrections.

The MEDLINE format carries no MeSH or publication-type unique identifiers and
no NLM abstract categories, so those fields stay empty.

Lines are read with a length limit and the bounds of :mod:`harvester.limits`
(characters per file, record and field) are checked as they come, so a giant
field is refused before it is held; a PMID must be ASCII digits in 1..2**63-1.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Iterator, Optional, TextIO, Union

from Bio import Medline

from db.records import ArticleRecord, MeshHeading, PubType
from harvester import limits
from harvester.errors import InputRejected
from harvester.resources.pubmed_rules import load_pubmed_rules

_RULES = load_pubmed_rules()
_COMMENT_TAGS: dict[str, str] = _RULES.medline_comment_tags
_CITATION_TAGS: dict[str, str] = _RULES.medline_citation_tags
_RETRACTED_REFS = frozenset(_RULES.retracted_ref_types)
_RETRACTED_PUBTYPES = frozenset(_RULES.retracted_publication_types)
_ENTREZ_STATUSES = _RULES.entrez_date_statuses
_NCT_RE = re.compile(_RULES.nct_pattern)

_LINE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,3} {0,3}- ")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b", re.ASCII)
_SLASH_DATE_RE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
_PMID_IN_REF_RE = re.compile(r"\s*PMID:\s*(\d+)\s*$", re.ASCII)
# A structured-abstract label: capitalised words ending in ": " at the start of
# the abstract or after a sentence end ("BACKGROUND: ...  METHODS: ...").
_LABEL_RE = re.compile(r"(?:^|(?<=[.?!)\]] ))([A-Z][A-Z0-9 ,/&()'-]{2,60}): ")
_WS = re.compile(r"\s+")

Source = Union[str, Path, bytes, TextIO]


class MedlineError(InputRejected):
    """The input is not MEDLINE text, a record in it is unusable, or it is over a bound of :mod:`harvester.limits`."""


class _Lines:
    """Line iterator that checks MEDLINE syntax and the bounds of :mod:`harvester.limits`,
    and remembers where records start.

    Lines are read with a length limit, so a giant line is refused after
    :data:`harvester.limits.MAX_FIELD_CHARS` characters, not read whole.
    """

    def __init__(self, lines: TextIO, name: str):
        self._readline = lines.readline
        self.name = name
        self.lineno = 0
        self.record_starts: list[int] = []
        self._in_record = False
        self._chars = 0  # of the file
        self._field = 0  # of the current field
        self._record = 0  # of the current record

    def __iter__(self) -> "_Lines":
        return self

    def _refuse(self, what: str) -> None:
        raise MedlineError(f"{self.name}: line {self.lineno}: {what}; refused (bounds in harvester/limits.py)")

    def __next__(self) -> str:
        line = self._readline(limits.MAX_FIELD_CHARS + 1)
        if not line:
            raise StopIteration
        self.lineno += 1
        size = len(line)
        self._chars += size
        if self._chars > limits.MAX_FILE_BYTES:
            self._refuse(f"more than {limits.MAX_FILE_BYTES} characters of MEDLINE text")
        if size > limits.MAX_FIELD_CHARS:
            self._refuse(f"a line of more than {limits.MAX_FIELD_CHARS} characters")
        if self.lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if "\x00" in line:
            raise MedlineError(f"{self.name}: line {self.lineno}: binary data; not MEDLINE text")
        if line.strip() == "":
            self._in_record = False
            self._record = 0
            return "\n"
        self._record += size
        if self._record > limits.MAX_RECORD_CHARS:
            self._refuse(f"a record of more than {limits.MAX_RECORD_CHARS} characters")
        if line.startswith("      "):
            if not self._in_record:
                raise MedlineError(f"{self.name}: line {self.lineno}: continuation line outside a record; not MEDLINE text")
            self._field += size
            if self._field > limits.MAX_FIELD_CHARS:
                self._refuse(f"a field of more than {limits.MAX_FIELD_CHARS} characters")
            return line
        if not _LINE_RE.match(line):
            raise MedlineError(
                f"{self.name}: line {self.lineno}: {line[:40].rstrip()!r} is not a MEDLINE field line "
                "('TAG - value'); not MEDLINE text"
            )
        self._field = size
        if not self._in_record:
            self._in_record = True
            self.record_starts.append(self.lineno)
        return line


def _open_text(source: Source) -> tuple[TextIO, str, Optional[TextIO]]:
    if isinstance(source, (bytes, bytearray)):
        try:
            text = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MedlineError(f"<bytes>: not UTF-8 text: {exc}") from exc
        return io.StringIO(text), "<bytes>", None
    if isinstance(source, (str, Path)):
        name = str(source)
        try:
            handle = open(source, encoding="utf-8-sig", newline=None)
        except OSError as exc:
            raise MedlineError(f"{name}: cannot open: {exc.strerror or exc}") from exc
        return handle, name, handle
    if hasattr(source, "read"):
        return source, str(getattr(source, "name", "<stream>")), None
    raise MedlineError(f"cannot read MEDLINE text from a {type(source).__name__}")


def iter_medline_records(source: Source) -> Iterator[ArticleRecord]:
    """Yield one ArticleRecord per MEDLINE record.

    Parameters
    ----------
    source : str | pathlib.Path | bytes | text stream
        A ``.nbib``/``.txt`` file saved from PubMed ("PubMed format"), its
        content, or an open text stream.

    Yields
    ------
    ArticleRecord

    Raises
    ------
    MedlineError
        The input is not MEDLINE text (the message names the line), or a
        record has no usable PMID (the message names the record number and
        its first line).
    """
    handle, name, to_close = _open_text(source)
    lines = _Lines(handle, name)
    count = 0
    try:
        for raw in Medline.parse(lines):
            count += 1
            start = lines.record_starts[count - 1] if count <= len(lines.record_starts) else lines.lineno
            yield _record(raw, name, count, start)
        if count == 0:
            raise MedlineError(f"{name}: no MEDLINE records (empty input)")
    except UnicodeDecodeError as exc:
        raise MedlineError(f"{name}: line {lines.lineno + 1}: not UTF-8 text: {exc.reason}") from exc
    finally:
        if to_close is not None:
            to_close.close()


def parse_medline(source: Source) -> list[ArticleRecord]:
    """All records of ``source`` as a list (see :func:`iter_medline_records`)."""
    return list(iter_medline_records(source))


# --------------------------------------------------------------------------- fields


def _one(raw: dict, key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(value)
    return _WS.sub(" ", value).strip()


def _many(raw: dict, key: str) -> list[str]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    return [_WS.sub(" ", v).strip() for v in value if v and v.strip()]


def _slash_date(value: str) -> Optional[date]:
    m = _SLASH_DATE_RE.match(value.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _compact_date(value: str) -> Optional[date]:
    m = _COMPACT_DATE_RE.match(value.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _entrez(raw: dict) -> Optional[date]:
    edat = _slash_date(_one(raw, "EDAT"))
    if edat:
        return edat
    history = {}
    for entry in _many(raw, "PHST"):
        m = re.search(r"\[(\w+)\]\s*$", entry)
        if m and m.group(1) not in history:
            history[m.group(1)] = _slash_date(entry)
    for status in _ENTREZ_STATUSES:
        if history.get(status):
            return history[status]
    return None


def _abstract(text: str) -> tuple[str, list[dict]]:
    """Split an ``AB`` field into labelled sections (labels are inline in MEDLINE text)."""
    text = _WS.sub(" ", text).strip()
    if not text:
        return "", []
    matches = list(_LABEL_RE.finditer(text))
    if not matches or matches[0].start() != 0:
        return text, [{"label": None, "category": None, "text": text}]
    sections = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.end() : end].strip()
        if body:
            sections.append({"label": m.group(1).strip(), "category": None, "text": body})
    paragraphs = [f"{s['label']}: {s['text']}" for s in sections]
    return "\n".join(paragraphs), sections


def _authors(raw: dict) -> list[dict]:
    """Authors from ``FAU`` (full) or ``AU`` (short) names plus ``CN`` group authors.

    MEDLINE lists ``AD`` lines after each author, but Bio.Medline collects
    them into one list; affiliations are attached only when there is exactly
    one per author (otherwise the mapping would be a guess).
    """
    full, short = _many(raw, "FAU"), _many(raw, "AU")
    names = full or short
    affs = _many(raw, "AD")
    out = []
    for i, name in enumerate(names):
        last, _, fore = name.partition(",")
        initials = None
        if i < len(short) and full:
            initials = short[i].rpartition(" ")[2] if " " in short[i] else None
        elif not full:
            last, _, initials = name.rpartition(" ") if " " in name else (name, "", None)
            fore = None
        out.append(
            {
                "last": last.strip() or None,
                "fore": (fore or "").strip() or None,
                "initials": initials or None,
                "collective": None,
                "affiliation": affs[i] if len(affs) == len(names) else None,
            }
        )
    for group in _many(raw, "CN"):
        out.append({"last": None, "fore": None, "initials": None, "collective": group, "affiliation": None})
    return out


def _mesh(raw: dict) -> list[MeshHeading]:
    """``MH`` lines: ``Descriptor/qualifier/*qualifier``; ``*`` marks a major topic."""
    out = []
    for line in _many(raw, "MH"):
        parts = [p.strip() for p in line.split("/")]
        desc = parts[0]
        desc_major = desc.startswith("*")
        quals = []
        for q in parts[1:]:
            if q:
                quals.append({"name": q.lstrip("*").strip(), "ui": None, "major": q.startswith("*")})
        major = desc_major or any(q["major"] for q in quals)
        out.append(MeshHeading(descriptor=desc.lstrip("*").strip(), descriptor_ui=None, major_topic=major, qualifiers=quals))
    return out


def _tagged_id(values: list[str], kind: str) -> Optional[str]:
    suffix = f"[{kind}]"
    for v in values:
        if v.endswith(suffix):
            return v[: -len(suffix)].strip() or None
    return None


def _comments(raw: dict) -> list[dict]:
    out = []
    for tag, ref_type in _COMMENT_TAGS.items():
        for value in _many(raw, tag):
            m = _PMID_IN_REF_RE.search(value)
            ref = (value[: m.start()] if m else value).strip().rstrip(".").strip()
            out.append({"type": ref_type, "ref": ref or None, "pmid": limits.pmid_value(m.group(1)) if m else None})
    return out


def _record(raw: dict, name: str, index: int, line: int) -> ArticleRecord:
    pmid_raw = _one(raw, "PMID")
    pmid = limits.pmid_value(pmid_raw)
    if pmid is None:
        shown = limits.shown(pmid_raw) if pmid_raw else "missing"
        raise MedlineError(f"{name}: record {index} (line {line}): PMID is {shown}, "
                           f"expected a positive integer of ASCII digits up to {limits.MAX_PMID}")
    book_title = _one(raw, "BTI")
    title = _one(raw, "TI") or book_title
    abstract, sections = _abstract(_one(raw, "AB"))
    dp = _one(raw, "DP")
    year = _YEAR_RE.search(dp)
    pub_types = [PubType(name=p) for p in _many(raw, "PT")]
    comments = _comments(raw)
    nct: list[str] = []
    for text in _many(raw, "SI") + [title, abstract]:
        for m in _NCT_RE.findall(text):
            if m not in nct:
                nct.append(m)
    languages = _many(raw, "LA")
    is_book = bool(book_title)
    journal = _one(raw, "JT") or None
    if is_book:
        journal = book_title if _one(raw, "TI") else (_one(raw, "PB") or None)
    keywords: list[str] = []
    for kw in _many(raw, "OT"):
        if kw not in keywords:
            keywords.append(kw)
    citation = {name: _one(raw, tag) or None for tag, name in _CITATION_TAGS.items()}
    return ArticleRecord(
        pmid=pmid,
        version=1,
        title=title,
        abstract=abstract,
        abstract_sections=sections,
        journal=journal,
        journal_iso=_one(raw, "TA") or None,
        pub_year=int(year.group(1)) if year else None,
        pub_date=dp or None,
        entrez_date=_entrez(raw),
        revised_date=_compact_date(_one(raw, "LR")),
        language=languages[0] if languages else None,
        doi=_tagged_id(_many(raw, "AID"), "doi") or _tagged_id(_many(raw, "LID"), "doi"),
        pmcid=_one(raw, "PMC") or None,
        authors=_authors(raw),
        keywords=keywords,
        nct_ids=nct,
        comments_corrections=comments,
        mesh=_mesh(raw),
        publication_types=pub_types,
        is_book=is_book,
        is_retracted=any(c["type"] in _RETRACTED_REFS for c in comments)
        or any(p.name in _RETRACTED_PUBTYPES for p in pub_types),
        **citation,
    )
