"""A page's filters kept in the URL (``st.query_params``), so a view can be bookmarked and shared.

A page declares its filters as :class:`Param` rows, calls :func:`load` before
drawing its widgets and :func:`save` after them:

- :func:`load` puts the URL's values into the widgets' session state when the
  query string is new to the page (a shared link, a link from another page,
  the first run), after checking each value: unknown choices are dropped,
  numbers clamped, text cut (see :mod:`dashboard.common`);
- :func:`save` writes the widgets' values back, leaving out the defaults, so
  the URL always reproduces what is on screen.

Values are plain query parameters; lists repeat the key
(``?route=intranasal&route=oral``), a year range is ``year_min`` / ``year_max``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import streamlit as st

from dashboard import common as c


@dataclass(frozen=True)
class Param:
    """One filter: its URL name, the session-state key of its widget and what it may hold.

    Attributes
    ----------
    name:
        Query parameter name (for ``kind="range"``: the prefix of ``<name>_min`` / ``<name>_max``).
    key:
        Session-state key of the widget.
    kind:
        ``"list"`` (multiselect), ``"one"`` (selectbox / radio), ``"int"``
        (number input), ``"range"`` (two-ended slider) or ``"text"`` (search box).
    default:
        The value shown without a parameter; never written to the URL.
    choices:
        The allowed values of ``list`` / ``one`` (others are ignored).
    lo, hi:
        The bounds of ``int`` and ``range`` values (clamped).
    aliases:
        Other spellings accepted for a ``one`` value (``{"1": "only"}``); the URL is
        rewritten with the value itself.
    """

    name: str
    key: str
    kind: str = "list"
    default: Any = None
    choices: Sequence[Any] | None = None
    lo: int = 0
    hi: int = c.MAX_PMID
    aliases: tuple[tuple[str, str], ...] = ()


def _query_string(params: Sequence[Param]) -> tuple:
    """The part of the URL that holds ``params`` (other parameters do not matter to them)."""
    names = {name for p in params for name in _names(p)}
    return tuple(sorted((k, tuple(st.query_params.get_all(k))) for k in st.query_params.keys() if k in names))


def _from_url(p: Param) -> Any:
    if p.kind == "list":
        allowed = [str(v) for v in p.choices or ()]
        picked = [v for v in c.param_list(p.name) if v in allowed]
        return [p.choices[allowed.index(v)] for v in dict.fromkeys(picked)] or list(p.default or [])
    if p.kind == "one":
        allowed = [str(v) for v in p.choices or ()]
        aliases = dict(p.aliases)
        found = [aliases.get(v, v) for v in c.param_list(p.name) if aliases.get(v, v) in allowed]
        return p.choices[allowed.index(found[0])] if found else p.default
    if p.kind == "int":
        value = c.param_int(p.name, p.lo, p.hi)
        return p.default if value is None else value
    if p.kind == "range":
        lo, hi = c.param_int(f"{p.name}_min", p.lo, p.hi), c.param_int(f"{p.name}_max", p.lo, p.hi)
        lo = p.default[0] if lo is None else lo
        hi = p.default[1] if hi is None else hi
        return (lo, max(lo, hi))
    if p.kind == "text":
        return c.bounded_text((c.param_list(p.name) or [""])[0])
    raise ValueError(f"unknown parameter kind {p.kind!r}")


def _to_url(p: Param, value: Any) -> dict[str, list[str]]:
    """The query parameters of one filter's value (none for the default)."""
    if p.kind == "range":
        value = tuple(value)
        out = {}
        if value[0] != p.default[0]:
            out[f"{p.name}_min"] = [str(value[0])]
        if value[1] != p.default[1]:
            out[f"{p.name}_max"] = [str(value[1])]
        return out
    if p.kind == "list":
        return {p.name: [str(v) for v in value]} if value and list(value) != list(p.default or []) else {}
    if value == p.default or value is None or value == "":
        return {}
    return {p.name: [str(value)]}


def _names(p: Param) -> list[str]:
    return [f"{p.name}_min", f"{p.name}_max"] if p.kind == "range" else [p.name]


def load(page: str, params: Sequence[Param]) -> bool:
    """Set the widgets of ``page`` from the URL when the URL's values of ``params`` are new to the page.

    Call before the widgets are drawn.

    Parameters
    ----------
    page:
        The page's name (keeps each page's memory of the URL apart).
    params:
        The page's filters.

    Returns
    -------
    bool
        True when the widgets were (re)set from the URL.
    """
    marker = f"_url_{page}"
    if st.session_state.get(marker) == _query_string(params) and all(p.key in st.session_state for p in params):
        return False
    for p in params:
        value = _from_url(p)
        if value is None:  # no choice: the widget shows its own default
            st.session_state.pop(p.key, None)
        else:
            st.session_state[p.key] = value
    st.session_state[marker] = _query_string(params)
    return True


def save(page: str, params: Sequence[Param]) -> None:
    """Write the widgets' current values of ``page`` to the URL (defaults left out).

    Call after the widgets are drawn. Parameters of other pages' filters in the
    URL are left alone.

    Parameters
    ----------
    page:
        The page's name, as given to :func:`load`.
    params:
        The page's filters.
    """
    wanted: dict[str, list[str]] = {}
    for p in params:
        wanted.update(_to_url(p, st.session_state.get(p.key, p.default)))
    for p in params:
        for name in _names(p):
            if name in wanted:
                if list(st.query_params.get_all(name)) != wanted[name]:
                    st.query_params[name] = wanted[name] if len(wanted[name]) > 1 else wanted[name][0]
            elif name in st.query_params:
                del st.query_params[name]
    st.session_state[f"_url_{page}"] = _query_string(params)
