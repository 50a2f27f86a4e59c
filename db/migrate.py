"""Alembic migrations, run programmatically (``ketamine-tracker db upgrade``).

The migration scripts live in ``db/migrations`` inside the package, so an
installed tracker can upgrade any database without an ``alembic.ini`` on disk.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The latest revision of the migration scripts (read once: the dashboard asks on every page run)."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the schema; returns (revision before, revision after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), revision)
    return before, current_revision(engine) or ""


def ensure_schema(engine: Engine) -> bool:
    """Upgrade to head if the database is not at head. Returns True if it migrated."""
    if current_revision(engine) == head_revision():
        return False
    upgrade(engine)
    return True
