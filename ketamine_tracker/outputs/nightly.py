"""The outputs of the nightly ``update``: feeds and digest, when asked for.

| flag | variable | meaning |
|---|---|---|
| ``--feeds-dir DIR`` | ``KETAMINE_TRACKER_FEEDS_DIR`` | write ``all.atom`` and ``<topic>.atom`` here |
| ``--feeds-url URL`` | ``KETAMINE_TRACKER_FEEDS_URL`` | public URL of that directory (feeds' self links) |
| ``--digest-dir DIR`` | ``KETAMINE_TRACKER_DIGEST_DIR`` | write ``digest.md`` and ``digest.html`` here |
| ``--digest-since SPAN`` | ``KETAMINE_TRACKER_DIGEST_SINCE`` | the digest's window (default ``7d``; ``last-harvest``: what this update stored) |

A flag wins over its variable; with neither, nothing is written. The values
are checked before the update starts (a bad one: exit 2, nothing done); the
files are written after extraction, from what the database then holds.
"""

from __future__ import annotations

import argparse
import logging
import os
from datetime import datetime, timezone
from typing import Mapping, Optional

from sqlalchemy.engine import Engine

from db.news import last_harvest

from .digest import write_digest
from .feeds import write_feeds
from .since import LAST_HARVEST, parse_since

log = logging.getLogger("ketamine_tracker.outputs")

DEFAULT_DIGEST_SINCE = "7d"


def add_output_options(p: argparse.ArgumentParser) -> None:
    """Add the feed and digest options of ``update`` to its parser.

    Parameters
    ----------
    p : argparse.ArgumentParser
    """
    g = p.add_argument_group("feeds and digest (docs/feeds.md)")
    g.add_argument("--feeds-dir", metavar="DIR", help="write Atom feeds here (env KETAMINE_TRACKER_FEEDS_DIR)")
    g.add_argument("--feeds-url", metavar="URL",
                   help="public URL the feeds directory is served at, for self links (env KETAMINE_TRACKER_FEEDS_URL)")
    g.add_argument("--digest-dir", metavar="DIR",
                   help="write digest.md and digest.html here (env KETAMINE_TRACKER_DIGEST_DIR)")
    g.add_argument("--digest-since", metavar="SPAN",
                   help=f"the digest's window: 7d, 24h, 2w, an ISO date or {LAST_HARVEST} (what this update stored) "
                        f"(env KETAMINE_TRACKER_DIGEST_SINCE; default {DEFAULT_DIGEST_SINCE})")


def _pick(flag: Optional[str], variable: str, env: Mapping[str, str]) -> Optional[str]:
    return flag or env.get(variable) or None


def output_plan(args: argparse.Namespace, env: Mapping[str, str] | None = None, now: datetime | None = None) -> dict:
    """The outputs asked for by flags and environment, validated before any work is done.

    Parameters
    ----------
    args : argparse.Namespace
        With the attributes of :func:`add_output_options`.
    env : mapping, optional
        Environment (default ``os.environ``).
    now : datetime, optional
        Current time (default: now, UTC).

    Returns
    -------
    dict
        ``feeds_dir``, ``feeds_url``, ``digest_dir`` (None when not asked for)
        and ``digest_since`` (a UTC datetime, :data:`LAST_HARVEST`, or None
        without a digest).

    Raises
    ------
    UsageError
        The digest window is not a valid ``--since`` value.
    """
    env = os.environ if env is None else env
    now = now or datetime.now(timezone.utc)
    digest_dir = _pick(getattr(args, "digest_dir", None), "KETAMINE_TRACKER_DIGEST_DIR", env)
    since_text = _pick(getattr(args, "digest_since", None), "KETAMINE_TRACKER_DIGEST_SINCE", env) or DEFAULT_DIGEST_SINCE
    return {
        "feeds_dir": _pick(getattr(args, "feeds_dir", None), "KETAMINE_TRACKER_FEEDS_DIR", env),
        "feeds_url": _pick(getattr(args, "feeds_url", None), "KETAMINE_TRACKER_FEEDS_URL", env),
        "digest_dir": digest_dir,
        "digest_since": _since(since_text, now) if digest_dir else None,
    }


def _since(text: str, now: datetime) -> datetime | str:
    return LAST_HARVEST if text.strip().lower() == LAST_HARVEST else parse_since(text, now)


def write_outputs(engine: Engine, plan: dict, topics: Mapping[str, str]) -> None:
    """Write what ``plan`` (from :func:`output_plan`) asks for.

    Parameters
    ----------
    engine : Engine
        The database.
    plan : dict
        From :func:`output_plan`.
    topics : mapping of str to str
        Topic name -> label, for the per-topic feeds.

    Raises
    ------
    TrackerError
        A file cannot be written.
    """
    if plan["feeds_dir"]:
        written = write_feeds(engine, plan["feeds_dir"], topics, base_url=plan["feeds_url"])
        changed = sum(f.changed for f in written)
        log.info("feeds: %d written to %s (%d changed)", len(written), plan["feeds_dir"], changed)
    if plan["digest_dir"]:
        since = plan["digest_since"]
        if since == LAST_HARVEST:
            harvest = last_harvest(engine)
            if harvest is None:
                log.warning("digest not written: no update has finished with a topic harvested")
                return
            since = harvest.started
        files = write_digest(engine, plan["digest_dir"], since)
        c = files.changes
        log.info("digest: %d new, %d revised, %d newly retracted -> %s, %s",
                 c.new.total, c.revised.total, c.retracted.total, files.markdown, files.html)
