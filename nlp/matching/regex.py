"""Fast, behaviour-preserving forms of large regular-expression alternations.

Python's ``re`` tries the alternatives of ``(?:a1|a2|...|an)`` one after the
other at every position it attempts; with ``re.IGNORECASE`` it cannot skip an
alternative by its first character (only case-sensitive literal and set
openers get that shortcut in ``sre``), so a lexicon of a few hundred synonyms
costs a few hundred failed attempts at every word start.

:func:`trie_regex` factors a word list as a character trie.

:func:`first_char_alternation` groups the alternatives by their first
character, ``(?:c1(?:rest...)|c2(?:rest...))``, keeping their original order
inside each group. At a given position only alternatives whose first
character matches the text can succeed, and those all sit in one group in
their original relative order, so the first alternative that succeeds - and
with it every match - is the same as for the flat alternation (the
"first-character index" of a keyword trie, Aho & Corasick 1975, without
changing the alternation's leftmost-first semantics).

:class:`Screen` skips a pattern on a text that lacks every literal string one
of which any match must contain (:func:`nlp.matching.literals.required_literals`,
the "required substring" prefilter of grep-like tools, e.g. GNU grep's
Boyer-Moore "must" strings), so the pattern runs only on texts it may match;
its result, when it runs, is unchanged.
"""

from __future__ import annotations

import re

from .literals import required_literals


def trie_regex(words: list[str]) -> str:
    """A regular expression matching any of ``words``, factored as a character
    trie so the engine does not try every alternative at every position
    (the classic trie-regex construction; longer words win because branches
    are tried before the end-of-word option).

    Parameters
    ----------
    words : list of str
        The words (matched as written).

    Returns
    -------
    str
        The pattern (no group captures; empty for no words).
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


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
    parts = [_head(k, heads[k], flags) + "(?:" + "|".join(rests) + ")" for k, rests in groups.items()]
    return "(?:" + "|".join(parts) + ")"


# Under re.IGNORECASE an ASCII letter matches its two cases and these (checked
# over all code points with CPython 3.11, see _group_key).
_FOLDS = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}


def _head(key: str, head: str, flags: int) -> str:
    """The group's first character as a case-sensitive set of exactly the characters it
    matches under ``flags``: ``sre`` skips a branch that opens with a plain set in C,
    without entering it, so non-matching groups cost almost nothing."""
    if not flags & re.IGNORECASE or not key.isalpha():
        return head
    return "(?-i:[" + key + key.upper() + _FOLDS.get(key, "") + "])"


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


CACHE_SIZE = 256  # reduced patterns kept per Alternation (2,721 abstracts needed at most 185)

# Characters outside ASCII that match an ASCII letter under re.IGNORECASE but
# whose str.lower() is not that letter (see _group_key); text holding one is
# never screened out.
_FOLD_UNSAFE = re.compile("[\u0130\u0131\u017f]")


def fold(text: str) -> str | None:
    """``text.lower()`` for :meth:`Screen.may_match`, or None when screening is unsafe
    (then nothing is screened out). Same length as ``text`` when not None."""
    if text.isascii():  # O(1) for str
        return text.lower()
    if _FOLD_UNSAFE.search(text):
        return None
    low = text.lower()
    return low if len(low) == len(text) else None


class Screen:
    """A cheap necessary condition for a pattern to match: one of its
    :func:`required_literals` occurs in the case-folded text.

    Parameters
    ----------
    pattern : str
    flags : int
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.literals = required_literals(pattern, flags)

    def may_match(self, folded: str | None, seen: dict[str, bool] | None = None) -> bool:
        """False only when the pattern cannot match the text ``folded`` came from.

        Parameters
        ----------
        folded : str or None
            :func:`fold` of the text.
        seen : dict, optional
            Literal -> present in ``folded``, shared by the screens of one text.

        Returns
        -------
        bool
        """
        if folded is None or self.literals is None:
            return True
        if seen is None:
            return any(lit in folded for lit in self.literals)
        for lit in self.literals:
            hit = seen.get(lit)
            if hit is None:
                hit = seen[lit] = lit in folded
            if hit:
                return True
        return False


