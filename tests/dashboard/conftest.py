"""Fixtures of the dashboard tests: synthetic databases (populated, empty,
without schema, missing) written by tests/support/synthetic_db.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dashboard_support

from db.engine import make_engine  # noqa: E402

from dashboard_support import build_database, reset_postgres  # noqa: E402


@pytest.fixture(scope="session")
def populated(tmp_path_factory):
    """(url, specs) of a SQLite file with 240 synthetic + 3 hand-made articles."""
    path = tmp_path_factory.mktemp("dash") / "populated.db"
    url = f"sqlite:///{path}"
    return url, build_database(url)


@pytest.fixture(scope="session")
def empty_url(tmp_path_factory):
    """A SQLite file with the schema but no article."""
    path = tmp_path_factory.mktemp("dash_empty") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def no_schema_url(tmp_path_factory):
    """A SQLite file without tables."""
    path = tmp_path_factory.mktemp("dash_noschema") / "bare.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect():
        pass
    engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def missing_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('dash_missing') / 'absent.db'}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend_db(request, tmp_path_factory):
    """(url, specs) of 120 synthetic + the hand-made articles, once per backend and test module
    (PostgreSQL skipped without TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('backend') / 'backend.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
    return url, build_database(url, n=120, seed=5)
