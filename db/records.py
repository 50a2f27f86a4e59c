"""Plain-data records that parsers produce and :mod:`db.store` writes.

The harvester and the offline ``ingest`` command both turn PubMed XML or
MEDLINE text into :class:`ArticleRecord` objects; nothing else is needed to
store an article, so every input format goes through the same upsert path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Optional


#: Citation details PubMed fills in when an ahead-of-print article gets its issue: stored, but
#: not content (:meth:`ArticleRecord.content_hash` leaves them out, so their arrival is no revision).
CITATION_FIELDS = ("volume", "issue", "pages")


def _hash_json(data) -> str:
    return json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)


@dataclass
class MeshHeading:
    descriptor: str
    descriptor_ui: Optional[str] = None
    major_topic: bool = False
    qualifiers: list[dict] = field(default_factory=list)  # {"name", "ui", "major"}


@dataclass
class PubType:
    name: str
    ui: Optional[str] = None


@dataclass
class ArticleRecord:
    """Everything the tracker keeps about one PubMed article."""

    pmid: int
    version: int = 1
    title: str = ""
    abstract: str = ""
    abstract_sections: list[dict] = field(default_factory=list)  # {"label", "category", "text"}
    journal: Optional[str] = None
    journal_iso: Optional[str] = None
    pub_year: Optional[int] = None
    pub_date: Optional[str] = None
    entrez_date: Optional[date] = None
    revised_date: Optional[date] = None
    language: Optional[str] = None
    doi: Optional[str] = None
    pmcid: Optional[str] = None
    authors: list[dict] = field(default_factory=list)  # {"last", "fore", "initials", "collective", "affiliation"}
    keywords: list[str] = field(default_factory=list)
    nct_ids: list[str] = field(default_factory=list)
    comments_corrections: list[dict] = field(default_factory=list)  # {"type", "ref", "pmid"}
    mesh: list[MeshHeading] = field(default_factory=list)
    publication_types: list[PubType] = field(default_factory=list)
    is_book: bool = False
    is_retracted: bool = False
    # citation details (CITATION_FIELDS), as PubMed writes them: "42", "4 Suppl 1", "244-55", "e0123"
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None

    def content_hash(self) -> str:
        """SHA-256 over every stored field but the citation details, so a
        re-delivery of the same record hashes identically and any real revision
        (text, indexing, dates) does not.

        The hashed payload is ``json.dumps(dataclasses.asdict(self), sort_keys=True,
        default=str, ensure_ascii=False)`` without the keys of
        :data:`CITATION_FIELDS`, encoded as UTF-8; the dict is built field by
        field instead of by ``asdict`` (which deep-copies every nested list and
        dict, ~6x slower), with the same result, so the hashes stored by
        earlier versions stay valid. Volume, issue and pages are left out: PubMed
        adds them when an ahead-of-print article gets its issue, which is not a
        revision of its content (:mod:`db.store` writes them without marking the
        article revised or due for extraction).

        Returns
        -------
        str
            64 hex digits.
        """
        payload = _hash_json(self._hash_payload())
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _hash_payload(self) -> dict:
        """What ``dataclasses.asdict(self)`` returns without :data:`CITATION_FIELDS`, and without its deep copies."""
        return {
            "pmid": self.pmid,
            "version": self.version,
            "title": self.title,
            "abstract": self.abstract,
            "abstract_sections": self.abstract_sections,
            "journal": self.journal,
            "journal_iso": self.journal_iso,
            "pub_year": self.pub_year,
            "pub_date": self.pub_date,
            "entrez_date": self.entrez_date,
            "revised_date": self.revised_date,
            "language": self.language,
            "doi": self.doi,
            "pmcid": self.pmcid,
            "authors": self.authors,
            "keywords": self.keywords,
            "nct_ids": self.nct_ids,
            "comments_corrections": self.comments_corrections,
            "mesh": [
                {"descriptor": m.descriptor, "descriptor_ui": m.descriptor_ui, "major_topic": m.major_topic,
                 "qualifiers": m.qualifiers}
                for m in self.mesh
            ],
            "publication_types": [{"name": p.name, "ui": p.ui} for p in self.publication_types],
            "is_book": self.is_book,
            "is_retracted": self.is_retracted,
        }


@dataclass
class DeletedCitation:
    """A PMID that PubMed withdrew (``<DeleteCitation>`` in update files)."""

    pmid: int
