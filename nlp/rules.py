"""Rule files as typed data: each JSON rule file is read into a frozen dataclass.

A rule class lists the keys its file may hold, with their types (as
medspaCy's ``TargetRule`` does for one rule). :func:`load_rules` refuses a
file with a key the class does not know - a misspelt key is an error, not a
silently ignored rule - with a required key missing, or with a value of the
wrong type; nested objects (lexicon entries, text rules) are rule classes too.

Supported field types: ``str``, ``int``, ``float`` (an int is accepted),
``bool``, ``None``, ``list[T]``, ``tuple[T1, T2, ...]`` (a JSON array of that
length), ``dict[str, T]``, unions (``T | None``) and rule classes.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from functools import lru_cache
from pathlib import Path

from .errors import RuleFileError

T = typing.TypeVar("T")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RuleFile:
    """Base of the rule-file classes: every file may say what it holds."""

    description: str = ""


def load_rules(path: str | Path, cls: type[T]) -> T:
    """Read a JSON rule file into its rule class.

    Parameters
    ----------
    path : str or Path
        The JSON file.
    cls : type
        A dataclass whose fields are the keys the file may hold.

    Returns
    -------
    cls
        The file's content, checked against ``cls``.

    Raises
    ------
    RuleFileError
        When a key is unknown or missing, or a value has the wrong type.
    """
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return convert(cls, data, path.name)


def convert(tp, value, where: str):
    """``value`` (parsed JSON) checked against the type ``tp`` and built into it.

    Parameters
    ----------
    tp : type
        A supported field type (see the module docstring).
    value : object
        Parsed JSON.
    where : str
        Where ``value`` sits, for the error message (``"routes.json: entries[3]"``).

    Returns
    -------
    object
        ``value``, with JSON objects of rule classes built into those classes
        and JSON arrays of tuple types into tuples.

    Raises
    ------
    RuleFileError
        When ``value`` does not fit ``tp``.
    """
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, where)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return convert(option, value, where)
            except RuleFileError:
                continue
        raise RuleFileError(f"{where}: {_kind(value)} is not {_name(tp)}")
    if origin is list:
        _expect(isinstance(value, list), value, tp, where)
        return [convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        _expect(isinstance(value, list) and len(value) == len(args), value, tp, where)
        return tuple(convert(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    if origin is dict:
        _expect(isinstance(value, dict), value, tp, where)
        return {k: convert(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if tp is type(None) or tp is None:
        _expect(value is None, value, tp, where)
    elif tp is float:
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool), value, tp, where)
    elif tp is int:
        _expect(isinstance(value, int) and not isinstance(value, bool), value, tp, where)
    elif tp in (str, bool):
        _expect(isinstance(value, tp), value, tp, where)
    else:
        raise TypeError(f"{where}: unsupported rule field type {tp!r}")
    return value


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[dict, frozenset]:
    """(field name -> resolved type, required field names) of a rule class."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
    required = frozenset(f.name for f in dataclasses.fields(cls)
                         if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
    return fields, required


def _build(cls: type, value, where: str):
    if not isinstance(value, dict):
        raise RuleFileError(f"{where}: {_kind(value)} is not an object ({cls.__name__})")
    fields, required = _fields(cls)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise RuleFileError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))} for {cls.__name__} "
                            f"(known: {', '.join(sorted(fields))})")
    missing = sorted(required - set(value))
    if missing:
        raise RuleFileError(f"{where}: missing key(s) {', '.join(map(repr, missing))} for {cls.__name__}")
    return cls(**{k: convert(fields[k], v, f"{where}: {k}" if ":" not in where else f"{where}.{k}") for k, v in value.items()})


def _expect(ok: bool, value, tp, where: str) -> None:
    if not ok:
        raise RuleFileError(f"{where}: {_kind(value)} is not {_name(tp)}")


def _kind(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _name(tp) -> str:
    return getattr(tp, "__name__", None) if not typing.get_args(tp) else str(tp).replace("typing.", "")
