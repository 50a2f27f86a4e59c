"""``ketamine-tracker feeds --out DIR``: write the Atom feeds from the database, without harvesting.

``update --feeds-dir DIR`` writes the same files after every nightly run; this
command regenerates them on their own (after changing ``--base-url``, or for a
database filled by ``demo`` or ``ingest``). Publishing: ``docs/feeds.md``.
"""

from __future__ import annotations

import os
import sys

from harvester.topics import load_topics

from ..app import open_database
from ..argtypes import int_in_range
from ..outputs.feeds import FEED_ENTRIES, write_feeds
from ..settings import Settings

FEEDS_DIR_VARIABLE = "KETAMINE_TRACKER_FEEDS_DIR"
FEEDS_URL_VARIABLE = "KETAMINE_TRACKER_FEEDS_URL"


def register(sub) -> None:
    p = sub.add_parser("feeds", help="write the Atom feeds (all.atom and one per topic) from the database",
                       description="Atom feeds of the articles most recently stored or revised, one for every "
                                   "article and one per configured topic, each entry with design, N, route, "
                                   "efficacy direction and the adverse events reported.")
    p.add_argument("--out", "--output-dir", "-o", dest="out", metavar="DIR", default=None,
                   help=f"directory for the .atom files (env {FEEDS_DIR_VARIABLE}; default: current directory)")
    p.add_argument("--base-url", metavar="URL", default=None,
                   help=f"public URL the directory is served at, for the feeds' self links (env {FEEDS_URL_VARIABLE})")
    p.add_argument("--entries", type=int_in_range(1, 10_000), default=FEED_ENTRIES,
                   help=f"entries per feed (default {FEED_ENTRIES})")
    p.set_defaults(func=run)


def run(args, settings: Settings) -> int:
    directory = args.out or os.environ.get(FEEDS_DIR_VARIABLE) or "."
    base_url = args.base_url or os.environ.get(FEEDS_URL_VARIABLE) or None
    topics = {t.name: t.label for t in load_topics(settings.topics_file).values()}
    engine = open_database(settings, migrate=False, read_only=True)
    try:
        written = write_feeds(engine, directory, topics, base_url=base_url, entries=args.entries)
    finally:
        engine.dispose()
    for feed in written:
        print(f"{feed.path}  {feed.entries} entries{'' if feed.changed else ' (unchanged)'}", file=sys.stderr)
    return 0
