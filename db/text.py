"""The text that NLP reads and that evidence offsets point into."""

from __future__ import annotations

TITLE_SEPARATOR = "\n\n"


def document_text(title: str | None, abstract: str | None) -> str:
    """Title, a blank line, then the abstract.

    Parameters
    ----------
    title, abstract:
        The article's fields as stored.

    Returns
    -------
    str
        The single string that every stored character offset (evidence spans,
        adverse events, outcomes, doses) refers to.
    """
    title = (title or "").strip()
    abstract = (abstract or "").strip()
    if not abstract:
        return title
    return f"{title}{TITLE_SEPARATOR}{abstract}" if title else abstract
