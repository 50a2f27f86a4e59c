"""Topics: named PubMed queries read from a TOML file.

The shipped file is ``harvester/topics.toml``; a user file is given with
``--topics FILE`` or ``KETAMINE_TRACKER_TOPICS``. Top-level string values are
reusable blocks: ``{ketamine}`` in a query is replaced by the top-level
``ketamine`` string. Each ``[topics.NAME]`` table needs a non-empty ``query``
and may have a ``label``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import TopicsError

SHIPPED_TOPICS = Path(__file__).with_name("topics.toml")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Topic:
    """One harvested topic."""

    name: str
    query: str
    label: str = ""

    @property
    def query_hash(self) -> str:
        """SHA-256 of the whitespace-normalised query: a changed query triggers a new backfill."""
        return hashlib.sha256(" ".join(self.query.split()).encode("utf-8")).hexdigest()


def load_topics(path: str | Path | None = None) -> dict[str, Topic]:
    """Read and validate a topics file.

    Parameters
    ----------
    path:
        TOML file; ``None`` means the shipped ``harvester/topics.toml``.

    Returns
    -------
    dict[str, Topic]
        Topics by name, in file order.

    Raises
    ------
    TopicsError
        Missing file, invalid TOML, no ``[topics]`` table, a bad topic name, a
        missing or empty ``query``, or an unknown ``{placeholder}``.
    """
    path = Path(path) if path else SHIPPED_TOPICS
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TopicsError(f"cannot read topics file {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TopicsError(f"topics file {path} is not valid TOML: {exc}") from exc
    blocks = {k: v for k, v in data.items() if isinstance(v, str)}
    table = data.get("topics")
    if not isinstance(table, dict) or not table:
        raise TopicsError(f"topics file {path} has no [topics.NAME] tables")
    topics: dict[str, Topic] = {}
    for name, spec in table.items():
        if not _NAME.match(name):
            raise TopicsError(f"topics file {path}: topic name {name!r} must be lower-case letters, digits, '-' or '_'")
        if not isinstance(spec, dict):
            raise TopicsError(f"topics file {path}: [topics.{name}] must be a table with a query")
        query = spec.get("query")
        if not isinstance(query, str) or not query.strip():
            raise TopicsError(f"topics file {path}: [topics.{name}] has no query")

        def _fill(match: re.Match, _name=name) -> str:
            key = match.group(1)
            if key not in blocks:
                known = ", ".join(sorted(blocks)) or "none"
                raise TopicsError(f"topics file {path}: [topics.{_name}] uses {{{key}}} but no top-level "
                                 f"string {key!r} is defined (defined: {known})")
            return blocks[key]

        query = " ".join(_PLACEHOLDER.sub(_fill, query).split())
        label = spec.get("label", name)
        topics[name] = Topic(name=name, query=query, label=str(label))
    return topics


def select_topics(topics: dict[str, Topic], names: Iterable[str] | None) -> list[Topic]:
    """The topics named on the command line (all of them when ``names`` is empty).

    Raises
    ------
    TopicsError
        A name that is not in the file; the message lists the known topics.
    """
    names = list(dict.fromkeys(names or []))
    if not names:
        return list(topics.values())
    unknown = [n for n in names if n not in topics]
    if unknown:
        raise TopicsError(f"unknown topic {', '.join(map(repr, unknown))}; known topics: {', '.join(topics)}")
    return [topics[n] for n in names]
