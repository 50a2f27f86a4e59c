"""Shared start-up for commands: open the database, migrate it, translate errors."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from db.engine import DatabaseConfigError, make_engine, redact
from db.migrate import current_revision, ensure_schema

from .errors import TrackerError, UsageError
from .settings import Settings

log = logging.getLogger("ketamine_tracker")


def open_database(
    settings: Settings, *, migrate: bool = True, read_only: bool = False, check_schema: bool = True
) -> Engine:
    """Engine for the configured database, schema brought to head if ``migrate``
    (otherwise, with ``check_schema``, a database without schema is an error).

    Raises
    ------
    UsageError
        The URL is malformed or names an unsupported backend.
    TrackerError
        The database cannot be reached or migrated.
    """
    try:
        engine = make_engine(settings.database_url, read_only=read_only)
    except DatabaseConfigError as exc:
        raise UsageError(str(exc)) from exc
    except (ImportError, SQLAlchemyError) as exc:
        raise UsageError(f"cannot use DATABASE_URL {redact(settings.database_url)!r}: {exc}") from exc
    try:
        with engine.connect():
            pass
        if migrate:
            if ensure_schema(engine):
                log.info("database schema created/upgraded at %s", redact(str(engine.url)))
        elif check_schema and current_revision(engine) is None:
            raise UsageError(
                f"database {redact(str(engine.url))} has no tracker schema; run `ketamine-tracker update` or `ketamine-tracker db upgrade`"
            )
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise TrackerError(f"cannot open database {redact(str(engine.url))}: {reason}") from exc
    return engine
