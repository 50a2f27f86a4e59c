"""Engines for SQLite (default, embedded) and PostgreSQL (team deployment).

SQLite gets WAL journalling (readers never block the nightly writer), a busy
timeout and enforced foreign keys on every connection. PostgreSQL URLs are
routed to psycopg 3. ``read_only=True`` gives the dashboard and ``status`` a
connection that cannot write: SQLite opens the file with ``mode=ro`` (and
``immutable=1`` in a directory nobody can write, see :func:`_unchangeable`);
PostgreSQL sessions start with ``default_transaction_read_only``.
"""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool
from sqlmodel import create_engine

from .errors import DatabaseConfigError

__all__ = ["DEFAULT_DATABASE_URL", "DatabaseConfigError", "is_sqlite", "make_engine", "normalise_url", "redact",
           "sqlite_path"]

DEFAULT_DATABASE_URL = "sqlite:///data/tracker.db"
SQLITE_WRITER_CACHE_KIB = 64 * 1024  # page cache of a writing connection
SQLITE_PAGE_SIZE = 16384  # bytes per page of a new database file (SQLite's default is 4096)
SQLITE_BUSY_TIMEOUT_MS = 30_000


def connection(target: Engine | Connection):
    """A connection of ``target`` as a context manager: a new one of an engine; a caller's
    connection is passed through and left open."""
    return target.connect() if isinstance(target, Engine) else nullcontext(target)


def transaction(target: Engine | Connection):
    """A transaction of ``target`` as a context manager: a new one (committed at the end) on an
    engine; on a connection, the caller's, which the caller commits."""
    return target.begin() if isinstance(target, Engine) else nullcontext(target)


def json_dumps(value) -> str:
    """Serialise a JSON column's value: :func:`json.dumps`, with an empty list written as ``"[]"`` directly.

    Empty lists are about half the JSON cells an ingest writes (no MeSH
    qualifiers, keywords, NCT ids or comments); the text is the same as
    ``json.dumps([])`` without the encoder set-up of each call.

    Parameters
    ----------
    value : object
        A JSON-serialisable value.

    Returns
    -------
    str
    """
    if not value and type(value) is list:
        return "[]"
    return json.dumps(value)


def normalise_url(url: str | None) -> str:
    """Return a SQLAlchemy URL with the psycopg 3 driver for PostgreSQL.

    Raises
    ------
    DatabaseConfigError
        If ``url`` is not a sqlite or postgresql URL.
    """
    url = (url or DEFAULT_DATABASE_URL).strip()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseConfigError(
            f"DATABASE_URL {redact(url)!r} is not a database URL "
            "(expected sqlite:///path/to/file.db or postgresql://user@host/dbname)"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return url
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    raise DatabaseConfigError(
        f"DATABASE_URL {redact(url)!r} uses backend {backend!r}; only sqlite and postgresql are supported"
    )


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (for logs and errors)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unparsable: show nothing secret
        return url.split("@")[-1] if "@" in url else url


def is_sqlite(url_or_engine) -> bool:
    name = url_or_engine.dialect.name if isinstance(url_or_engine, Engine) else make_url(normalise_url(url_or_engine)).get_backend_name()
    return name == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for in-memory)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file::memory:"):
        return None
    if db.startswith("file:"):
        db = db[5:].split("?", 1)[0]
    return Path(db)


def make_engine(url: str | None = None, *, read_only: bool = False, echo: bool = False) -> Engine:
    """Create an engine for ``url`` (default: ``DATABASE_URL`` or ``sqlite:///data/tracker.db``).

    Parameters
    ----------
    url:
        SQLAlchemy URL; ``postgresql://`` is routed to psycopg 3.
    read_only:
        Open a connection that refuses writes (used by the dashboard).

    Returns
    -------
    Engine
    """
    url = normalise_url(url if url is not None else os.environ.get("DATABASE_URL"))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
        if path is None:
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
        elif read_only:
            if not path.exists():
                raise DatabaseConfigError(f"database file {path} does not exist; run `ketamine-tracker update` first")
            url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
            if _unchangeable(path):
                url += "&immutable=1"
            kwargs["poolclass"] = NullPool
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, json_serializer=json_dumps, **kwargs)
        _install_sqlite_pragmas(engine, wal=path is not None and not read_only)
        if path is not None and not read_only:
            _refuse_commits_to_a_vanished_file(engine, path.resolve())
        return engine
    connect_args = {"connect_timeout": 10}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args, json_serializer=json_dumps)


def _unchangeable(path: Path) -> bool:
    """True when nobody can be writing the SQLite database ``path`` and SQLite could not open it read-only
    otherwise: its directory refuses us new files and it has no ``-wal`` file.

    Reading a WAL-mode database needs its ``-shm`` index, which SQLite creates
    next to the file; in a directory we cannot write (a read-only mount, a
    shared copy) opening it fails with "attempt to write a readonly database"
    (SQLite documentation, "Write-Ahead Logging", §8 "Read-Only Databases").
    A writer needs a ``-wal`` or ``-journal`` file next to the database too, so
    without a ``-wal`` file in such a directory the file cannot change, and
    SQLite's ``immutable=1`` (no locks, no ``-shm``) reads it safely.

    Parameters
    ----------
    path : Path
        The database file.

    Returns
    -------
    bool
    """
    wal = path.with_name(path.name + "-wal")
    return not os.access(path.resolve().parent, os.W_OK) and not wal.exists()


def _refuse_commits_to_a_vanished_file(engine: Engine, path: Path) -> None:
    """Fail a commit when the database file was removed or moved under us.

    SQLite keeps writing through its open descriptors to an unlinked file (in
    WAL mode without complaint), so a run would "succeed" into a file nobody can
    open again. Checking the path before each commit turns that into an
    OperationalError: the batch is rolled back and the run fails clearly.
    """

    @event.listens_for(engine, "commit")
    def _on_commit(conn):  # pragma: no cover - exercised by tests/ops
        if not path.exists():
            import sqlite3

            from sqlalchemy.exc import OperationalError

            raise OperationalError(
                "COMMIT", None, sqlite3.OperationalError(f"database file {path} was removed or moved during the run")
            )


def _install_sqlite_pragmas(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every sqlite test
        # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN is off, so
        # the BEGIN below covers reads too and a batch is one real transaction).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if wal:
            # Only a new, empty file takes a page size, and only before WAL mode
            # is entered (SQLite documentation, "PRAGMA page_size"); an existing
            # database keeps its own. An article row (4-12 KB with its abstract)
            # overflows a 4 KB page into a chain of overflow pages. With 16 KB
            # pages a 20,000-article ingest's writes took 15-25% less CPU, the
            # file was ~10% smaller and the dashboard's queries no slower
            # (bench/ingest.py, bench/dashboard.py); 64 KB pages saved little
            # more and make an empty database 3 MB instead of 0.8 MB.
            cur.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            # A batch bigger than the page cache (default 2 MB) spills dirty pages
            # mid-transaction (SQLite documentation, "PRAGMA cache_size"); 64 MB,
            # allocated only as pages are used, made a 20,000-article ingest's
            # writes 10-25% cheaper.
            cur.execute(f"PRAGMA cache_size = -{SQLITE_WRITER_CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        conn.exec_driver_sql("BEGIN")
