"""SQLite connection settings of db.engine.make_engine."""

from db.engine import SQLITE_WRITER_CACHE_KIB, make_engine


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