def split_alternation(pattern: str) -> tuple[str, list[str], str] | None:
    """``(prefix, alternatives, suffix)`` with ``pattern == prefix + "(?:" + "|".join(alternatives) + ")" + suffix``
    for the outermost alternation of ``pattern`` (a top-level ``a|b`` gives empty
    prefix and suffix), or None when it has none or uses back-references."""
    if re.search(r"\\[1-9]|\(\?P=|\(\?\(", pattern):
        return None
    depth, i, in_class = 0, 0, False
    group_start = None
    bars: dict[int | None, list[int]] = {}
    stack: list[int] = []
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if i + 1 < n and pattern[i + 1] == "^":
                i += 1
            if i + 1 < n and pattern[i + 1] == "]":
                i += 1
        elif ch == "(":
            stack.append(i)
        elif ch == ")":
            start = stack.pop()
            if start in bars and group_start is None and not stack and pattern.startswith("(?:", start):
                group_start = (start, i)
        elif ch == "|":
            bars.setdefault(stack[-1] if stack else None, []).append(i)
        i += 1
    if None in bars:
        cuts = [-1] + bars[None] + [n]
        return "", [pattern[a + 1:b] for a, b in zip(cuts, cuts[1:])], ""
    if group_start is None:
        return None
    start, end = group_start
    cuts = [start + 2] + bars[start] + [end]
    return pattern[:start], [pattern[a + 1:b] for a, b in zip(cuts, cuts[1:])], pattern[end + 1:]


