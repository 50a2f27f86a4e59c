"""The evidence explorer's downloads: CSV, RIS and BibTeX.

The CSV is the export's own schema (:mod:`db.export`), one file layout
whether it comes from the dashboard or from ``ketamine-tracker export``.

RIS follows the Research Information Systems tag format read by Zotero,
EndNote and Mendeley (``TY  - JOUR`` ... ``ER  - ``); BibTeX entries are
``@article`` with LaTeX special characters escaped so titles such as
"5% vs 10_ mg & {x}" compile. Both carry volume, issue and pages when PubMed
has them; PubMed abbreviates an end page ("123-9"), the citations write it in
full (RIS ``SP 123``/``EP 129``, BibTeX ``pages = {123--129}``).
"""

from __future__ import annotations

import io
import re
from typing import Iterable, Mapping, Sequence

from sqlalchemy.engine import Engine

from db.export import records as export_records
from db.export import write_csv


def to_csv(engine: Engine, pmids: Sequence[int]) -> str:
    """The selected articles in the export's CSV schema (:mod:`db.export`, as ``export --format csv``)."""
    buf = io.StringIO()
    write_csv(export_records(engine, pmids), buf)
    return buf.getvalue()


def _author_name(a: Mapping) -> str | None:
    if a.get("collective"):
        return str(a["collective"])
    last = a.get("last")
    if not last:
        return None
    first = a.get("fore") or a.get("initials") or ""
    return f"{last}, {first}".strip().rstrip(",")


def _one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


# one page range: optional letter prefix and suffix around the digits ("S12-5", "e101-e109", "123-9")
_RANGE = re.compile(r"([A-Za-z]*)(\d+)([A-Za-z]*)\s*[-\u2013]\s*([A-Za-z]*)(\d+)([A-Za-z]*)")


def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """First and last page of the first range of a pages text, the last page written in full.

    PubMed drops the leading digits an end page shares with the start page
    ("123-9" for 123 to 129, "S12-5" for S12 to S15). Only the first range of
    a text such as "123-45; discussion 146-7" is read: the article's own pages.

    Parameters
    ----------
    pages : str or None
        Pages as PubMed writes them (``article.pages``).

    Returns
    -------
    tuple of (str or None, str or None)
        ``(start, end)``; ``end`` is None for a single page or an article
        number ("e0281"), both None without pages.
    """
    first = re.split(r"[;,]", _one_line(pages), maxsplit=1)[0].strip()
    if not first:
        return None, None
    m = _RANGE.fullmatch(first)
    if m is None:
        start, dash, end = first.partition("-")
        return start.strip() or None, (end.strip() or None) if dash else None
    prefix, low, suffix, end_prefix, high, end_suffix = m.groups()
    if len(high) < len(low):
        full = low[: len(low) - len(high)] + high
        high = full if int(full) >= int(low) else high
    return f"{prefix}{low}{suffix}", f"{end_prefix or prefix}{high}{end_suffix}"


def to_ris(rows: Iterable[Mapping]) -> str:
    """RIS records (``TY  - JOUR`` ... ``ER  - ``), one per article."""
    out: list[str] = []
    for r in rows:
        lines = ["TY  - JOUR"]
        for a in r.get("authors") or []:
            name = _author_name(a)
            if name:
                lines.append(f"AU  - {_one_line(name)}")
        lines.append(f"TI  - {_one_line(r.get('title'))}")
        if r.get("journal"):
            lines.append(f"JO  - {_one_line(r['journal'])}")
        if r.get("pub_year"):
            lines.append(f"PY  - {r['pub_year']}")
        if _one_line(r.get("volume")):
            lines.append(f"VL  - {_one_line(r['volume'])}")
        if _one_line(r.get("issue")):
            lines.append(f"IS  - {_one_line(r['issue'])}")
        start, end = page_range(r.get("pages"))
        if start:
            lines.append(f"SP  - {start}")
        if end:
            lines.append(f"EP  - {end}")
        if r.get("doi"):
            lines.append(f"DO  - {_one_line(r['doi'])}")
        if r.get("abstract"):
            lines.append(f"AB  - {_one_line(r['abstract'])}")
        for kw in r.get("keywords") or []:
            if _one_line(kw):
                lines.append(f"KW  - {_one_line(kw)}")
        lines.append(f"AN  - {r['pmid']}")
        lines.append(f"UR  - https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/")
        if r.get("is_retracted"):
            lines.append("N1  - Retracted publication")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + ("\n" if out else "")


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str | None) -> str:
    """Escape the ten LaTeX special characters (and collapse whitespace)."""
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in _one_line(text))


def to_bibtex(rows: Iterable[Mapping]) -> str:
    """``@article{pmid<N>, ...}`` entries."""
    out: list[str] = []
    for r in rows:
        fields = []
        names = [n for n in (_author_name(a) for a in r.get("authors") or []) if n]
        if names:
            fields.append(("author", " and ".join(bibtex_escape(n) for n in names)))
        fields.append(("title", "{" + bibtex_escape(r.get("title")) + "}"))
        if r.get("journal"):
            fields.append(("journal", bibtex_escape(r["journal"])))
        if r.get("pub_year"):
            fields.append(("year", str(r["pub_year"])))
        if _one_line(r.get("volume")):
            fields.append(("volume", bibtex_escape(r["volume"])))
        if _one_line(r.get("issue")):
            fields.append(("number", bibtex_escape(r["issue"])))
        start, end = page_range(r.get("pages"))
        if start:
            fields.append(("pages", bibtex_escape(start) + ("--" + bibtex_escape(end) if end else "")))
        if r.get("doi"):
            fields.append(("doi", bibtex_escape(r["doi"])))
        keywords = [bibtex_escape(kw) for kw in r.get("keywords") or [] if _one_line(kw)]
        if keywords:
            fields.append(("keywords", ", ".join(keywords)))
        fields.append(("pmid", str(r["pmid"])))
        fields.append(("url", f"https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/"))
        if r.get("is_retracted"):
            fields.append(("note", "Retracted publication"))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        out.append(f"@article{{pmid{r['pmid']},\n{body}\n}}")
    return "\n\n".join(out) + ("\n" if out else "")


def file_name(parts: Sequence[str], extension: str, stem: str = "ketamine-evidence") -> str:
    """A download's file name that says its filter: ``ketamine-evidence_depression_rct_2020-2024.ris``.

    Parameters
    ----------
    parts : sequence of str
        The active filter values, in the page's order (empty: the whole database).
    extension : str
        ``csv``, ``ris`` or ``bib``.
    stem : str
        The name's first part.

    Returns
    -------
    str
        Lower-case ASCII letters, digits and ``-``; parts joined with ``_``;
        at most 120 characters before the extension.
    """
    slugs = [re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts]
    name = "_".join([stem, *(s for s in slugs if s)])[:120].rstrip("-_")
    return f"{name}.{extension}"
