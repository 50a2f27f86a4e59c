"""The PubMed-style query language of :mod:`db.search`: tokens, field tags and the query tree.

Grammar, applied from left to right as PubMed does (no precedence between
operators; ``a OR b AND c`` is ``(a OR b) AND c``)::

    expr    := operand ((AND | OR | NOT)? operand)*      a missing operator is AND
    operand := term | "(" expr ")"
    term    := (word | word* | "phrase") [field tag]

Operators are the uppercase words ``AND``, ``OR``, ``NOT``; lowercase ones are
words. Quotes (straight or typographic) and parentheses are the only other
syntax; ``word*`` is a prefix of at least :data:`MIN_PREFIX_CHARS` letters or
digits; a field tag (``[ti]``, ``[mh]``...; ``search_fields.json``) written
right after a term limits where it is searched. Anything else — colons,
carets, ``NEAR``, ``title:``, ``&``, ``!``, SQL — is text. Nothing here knows
a database: :mod:`db.search` compiles the tree for SQLite or PostgreSQL.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Union

from .errors import DbError

__all__ = ["MAX_QUERY_CHARS", "MAX_TERMS", "MIN_PREFIX_CHARS", "OPERATORS", "Node", "Op", "SearchSyntaxError", "Term",
           "field_tags", "has_word", "leaves", "parse"]

#: longest query accepted, in characters
MAX_QUERY_CHARS = 500
#: most words, phrases and prefixes in one query
MAX_TERMS = 20
#: shortest stem a prefix search accepts (``ket*``), as PubMed asks for a few letters
MIN_PREFIX_CHARS = 3

OPERATORS = ("AND", "OR", "NOT")
_QUOTES = {'"', "\u201c", "\u201d", "\u201e"}  # straight and typographic double quotes
_SPECIAL = _QUOTES | {"(", ")"}
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)
_PREFIX_STEM = re.compile(r"[^\W_]+", re.UNICODE)
_TAG = re.compile(r"[A-Za-z][A-Za-z /]*")
FIELDS_PATH = Path(__file__).with_name("search_fields.json")


class SearchSyntaxError(DbError, ValueError):
    """The search text is not a valid query.

    Attributes
    ----------
    reason : str
        What is wrong, in plain words.
    position : int
        0-based character offset in the query where the problem is.
    query : str
        The query as given, control characters shown as spaces (so it can be printed).
    """

    def __init__(self, reason: str, position: int, query: str) -> None:
        self.reason = reason
        self.position = position
        self.query = _spaced(query)
        super().__init__(f"{reason} (at character {position + 1})")



# --------------------------------------------------------------------------- query tree


@dataclass(frozen=True)
class Term:
    """A leaf: a word, a quoted phrase or a prefix (``kind``), with its text, position and the
    part of the article it searches (``field``: a key of ``search_fields.json``)."""

    kind: str  # "word" | "phrase" | "prefix"
    text: str
    position: int
    field: str = "all"  # all | text | title | abstract | mesh


@dataclass(frozen=True)
class Op:
    """``left AND|OR|NOT right``."""

    op: str
    left: "Node"
    right: "Node"


Node = Union[Term, Op]


@dataclass(frozen=True)
class _Token:
    kind: str  # "term", "op", "(", ")"
    value: str
    position: int
    term: Term | None = None


def _spaced(query: str) -> str:
    """``query`` with control characters and lone surrogates (which no database takes) as spaces,
    character for character, so positions stay those of the query."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in query)


@lru_cache(maxsize=1)
def field_tags() -> dict[str, str]:
    """PubMed field tags understood here (``db/search_fields.json``): lower-case tag -> field.

    Returns
    -------
    dict
        ``{"ti": "title", "tiab": "text", "mh": "mesh", ...}``.
    """
    data = json.loads(FIELDS_PATH.read_text(encoding="utf-8"))
    return {tag: name for name, tags in data.items() if not name.startswith("_") for tag in tags}


def _tag_at(query: str, original: str, j: int) -> tuple[int, str] | None:
    """A field tag ``[ti]`` starting at ``query[j] == "["`` and ending the term: (index after it, field).

    ``None`` when the brackets are text (``[11C]ketamine``, ``a[1]b``); a tag that names no known
    field is an error.
    """
    k = query.find("]", j)
    if k < 0 or not _TAG.fullmatch(query[j + 1:k]) or (k + 1 < len(query) and not (query[k + 1].isspace()
                                                                                   or query[k + 1] == ")")):
        return None
    tag = " ".join(query[j + 1:k].lower().split())
    if tag not in field_tags():
        known = ", ".join(f"[{t}]" for t in ("ti", "ab", "tiab", "mh", "all"))
        raise SearchSyntaxError(f"[{query[j + 1:k]}] is not a field this search knows: use {known} or no tag",
                                j, original)
    return k + 1, field_tags()[tag]


