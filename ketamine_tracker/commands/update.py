"""``ketamine-tracker update``: the nightly job — migrate, harvest every topic, extract,
then write the Atom feeds and the digest when asked to (``--feeds-dir``, ``--digest-dir``).

Holds the run lock for the whole job. Exit 0 only when every topic was
harvested and extraction succeeded.
"""

from __future__ import annotations

import logging

from harvester.topics import load_topics, select_topics

from ..errors import HarvestFailed, TrackerError
from ..outputs.nightly import add_output_options, output_plan, write_outputs
from ..settings import Settings
from .extract import run_extract
from .harvest import add_harvest_options, harvest_topics, locked_database, options_from_args

log = logging.getLogger("ketamine_tracker.update")


def register(sub) -> None:
    p = sub.add_parser("update", help="nightly job: create/upgrade the database, harvest every topic, extract facts")
    add_harvest_options(p)
    add_output_options(p)
    p.set_defaults(func=run)


def run(args, settings: Settings) -> int:
    topics = select_topics(load_topics(settings.topics_file), None)
    outputs = output_plan(args)  # a bad digest window stops the job before it starts
    failure: TrackerError | None = None
    with locked_database(settings) as engine:  # the schema is created/upgraded under the lock
        try:
            harvest_topics(engine, settings, topics, options_from_args(args))
        except TrackerError as exc:
            if exc.exit_code != 1:
                raise
            if isinstance(exc, HarvestFailed) and exc.every_topic:  # nothing new to extract (typically: no network)
                log.warning("extraction skipped: no topic could be harvested")
                raise
            failure = exc  # still extract what was stored
        log.info("extracting study facts")
        outcome = run_extract(engine, settings)
        if outcome["failed"]:
            log.warning("extraction: %s article(s) could not be extracted; see the log above", outcome["failed"])
        write_outputs(engine, outputs, {t.name: t.label for t in topics})
    if failure is not None:
        raise failure
    return 0
