"""One run at a time: ``with run_lock(engine): ...``.

* PostgreSQL: a session-level ``pg_try_advisory_lock`` on a dedicated
  connection (PostgreSQL documentation, "Advisory Locks", §13.3.5). It works
  across machines and is released by the server when the holder's connection
  dies, so a killed run never leaves a stale lock.
* SQLite file: an OS lock (``filelock``, ``flock``/``LockFileEx``) on
  ``<database>.lock`` next to the database file, symbolic links resolved (a
  link to the database and the file itself are one database, with one lock);
  the OS drops it when the process dies.
* SQLite in memory: a process-local lock.

The lock is re-entrant within one thread (``update`` holds it and calls the
extraction step, which may take it again); other threads and processes are
refused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .engine import redact
from .errors import LockedError

LOCK_NAME = "ketamine-tracker run"

log = logging.getLogger("db.lock")

_held: dict[tuple[str, int], int] = {}  # (lock key, thread id) -> depth
_held_guard = threading.Lock()
_memory_locks: dict[str, threading.Lock] = {}


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock(bigint)``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _lock_key(engine: Engine) -> str:
    """The identity of ``engine``'s database: the real path of a SQLite file, else the URL."""
    path = _database_file(engine)
    if path is not None:
        return f"sqlite:{path}"
    return f"{engine.dialect.name}:{engine.url.render_as_string(hide_password=True)}"


def _database_file(engine: Engine) -> Path | None:
    """The real path of ``engine``'s SQLite database file, symbolic links resolved (``None`` for
    in-memory SQLite and PostgreSQL), so every path to one file names one lock."""
    from .engine import sqlite_path

    if engine.dialect.name != "sqlite":
        return None
    db = engine.url.database or ""
    if db.startswith("file:"):
        db = db[5:].split("?", 1)[0]
    if not db or db == ":memory:":
        return None
    path = sqlite_path(f"sqlite:///{db}")
    return Path(os.path.realpath(path)) if path else None


def lock_path(engine: Engine) -> Path | None:
    """The lock file of a SQLite database file: ``<real path of the database>.lock``.

    Parameters
    ----------
    engine : Engine
        The tracker database.

    Returns
    -------
    Path or None
        ``None`` for in-memory SQLite and PostgreSQL, which do not lock with a file.
    """
    path = _database_file(engine)
    return path.with_name(path.name + ".lock") if path else None


@contextmanager
def run_lock(engine: Engine, name: str = LOCK_NAME) -> Iterator[None]:
    """Hold the run lock of ``engine``'s database for the ``with`` block.

    Raises
    ------
    LockedError
        Another process (or another machine, on PostgreSQL) holds it.
    """
    key = f"{_lock_key(engine)}#{name}"
    mine = (key, threading.get_ident())
    with _held_guard:
        if _held.get(mine):
            _held[mine] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[mine] -= 1
        return

    if engine.dialect.name == "postgresql":
        cm = _pg_lock(engine, name)
    elif lock_path(engine) is not None:
        cm = _file_lock(engine)
    else:
        cm = _memory_lock(key, engine)
    with cm:
        with _held_guard:
            _held[mine] = 1
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(mine, None)


def _busy(where: str, detail: str = "") -> LockedError:
    return LockedError(
        f"another ketamine-tracker run is in progress on {where}{detail}; "
        "it holds the run lock, try again when it has finished"
    )


@contextmanager
def _pg_lock(engine: Engine, name: str) -> Iterator[None]:
    key = _advisory_key(name)
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        conn.execute(select(func.set_config("application_name",
                                            f"ketamine-tracker pid {os.getpid()} on {socket.gethostname()}"[:63], False)))
        got = conn.execute(select(func.pg_try_advisory_lock(key))).scalar()
        if not got:
            raise _busy(redact(str(engine.url)), _pg_holder(conn, key))
        try:
            yield
        finally:
            try:
                conn.execute(select(func.pg_advisory_unlock(key)))
            except SQLAlchemyError as exc:
                # The session died (terminated, failover); the server released its locks with it.
                # Raising here would replace the run's own outcome (or error) with this one.
                log.warning("the run lock's database session ended before the run did (%s); the server has "
                            "released the lock", " ".join(str(getattr(exc, "orig", None) or exc).split())[:200])
    finally:
        conn.close()


def _pg_holder(conn, key: int) -> str:
    """`` (held by '<application_name>' since <time>)`` when pg_stat_activity tells."""
    # A bigint advisory key is stored as classid = high 32 bits, objid = low 32 bits.
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    classid, objid = unsigned >> 32, unsigned & 0xFFFFFFFF
    try:
        row = conn.execute(
            text(
                "SELECT a.application_name, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :c AND l.objid = :o AND l.objsubid = 1"
            ),
            {"c": classid, "o": objid},
        ).first()
    except Exception:  # noqa: BLE001 - the detail is a courtesy
        return ""
    if not row:
        return ""
    return f" (held by {row[0]!r} since {row[1]:%Y-%m-%d %H:%M:%S %Z})"


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    path = lock_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise _busy(str(path).removesuffix(".lock"), f" (lock file {path})") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _memory_lock(key: str, engine: Engine) -> Iterator[None]:
    with _held_guard:
        lock = _memory_locks.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        raise _busy(redact(str(engine.url)), " (in-memory database, same process)")
    try:
        yield
    finally:
        lock.release()
