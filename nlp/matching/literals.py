"""The literal strings a regular expression's matches must contain.

:func:`required_literals` gives, for a pattern, lower-case ASCII strings one
of which every match contains: the "required substring" prefilter of
grep-like tools (GNU grep's Boyer-Moore "must" strings), used by
:mod:`nlp.matching.regex` to skip patterns on texts that cannot match.

The pattern is read by :func:`parse`, a small reader of Python's regular
expression syntax written for this purpose (the standard library's own
parser is private API). It builds the same tree shape ``re`` does where that
matters here: common prefixes of alternatives are moved out of the
alternation, an alternation of single characters is a character set, a
one-character class is that character, and a non-capturing group (repeated or not) is
its content. Whatever it does not know it refuses (``ValueError``), and a
refused pattern is simply never screened, so a gap in the reader costs speed,
never a match.
"""

from __future__ import annotations

import re

MAXREPEAT = -1  # no upper bound

# one-letter escapes that stand for one character
_CHAR_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
# escapes that match a class of characters (a set, in re's terms) or a position
_CLASS_ESCAPES = set("dDsSwW")
_POSITION_ESCAPES = set("AbBZ")
_FLAG_LETTERS = set("aiLmsux")


class _Reader:
    """The pattern, read one character at a time."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0
        self.groups = 0

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def take(self) -> str:
        if self.pos >= len(self.text):
            raise ValueError("unexpected end of pattern")
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def match(self, s: str) -> bool:
        if self.text.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False


def parse(pattern: str, flags: int = 0) -> tuple:
    """The pattern as a tree of nodes (tuples).

    Parameters
    ----------
    pattern : str
        A regular expression.
    flags : int
        Its compile flags.

    Returns
    -------
    tuple
        Nodes in order: ``("lit", code)``, ``("in", negated, source)`` (a
        character set), ``("branch", alternatives)``, ``("sub", group,
        seq)``, ``("repeat", lo, hi, seq)``, ``("atomic", seq)`` and
        ``("other", source)`` for anything else (positions, ``.``,
        lookarounds, back-references).

    Raises
    ------
    ValueError
        When the pattern uses what this reader does not know (verbose mode,
        conditionals) or is not a valid pattern.
    """
    if flags & re.VERBOSE:
        raise ValueError("verbose patterns are not read")
    r = _Reader(pattern)
    tree = _alternation(r)
    if r.pos != len(pattern):
        raise ValueError(f"unbalanced parenthesis at {r.pos}")
    return tree


def _alternation(r: _Reader) -> tuple:
    """``a|b|c`` up to the closing parenthesis or the end."""
    items = [_sequence(r)]
    while r.match("|"):
        items.append(_sequence(r))
    if len(items) == 1:
        return tuple(items[0])
    out = []
    while all(items) and all(_same(item[0], items[0][0]) for item in items):  # a common first node moves out
        out.append(items[0][0])
        items = [item[1:] for item in items]
    if all(len(item) == 1 and (item[0][0] == "lit" or (item[0][0] == "in" and not item[0][1])) for item in items):
        out.append(("in", False, "|".join(_source(item[0]) for item in items)))  # single characters: a set
    else:
        out.append(("branch", tuple(tuple(item) for item in items)))
    return tuple(out)


def _same(a: tuple, b: tuple) -> bool:
    """Equal nodes, as re compares them: a node holding a sub-pattern (group, repeat,
    alternation, lookaround) equals no other node."""
    return a == b and (a[0] in ("lit", "in") or (a[0] == "other" and len(a) == 2))


def _source(node: tuple) -> str:
    return chr(node[1]) if node[0] == "lit" else node[2]


def _sequence(r: _Reader) -> list:
    """Atoms, each with its quantifier, up to ``|``, ``)`` or the end."""
    seq: list = []
    while r.pos < len(r.text) and r.peek() not in "|)":
        start = r.pos
        ch = r.take()
        if ch in "*+?":
            seq[-1:] = [_repeat(seq, *((0, MAXREPEAT) if ch == "*" else (1, MAXREPEAT) if ch == "+" else (0, 1)), r)]
        elif ch == "{":
            bounds = _braces(r)
            if bounds is None:
                seq.append(("lit", ord("{")))
            else:
                seq[-1:] = [_repeat(seq, *bounds, r)]
        elif ch == "(":
            node = _group(r)
            if node is not None:
                seq.append(node)
        elif ch == "[":
            seq.append(_class(r, start))
        elif ch == "\\":
            seq.append(_escape(r, start))
        elif ch == ".":
            seq.append(("other", "."))
        elif ch in "^$":
            seq.append(("other", ch))
        else:
            seq.append(("lit", ord(ch)))
    # a non-capturing group without flags is its content (as in re's parser)
    out: list = []
    for node in seq:
        out.extend(node[2] if node[0] == "sub" and node[1] is None else (node,))
    return out


def _braces(r: _Reader) -> tuple[int, int] | None:
    """``{m}``, ``{m,n}``, ``{,n}``, ``{m,}`` after ``{`` (None: a literal brace, as re reads it)."""
    here = r.pos
    m = re.compile(r"(\d*)(?:(,)(\d*))?\}").match(r.text, r.pos)
    if m is None or r.text.startswith("}", here):
        return None
    r.pos = m.end()
    lo = int(m.group(1)) if m.group(1) else 0
    if m.group(2):
        hi = int(m.group(3)) if m.group(3) else MAXREPEAT
    else:
        hi = lo
    return lo, hi


def _repeat(seq: list, lo: int, hi: int, r: _Reader) -> tuple:
    """The last atom of ``seq`` repeated (a non-capturing group without flags: its content)."""
    if not seq or seq[-1][0] == "repeat" or (seq[-1][0] == "other" and seq[-1][1] in "^$"):
        raise ValueError("nothing to repeat")
    r.match("?") or r.match("+")  # lazy or possessive: the same text is required
    item = seq[-1]
    body = item[2] if item[0] == "sub" and item[1] is None else (item,)
    return ("repeat", lo, hi, body)


def _group(r: _Reader) -> tuple | None:
    """A group after ``(``; None for a comment or a global flag group."""
    if r.match("?"):
        if r.match(":"):
            return _close(r, ("sub", None))
        if r.match("P<"):
            end = r.text.find(">", r.pos)
            if end < 0:
                raise ValueError("unterminated group name")
            r.pos = end + 1
            r.groups += 1
            return _close(r, ("sub", r.groups))
        if r.match("P="):
            end = r.text.find(")", r.pos)
            if end < 0:
                raise ValueError("unterminated back-reference")
            name = r.text[r.pos:end]
            r.pos = end + 1
            return ("other", "(?P=" + name)
        if r.match("#"):
            end = r.text.find(")", r.pos)
            if end < 0:
                raise ValueError("unterminated comment")
            r.pos = end + 1
            return None
        for opener in ("=", "!", "<=", "<!"):
            if r.match(opener):
                return ("other", "(?" + opener, _close(r, ("sub", None))[2])
        if r.match(">"):
            inner = _close(r, ("sub", None))
            return ("atomic", inner[2])
        letters = re.compile(r"([aiLmsux]*)(?:-([imsx]+))?([:)])").match(r.text, r.pos)
        if letters is None:
            raise ValueError(f"unknown group extension at {r.pos}")
        if "x" in letters.group(1):
            raise ValueError("verbose patterns are not read")
        r.pos = letters.end()
        if letters.group(3) == ")":
            return None  # a global flag group, such as (?i)
        return _close(r, ("sub", "flags" + letters.group(0)))
    r.groups += 1
    return _close(r, ("sub", r.groups))


def _close(r: _Reader, head: tuple) -> tuple:
    inner = _alternation(r)
    if not r.match(")"):
        raise ValueError("missing )")
    return head + (inner,)


def _class(r: _Reader, start: int) -> tuple:
    """A character class after ``[``: one character when it holds exactly one (and is not negated)."""
    negated = r.match("^")
    members = []
    first = True
    while True:
        ch = r.take()
        if ch == "]" and not first:
            break
        first = False
        if ch == "\\":
            esc = r.take()
            if esc in _CLASS_ESCAPES:
                members.append(None)  # \d, \s, \w...: a class, not one character
            elif esc.isdigit() and esc != "0":
                members.append(int(esc + _digits(r, 2, 2, "01234567"), 8))  # re accepts only an octal code here
            else:
                r.pos -= 1
                members.append(_code_escape(r))
        elif ch == "[" and r.peek() in (":", "=", "."):
            members.append(None)
        else:
            members.append(ord(ch))
        if r.peek() == "-" and r.peek(2) != "-]":
            members.append(None)  # a range
    source = r.text[start:r.pos]
    if len(members) == 1 and members[0] is not None and not negated:
        return ("lit", members[0])
    return ("in", negated, source)


def _escape(r: _Reader, start: int) -> tuple:
    """An escape after ``\\`` outside a class."""
    ch = r.peek()
    if ch in _CLASS_ESCAPES:
        r.take()
        return ("in", False, "\\" + ch)
    if ch in _POSITION_ESCAPES:
        r.take()
        return ("other", "\\" + ch)
    if ch.isdigit() and ch != "0":
        r.take()
        digits = ch + _digits(r, 0, 2, "0123456789")
        if len(digits) == 3 and all(c in "01234567" for c in digits):
            return ("lit", int(digits, 8))
        return ("other", "\\" + digits)  # a back-reference
    return ("lit", _code_escape(r))


_HEX = "0123456789abcdefABCDEF"


def _code_escape(r: _Reader) -> int:
    """The character code of an escape that stands for one character (after ``\\``)."""
    ch = r.take()
    if ch in _CHAR_ESCAPES:
        return _CHAR_ESCAPES[ch]
    if ch in "xuU":
        return int(_digits(r, *{"x": (2, 2), "u": (4, 4), "U": (8, 8)}[ch], _HEX), 16)
    if ch == "0":
        return int("0" + _digits(r, 0, 2, "01234567"), 8)
    if ch.isascii() and ch.isalnum():
        raise ValueError(f"escape \\{ch} is not read")
    return ord(ch)


def _digits(r: _Reader, least: int, most: int, allowed: str) -> str:
    out = ""
    while len(out) < most and r.peek() and r.peek() in allowed:
        out += r.take()
    if len(out) < least:
        raise ValueError("bad escape")
    return out


def required_literals(pattern: str, flags: int = 0) -> list[str] | None:
    """Lower-case ASCII strings at least one of which every match of ``pattern`` contains.

    Parameters
    ----------
    pattern : str
        A regular expression.
    flags : int
        Its compile flags.

    Returns
    -------
    list of str or None
        For a sequence, its longest run of literal characters; for an
        alternation, the union over its branches. None when some match need
        not contain any literal, or the pattern is not read (then the pattern
        is never screened).
    """
    try:
        tree = parse(pattern, flags)
    except (ValueError, IndexError):
        return None
    found = _required(list(tree))
    return sorted(set(found)) if found else None


def _required(items: list) -> list[str] | None:
    """Alternatives one of which every match of the sequence ``items`` contains: the
    most selective (longest shortest member) of its literal runs and the
    requirements of its mandatory groups, branches and repeats."""
    options: list[list[str]] = []
    run: list[str] = []
    for node in items + [("end",)]:
        if node[0] == "lit" and node[1] < 128:
            run.append(chr(node[1]).lower())
            continue
        if run:
            lit = "".join(run)
            if not lit.isspace():  # white space only: never a useful (or safe, see Alternation) screen
                options.append([lit])
            run = []
        inner = None
        if node[0] == "branch":
            branches = [_required(list(b)) for b in node[1]]
            inner = None if any(b is None for b in branches) else [x for b in branches for x in b]
        elif node[0] == "sub":
            inner = _required(list(node[2]))
        elif node[0] == "repeat" and node[1] >= 1:
            inner = _required(list(node[3]))
        elif node[0] == "atomic":
            inner = _required(list(node[1]))
        if inner:
            options.append(inner)
    if not options:
        return None
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))
