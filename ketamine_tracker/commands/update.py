"""``ketamine-tracker update``: the nightly job — migrate, harvest every topic, extract.

Holds the run lock for the whole job. Exit 0 only when every topic was
harvested and extraction succeeded.
"""

from __future__ import annotations

import importlib
import logging

from harvester.topics import load_topics, select_topics

from ..errors import TrackerError
from ..settings import Settings
from .harvest import add_harvest_options, harvest_topics, locked_database, options_from_args

log = logging.getLogger("ketamine_tracker.update")


def register(sub) -> None:
    p = sub.add_parser("update", help="nightly job: create/upgrade the database, harvest every topic, extract facts")
    add_harvest_options(p)
    p.set_defaults(func=run)


def _extract_step():
    """``ketamine_tracker.commands.extract.run_extract`` or ``None`` when it is not built yet."""
    try:
        module = importlib.import_module("ketamine_tracker.commands.extract")
    except ModuleNotFoundError as exc:
        if exc.name == "ketamine_tracker.commands.extract":
            return None
        raise
    return getattr(module, "run_extract", None)


def run(args, settings: Settings) -> int:
    topics = select_topics(load_topics(settings.topics_file), None)
    failure: TrackerError | None = None
    with locked_database(settings) as engine:  # the schema is created/upgraded under the lock
        try:
            harvest_topics(engine, settings, topics, options_from_args(args))
        except TrackerError as exc:
            if exc.exit_code != 1:
                raise
            failure = exc  # still extract what was stored
        extract = _extract_step()
        if extract is None:
            log.warning("extraction step skipped: ketamine_tracker.commands.extract.run_extract does not exist yet")
        else:
            log.info("extracting study facts")
            outcome = extract(engine, settings)
            if isinstance(outcome, int) and not isinstance(outcome, bool) and outcome != 0:
                raise TrackerError(f"extraction failed (exit code {outcome})")
            if isinstance(outcome, dict) and outcome.get("failed"):
                log.warning("extraction: %s article(s) could not be extracted; see the log above", outcome["failed"])
    if failure is not None:
        raise failure
    return 0
