"""``ketamine-tracker db upgrade|current``: schema migrations."""

from __future__ import annotations

from db.engine import redact
from db.migrate import current_revision, head_revision, upgrade

from ..app import open_database


def register(sub) -> None:
    p = sub.add_parser("db", help="database schema migrations (Alembic)")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dbsub.add_parser("upgrade", help="create or upgrade the schema to the latest revision").set_defaults(func=_upgrade)
    dbsub.add_parser("current", help="print the schema revision of the database").set_defaults(func=_current)


def _upgrade(args, settings) -> int:
    engine = open_database(settings, migrate=False, check_schema=False)
    before, after = upgrade(engine)
    print(f"{redact(str(engine.url))}: schema {before or 'empty'} -> {after}")
    return 0


def _current(args, settings) -> int:
    engine = open_database(settings, migrate=False, check_schema=False)
    print(f"{current_revision(engine) or 'empty'} (head {head_revision()})")
    return 0
