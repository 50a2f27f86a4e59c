"""``pubmed_rules.json``, the rules the PubMed XML and MEDLINE parsers apply, as a typed class.

:func:`load_pubmed_rules` reads the file into :class:`PubmedRules` and refuses
a key the class does not know (a misspelt key would otherwise be silently
ignored), a missing key, or a value of the wrong type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from db.records import CITATION_FIELDS
from harvester.errors import HarvesterError

RULES_FILE = Path(__file__).with_name("pubmed_rules.json")


class RulesFileError(HarvesterError, ValueError):
    """A rule file does not fit its class (unknown, missing or mistyped key)."""


@dataclass(frozen=True, kw_only=True)
class PubmedRules:
    """The content of ``pubmed_rules.json``.

    Attributes
    ----------
    description : str
        What the file holds and its sources.
    retracted_ref_types : tuple[str, ...]
        ``CommentsCorrections`` RefTypes that mark the citing article as retracted.
    ignored_comment_ref_types : tuple[str, ...]
        RefTypes that are reference-list entries, not comments or corrections.
    retracted_publication_types : tuple[str, ...]
        Publication types of a retracted article.
    entrez_date_statuses : tuple[str, ...]
        ``PubMedPubDate`` statuses taken as the Entrez date, in order of preference.
    nct_pattern : str
        Regular expression of a ClinicalTrials.gov identifier.
    pubmed_root_elements : tuple[str, ...]
        Root elements of a PubMed XML document.
    medline_citation_tags : dict[str, str]
        MEDLINE tag -> the citation detail it holds (``volume``, ``issue``, ``pages``:
        :data:`db.records.CITATION_FIELDS`).
    medline_comment_tags : dict[str, str]
        MEDLINE tag -> the XML RefType it stands for.
    """

    description: str
    retracted_ref_types: tuple[str, ...]
    ignored_comment_ref_types: tuple[str, ...]
    retracted_publication_types: tuple[str, ...]
    entrez_date_statuses: tuple[str, ...]
    nct_pattern: str
    pubmed_root_elements: tuple[str, ...]
    medline_citation_tags: dict[str, str]
    medline_comment_tags: dict[str, str]


def _strings(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesFileError(f"{where}: expected a list of strings")
    return tuple(value)


def _string(value, where: str) -> str:
    if not isinstance(value, str):
        raise RulesFileError(f"{where}: expected a string")
    return value


def _string_map(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RulesFileError(f"{where}: expected an object of strings")
    return dict(value)


_CONVERT = {
    "description": _string,
    "nct_pattern": _string,
    "medline_citation_tags": _string_map,
    "medline_comment_tags": _string_map,
}


def parse_pubmed_rules(data: object, name: str = "pubmed_rules.json") -> PubmedRules:
    """Check parsed JSON against :class:`PubmedRules` and build it.

    Parameters
    ----------
    data : object
        The parsed content of the file.
    name : str
        The file's name, for error messages.

    Returns
    -------
    PubmedRules

    Raises
    ------
    RulesFileError
        When a key is unknown or missing, a value has the wrong type,
        ``nct_pattern`` is not a regular expression, or a
        ``medline_citation_tags`` value is not a citation detail.
    """
    if not isinstance(data, dict):
        raise RulesFileError(f"{name}: expected a JSON object")
    known = [f.name for f in fields(PubmedRules)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise RulesFileError(f"{name}: unknown key(s) {', '.join(unknown)} (known: {', '.join(known)})")
    missing = [k for k in known if k not in data]
    if missing:
        raise RulesFileError(f"{name}: missing key(s) {', '.join(missing)}")
    values = {k: _CONVERT.get(k, _strings)(data[k], f"{name}: {k}") for k in known}
    try:
        re.compile(values["nct_pattern"])
    except re.error as exc:
        raise RulesFileError(f"{name}: nct_pattern: not a regular expression: {exc}") from exc
    unknown_fields = sorted(set(values["medline_citation_tags"].values()) - set(CITATION_FIELDS))
    if unknown_fields:
        raise RulesFileError(f"{name}: medline_citation_tags: {', '.join(unknown_fields)} is not a citation detail "
                             f"(known: {', '.join(CITATION_FIELDS)})")
    return PubmedRules(**values)


@lru_cache(maxsize=1)
def load_pubmed_rules(path: Path = RULES_FILE) -> PubmedRules:
    """Read ``pubmed_rules.json`` (once) into :class:`PubmedRules`.

    Parameters
    ----------
    path : Path
        The rule file (default: the shipped one).

    Returns
    -------
    PubmedRules

    Raises
    ------
    RulesFileError
        See :func:`parse_pubmed_rules`.
    """
    with open(path, encoding="utf-8") as fh:
        return parse_pubmed_rules(json.load(fh), path.name)
