"""``ketamine-tracker digest --since 7d``: new and revised studies as Markdown and HTML.

Writes ``digest.md`` and ``digest.html`` (atomically) into ``--out``; what they
contain and how to publish them: ``docs/feeds.md``. Bad ``--since``/``--until``
or an unknown topic: one line, exit 2, nothing written.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

from db.news import last_harvest
from harvester.topics import load_topics

from ..app import open_database
from ..argtypes import int_in_range
from ..errors import UsageError
from ..outputs.digest import DIGEST_LIMIT, write_digest
from ..outputs.since import LAST_HARVEST, parse_since, parse_until
from ..settings import Settings

DIGEST_DIR_VARIABLE = "KETAMINE_TRACKER_DIGEST_DIR"


def register(sub) -> None:
    p = sub.add_parser("digest", help="write a Markdown and an HTML summary of new and revised studies",
                       description="New, revised and newly retracted studies of a period, randomised trials first, "
                                   "each with design, N, route, efficacy direction and the adverse events reported.")
    p.add_argument("--since", default="7d",
                   help="start of the period: 7d, 24h, 2w (days, hours, weeks ago), an ISO date, "
                        f"or {LAST_HARVEST!r} (the start of the last finished update) (default 7d)")
    p.add_argument("--until", help="end of the period, ISO date or date-time (default: now)")
    p.add_argument("--topic", help="only articles of this topic")
    p.add_argument("--out", "--output-dir", "-o", dest="out", metavar="DIR", default=None,
                   help=f"directory for digest.md and digest.html (env {DIGEST_DIR_VARIABLE}; default: current directory)")
    p.add_argument("--limit", type=int_in_range(1, 10_000), default=DIGEST_LIMIT,
                   help=f"most studies listed per section (default {DIGEST_LIMIT})")
    p.set_defaults(func=run)


def run(args, settings: Settings) -> int:
    now = datetime.now(timezone.utc)
    since = None if args.since.strip().lower() == LAST_HARVEST else parse_since(args.since, now)
    until = parse_until(args.until, now) if args.until else now
    if since is not None and until <= since:
        raise UsageError(f"--until {args.until!r} is not after --since {args.since!r}")
    directory = args.out or os.environ.get(DIGEST_DIR_VARIABLE) or "."
    topic_label = None
    if args.topic is not None:
        topics = load_topics(settings.topics_file)
        if args.topic not in topics:
            raise UsageError(f"unknown topic {args.topic!r}; configured: {', '.join(topics)}")
        topic_label = topics[args.topic].label or args.topic
    engine = open_database(settings, migrate=False, read_only=True)
    try:
        if since is None:
            harvest = last_harvest(engine)
            if harvest is None:
                raise UsageError(f"--since {LAST_HARVEST}: no update has finished yet; give a span such as 7d")
            since = harvest.started
            if until <= since:
                raise UsageError(f"--until {args.until!r} is not after the last harvest ({since:%Y-%m-%d %H:%M} UTC)")
        files = write_digest(engine, directory, since, until=until, topic=args.topic, topic_label=topic_label,
                             limit=args.limit)
    finally:
        engine.dispose()
    c = files.changes
    print(f"digest: {c.new.total} new, {c.revised.total} revised, {c.retracted.total} newly retracted "
          f"-> {files.markdown}, {files.html}", file=sys.stderr)
    return 0