def _tokens(original: str) -> list[_Token]:
    out: list[_Token] = []
    query = _spaced(original)
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in _QUOTES:
            end = next((j for j in range(i + 1, n) if query[j] in _QUOTES), -1)
            if end < 0:
                raise SearchSyntaxError('this quote is never closed: add the closing "', i, original)
            phrase = " ".join(query[i + 1:end].split())
            if not _ALNUM.search(phrase):
                raise SearchSyntaxError("empty phrase: put words between the quotes", i, original)
            start, i = i, end + 1
            if i < n and query[i] == "*":
                raise SearchSyntaxError("a * goes right after a word, not after a phrase", i, original)
            tag = _tag_at(query, original, i) if i < n and query[i] == "[" else None
            if tag:
                i = tag[0]
            out.append(_Token("term", phrase, start, Term("phrase", phrase, start, tag[1] if tag else "all")))
        elif ch in "()":
            out.append(_Token(ch, ch, i))
            i += 1
        else:
            j, tag = i, None
            while j < n and not query[j].isspace() and query[j] not in _SPECIAL:
                if query[j] == "[" and j > i and (tag := _tag_at(query, original, j)):
                    break
                j += 1
            word = query[i:j]
            if word in OPERATORS:
                out.append(_Token("op", word, i))
            else:
                term = _word(word, i, original)
                out.append(_Token("term", word, i, replace(term, field=tag[1]) if tag else term))
            i = tag[0] if tag else j
    return out


def _word(word: str, position: int, query: str) -> Term:
    if not word.endswith("*"):
        return Term("word", word, position)
    stem = word.rstrip("*")
    if not stem:
        raise SearchSyntaxError("a * goes right after the start of a word, as in ketamin*", position, query)
    if not _PREFIX_STEM.fullmatch(stem):
        raise SearchSyntaxError(
            f"{word!r}: a prefix search takes letters and digits only before the *", position, query)
    if len(stem) < MIN_PREFIX_CHARS:
        raise SearchSyntaxError(
            f"{word!r}: write at least {MIN_PREFIX_CHARS} letters before the *", position, query)
    return Term("prefix", stem, position)


class _Parser:
    """Left-to-right Boolean parser: ``expr := operand ((AND|OR|NOT)? operand)*``."""

    def __init__(self, query: str, tokens: list[_Token]) -> None:
        self.query, self.tokens, self.i = query, tokens, 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def expr(self, opened: _Token | None) -> Node:
        node = self.operand(opened)
        while (tok := self._peek()) is not None and tok.kind != ")":
            if tok.kind == "op":
                self.i += 1
                nxt = self._peek()
                if nxt is None or nxt.kind in ("op", ")"):
                    raise SearchSyntaxError(f"{tok.value} needs a search term after it", tok.position, self.query)
                node = Op(tok.value, node, self.operand(opened))
            else:
                node = Op("AND", node, self.operand(opened))
        return node

    def operand(self, opened: _Token | None) -> Node:
        tok = self._peek()
        if tok is None:  # only after "(": the callers check the other cases
            assert opened is not None
            raise SearchSyntaxError("this parenthesis is never closed: add )", opened.position, self.query)
        if tok.kind == "op":
            raise SearchSyntaxError(f"{tok.value} needs a search term before it", tok.position, self.query)
        if tok.kind == ")":
            if opened is None:
                raise SearchSyntaxError("this ) closes no parenthesis", tok.position, self.query)
            raise SearchSyntaxError("empty parentheses: put search terms between them", opened.position, self.query)
        self.i += 1
        if tok.kind == "term":
            assert tok.term is not None
            return tok.term
        node = self.expr(tok)
        close = self._peek()
        if close is None:
            raise SearchSyntaxError("this parenthesis is never closed: add )", tok.position, self.query)
        self.i += 1
        return node


def parse(query: str) -> Node:
    """Parse a search text into a query tree.

    Parameters
    ----------
    query : str
        What the user typed.

    Returns
    -------
    Node
        A :class:`Term` or an :class:`Op` tree, evaluated left to right.

    Raises
    ------
    SearchSyntaxError
        Empty query, too long, too many terms, unclosed quote or parenthesis, a
        ``)`` without ``(``, an operator without a term on each side, a bad prefix.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise SearchSyntaxError(f"the query is longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS, query)
    tokens = _tokens(query)
    if not tokens:
        raise SearchSyntaxError("type a word, a \"phrase\" or a prefix* to search", 0, query)
    terms = [t for t in tokens if t.kind == "term"]
    if len(terms) > MAX_TERMS:
        raise SearchSyntaxError(f"a query may hold at most {MAX_TERMS} search terms", terms[MAX_TERMS].position, query)
    parser = _Parser(query, tokens)
    node = parser.expr(None)
    rest = parser._peek()
    if rest is not None:  # only a ")" stops the top-level expression early
        raise SearchSyntaxError("this ) closes no parenthesis", rest.position, query)
    return node


def leaves(node: Node, *, positive: bool = True) -> list[Term]:
    """The terms of a tree; with ``positive`` only those that must match (not under a NOT's right side).

    Parameters
    ----------
    node : Node
        A parsed query.
    positive : bool
        Leave out the terms an article must not match.

    Returns
    -------
    list of Term
        In query order.
    """
    if isinstance(node, Term):
        return [node]
    right = [] if positive and node.op == "NOT" else leaves(node.right, positive=positive)
    return leaves(node.left, positive=positive) + right


def has_word(term: Term) -> bool:
    """Whether a term holds a letter or digit (``--`` or ``&`` hold nothing to look for).

    Parameters
    ----------
    term : Term

    Returns
    -------
    bool
    """
    return bool(_ALNUM.search(term.text))