class Alternation:
    """A pattern whose outermost alternation runs with only the alternatives a text may match.

    An alternative whose :func:`required_literals` are all absent from a text
    fails at every position of it, so dropping it leaves every match, and which
    alternative wins it, unchanged; the reduced pattern is compiled once per
    set of remaining alternatives.

    Parameters
    ----------
    pattern : str
    flags : int
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.full = re.compile(pattern, flags)
        self.flags = flags
        parts = split_alternation(pattern)
        if parts is None:
            self.prefix, self.alternatives, self.suffix = "", [pattern], ""
        else:
            self.prefix, self.alternatives, self.suffix = parts
        outer = Screen(self.prefix + self.suffix, flags).literals if self.prefix or self.suffix else None
        self.literals = []
        for alt in self.alternatives:
            lits = required_literals(self.prefix + "(?:" + alt + ")" + self.suffix, flags)
            self.literals.append(lits if lits is not None else outer)
        self._cache: dict[tuple[int, ...], re.Pattern] = {}
        # no literal is white space only: a text followed by white space holds the
        # literals its first len(text) + max_literal characters hold
        self.max_literal = max((len(x) for lits in self.literals if lits for x in lits), default=0)
        # every literal of the pattern, or None when an alternative has none (never screened)
        self.literal_set = None if any(lits is None for lits in self.literals) else {x for lits in self.literals for x in lits}

    def for_text(self, folded: str | None, seen: dict[str, bool] | None = None) -> re.Pattern | None:
        """The pattern reduced to the alternatives that may match the text, None if none may.

        Parameters
        ----------
        folded : str or None
            :func:`fold` of the text (None: the full pattern).
        seen : dict, optional
            Literal -> present, shared by the screens of one text.

        Returns
        -------
        re.Pattern or None
        """
        if folded is None:
            return self.full
        if seen is None:
            seen = {}
        keep = []
        for i, lits in enumerate(self.literals):
            if lits is None:
                keep.append(i)
                continue
            for lit in lits:
                hit = seen.get(lit)
                if hit is None:
                    hit = seen[lit] = lit in folded
                if hit:
                    keep.append(i)
                    break
        if not keep:
            return None
        if len(keep) == len(self.alternatives):
            return self.full
        key = tuple(keep)
        pattern = self._cache.get(key)
        if pattern is None:
            if len(self._cache) >= CACHE_SIZE:  # bounded memory: forget the oldest reduction
                del self._cache[next(iter(self._cache))]
            body = "|".join(self.alternatives[i] for i in keep)
            pattern = self._cache[key] = re.compile(self.prefix + "(?:" + body + ")" + self.suffix, self.flags)
        return pattern

    def may_match_present(self, present: set[str] | None) -> bool:
        """Whether any alternative may match a text holding exactly the literals ``present``
        (of a :class:`LiteralIndex` that includes this pattern's literals; None: unknown)."""
        if present is None or self.literal_set is None:
            return True
        return not self.literal_set.isdisjoint(present)

    def may_match(self, folded: str | None, seen: dict[str, bool] | None = None) -> bool:
        """Whether any alternative may match the text ``folded`` came from."""
        if folded is None:
            return True
        for lits in self.literals:
            if lits is None:
                return True
            for lit in lits:
                hit = seen.get(lit) if seen is not None else None
                if hit is None:
                    hit = lit in folded
                    if seen is not None:
                        seen[lit] = hit
                if hit:
                    return True
        return False


class LiteralIndex:
    """Which of many literals occur in a case-folded text, in one pass.

    A zero-width lookahead over a trie of the literals (longest branch first)
    yields, at every position, the longest literal starting there; the
    literals present are those and their literal prefixes (two literals that
    start at one position are prefixes of each other).

    Parameters
    ----------
    literals : iterable of str
        Lower-case literals (e.g. of several :class:`Alternation` objects).
    """

    def __init__(self, literals) -> None:
        self.literals = sorted(set(literals))
        self.pattern = re.compile("(?=(" + trie_regex(self.literals) + "))") if self.literals else None
        self.prefixes = {m: [x for x in self.literals if m.startswith(x)] for m in self.literals}

    def present(self, folded: str | None) -> set[str] | None:
        """The literals occurring in ``folded`` (None when ``folded`` is None)."""
        if folded is None:
            return None
        found: set[str] = set()
        if self.pattern is not None:
            for longest in set(self.pattern.findall(folded)):
                found.update(self.prefixes[longest])
        return found

    def presence(self, folded: str | None) -> dict[str, bool] | None:
        """Literal -> occurs in ``folded`` (the ``seen`` of :meth:`Alternation.for_text`),
        or None when ``folded`` is None."""
        if folded is None:
            return None
        seen = dict.fromkeys(self.literals, False)
        if self.pattern is not None:
            for longest in set(self.pattern.findall(folded)):
                for lit in self.prefixes[longest]:
                    seen[lit] = True
        return seen


class AnyOf:
    """Whether any of several patterns occurs in a text, trying only the ones it may hold.

    ``bool(re.compile("|".join(patterns), flags).search(text))`` holds exactly when
    one alternative alone is found somewhere in ``text``, so the alternatives can
    be searched one by one, each skipped when none of its
    :func:`required_literals` occurs in the case-folded text (the
    :class:`Screen` prefilter). A whole alternation runs every alternative at
    every position; this runs the few a text may match.

    Parameters
    ----------
    patterns : list of str
        Self-contained regular expressions (each a valid pattern on its own).
    flags : int
    """

    def __init__(self, patterns: list[str], flags: int = 0) -> None:
        self.parts = [(Screen(p, flags), re.compile(p, flags)) for p in patterns]

    def search(self, text: str) -> bool:
        """``bool(re.search("|".join(patterns), text, flags))``.

        Parameters
        ----------
        text : str

        Returns
        -------
        bool
        """
        folded = fold(text)
        seen: dict[str, bool] = {}
        for screen, pattern in self.parts:
            if screen.may_match(folded, seen) and pattern.search(text):
                return True
        return False
