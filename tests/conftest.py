"""Shared fixtures: databases on both backends and access to ../shared/data."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401 - registers tables
from db.engine import make_engine

from support import SHARED_DATA, shared_data  # noqa: F401 - re-exported for fixtures


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Streamlit's AppTest leaves ``sys.modules["__main__"]`` pointing at the page
    script it ran; a later ``spawn`` worker pool would then re-run that (deleted)
    script in every child, and the pool would respawn failing workers forever.
    Put the real ``__main__`` back after every test."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def engine(tmp_path):
    """SQLite engine (a file in tmp_path, so sessions and writers use separate
    connections as in production) with every table created."""
    eng = make_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session (dropped afterwards).

    Needs TEST_DATABASE_URL (``.ci/run`` exports it); skipped with a reason otherwise.
    """
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    from sqlalchemy.engine import make_url

    from db.engine import normalise_url

    admin_url = make_url(normalise_url(base))
    name = f"kt_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    eng = make_engine(url)
    with eng.begin() as conn:
        tables = [r[0] for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
        if tables:
            conn.execute(text("DROP TABLE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A database URL with no tables, once per backend (PostgreSQL skipped without TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
        yield url


@pytest.fixture
def db_engine(db_url):
    """An engine with every table created, once per backend."""
    eng = make_engine(db_url)
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()
