"""SQLite connection settings of db.engine.make_engine."""

import sqlite3

from db.config import DEFAULT_DATABASE_URL, database_url_from_env
from db.engine import SQLITE_PAGE_SIZE, SQLITE_WRITER_CACHE_KIB, make_engine


def _pragma(eng, name):
    with eng.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_writing_engine_uses_wal_and_a_large_page_cache(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        assert _pragma(eng, "journal_mode") == "wal"
        assert _pragma(eng, "cache_size") == -SQLITE_WRITER_CACHE_KIB
    finally:
        eng.dispose()


def test_read_only_engine_keeps_the_default_page_cache(tmp_path):
    path = tmp_path / "r.db"
    writer = make_engine(f"sqlite:///{path}")
    with writer.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
    writer.dispose()
    eng = make_engine(f"sqlite:///{path}", read_only=True)
    try:
        assert _pragma(eng, "cache_size") != -SQLITE_WRITER_CACHE_KIB
    finally:
        eng.dispose()


def test_a_new_database_file_gets_large_pages(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    try:
        assert _pragma(eng, "page_size") == SQLITE_PAGE_SIZE
    finally:
        eng.dispose()


def test_an_existing_database_keeps_its_page_size(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute("PRAGMA page_size = 4096")
    old.execute("CREATE TABLE t (x)")
    old.execute("INSERT INTO t VALUES (1)")
    old.commit()
    old.close()
    eng = make_engine(f"sqlite:///{path}")
    try:
        assert _pragma(eng, "page_size") == 4096
        assert _pragma(eng, "journal_mode") == "wal"
        with eng.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    finally:
        eng.dispose()


def test_database_url_comes_from_the_environment():
    assert database_url_from_env({"DATABASE_URL": "postgresql://u@h/d"}) == "postgresql://u@h/d"


def test_database_url_defaults_to_the_sqlite_file():
    assert database_url_from_env({}) == DEFAULT_DATABASE_URL


def test_blank_database_url_means_the_default():
    assert database_url_from_env({"DATABASE_URL": "  "}) == DEFAULT_DATABASE_URL
