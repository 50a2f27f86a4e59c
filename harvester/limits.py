"""Bounds on what one input file may hold, and the error of a file that breaks one.

The parsers (:mod:`harvester.pubmed_xml`, :mod:`harvester.medline`) read files
from outside the project. Each bound below is checked while the file streams
in, before the memory it guards is spent, so a hostile file (a few hundred KB
of gzip that inflates to gigabytes of empty elements, one giant attribute or
MEDLINE field) is refused early instead of driving the process out of memory.
The defaults are generous for real PubMed data: a baseline file is ~150-250 MB
of XML with ~30,000 records and ~12 million tags (~210 elements a record), and
the largest real record (thousands of authors) has tens of thousands of tags.

A PMID is ASCII digits with a value in 1..2**63-1 (what the ``article.pmid``
BIGINT column holds); anything else is refused.
"""

from __future__ import annotations


#: decompressed bytes of one file (MEDLINE text: characters)
MAX_FILE_BYTES = 1 << 30
#: XML tags of one file, counted as the ``<`` in its bytes (an element has one or two tags,
#: a comment one): bounds the elements of a file
MAX_TAGS = 200_000_000
#: XML tags held at once: those of one record, or of any other element under the root
MAX_RECORD_TAGS = 1_000_000
#: bytes between two ``>`` of an XML file: bounds a start tag with its attributes (and a run of text)
MAX_TAG_BYTES = 4 << 20
#: characters of one MEDLINE field, its continuation lines included
MAX_FIELD_CHARS = 4 << 20
#: characters of one MEDLINE record
MAX_RECORD_CHARS = 16 << 20
#: the largest PMID (the largest value of a signed 64-bit integer)
MAX_PMID = 2**63 - 1

_MAX_PMID_DIGITS = len(str(MAX_PMID))


def pmid_value(raw: str) -> int | None:
    """The PMID written as ``raw``, or None if it is not one.

    Parameters
    ----------
    raw : str
        The text of a PMID element or field, surrounding whitespace already removed.

    Returns
    -------
    int | None
        The value, when ``raw`` is ASCII digits only and the value is in
        ``1..MAX_PMID``; None otherwise (superscript or fullwidth digits,
        ``0``, too many digits).
    """
    if not raw or len(raw) > _MAX_PMID_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_PMID else None


def ascii_int(raw: str | None, max_digits: int) -> int | None:
    """``raw`` as an int if it is 1 to ``max_digits`` ASCII digits, else None.

    Parameters
    ----------
    raw : str | None
        Text of a number (a year, month, day or version), whitespace already removed.
    max_digits : int
        The most digits accepted.

    Returns
    -------
    int | None
    """
    if not raw or len(raw) > max_digits or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def shown(raw: str, width: int = 40) -> str:
    """``raw`` quoted for a one-line error message, cut to ``width`` characters."""
    return repr(raw[:width]) + (f" ({len(raw)} characters)" if len(raw) > width else "")
