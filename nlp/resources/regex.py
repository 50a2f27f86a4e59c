"""Fast, behaviour-preserving forms of large regular-expression alternations.

Python's ``re`` tries the alternatives of ``(?:a1|a2|...|an)`` one after the
other at every position it attempts; with ``re.IGNORECASE`` it cannot skip an
alternative by its first character (only case-sensitive literal and set
openers get that shortcut in ``sre``), so a lexicon of a few hundred synonyms
costs a few hundred failed attempts at every word start.

:func:`first_char_alternation` groups the alternatives by their first
character, ``(?:c1(?:rest...)|c2(?:rest...))``, keeping their original order
inside each group. At a given position only alternatives whose first
character matches the text can succeed, and those all sit in one group in
their original relative order, so the first alternative that succeeds - and
with it every match - is the same as for the flat alternation (the
"first-character index" of a keyword trie, Aho & Corasick 1975, without
changing the alternation's leftmost-first semantics).
"""

from __future__ import annotations

import re


def first_char_alternation(alternatives: list[tuple[str, str]], flags: int = 0) -> str:
    """One group per first character, alternatives in their original order.

    Parameters
    ----------
    alternatives : list of (str, str)
        ``(first_char, regex)`` pairs in priority order; ``regex`` must start
        with ``re.escape(first_char)`` (a literal, not a set or group).
    flags : int
        The flags the result will be compiled with (``re.IGNORECASE``
        matters: first characters equal under case folding share a group).

    Returns
    -------
    str
        A non-capturing group matching exactly what ``(?:regex1|regex2|...)``
        matches, with the same alternative winning at every position.

    Raises
    ------
    ValueError
        If a regex does not start with its escaped first character, or a first
        character is not ASCII under ``re.IGNORECASE``.
    """
    groups: dict[str, list[str]] = {}
    heads: dict[str, str] = {}
    for first, rx in alternatives:
        head = re.escape(first)
        if not rx.startswith(head):
            raise ValueError(f"alternative {rx!r} does not start with {head!r}")
        key = _group_key(first, heads, flags)
        heads.setdefault(key, head)
        groups.setdefault(key, []).append(rx[len(head):])
    parts = [heads[k] + "(?:" + "|".join(rests) + ")" for k, rests in groups.items()]
    return "(?:" + "|".join(parts) + ")"


def _group_key(first: str, heads: dict[str, str], flags: int) -> str:
    """The group of ``first``. Under ``re.IGNORECASE`` an ASCII character and its
    other case share a group; the only other characters that match an ASCII
    letter under ``re.IGNORECASE`` (U+0130 and U+0131 "i", U+017F "s", U+212A
    "k"; checked over all code points with CPython 3.11) each match one letter
    only, so two groups never compete for the same text character. A non-ASCII first
    character under case folding is refused rather than risk that."""
    if not flags & re.IGNORECASE:
        return first
    if not first.isascii():
        raise ValueError(f"non-ASCII first character {first!r} under IGNORECASE")
    return first.lower()
