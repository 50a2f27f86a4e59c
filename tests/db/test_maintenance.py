"""db.maintenance: the planner statistics the dashboard's query plans depend on (both backends)."""

from sqlalchemy import text

from db.maintenance import refresh_statistics
from db.records import ArticleRecord
from db.store import upsert_articles


def test_refresh_statistics_stores_sqlite_planner_statistics(engine):
    upsert_articles(engine, [ArticleRecord(pmid=p, title="Ketamine", abstract="x") for p in range(1, 30)])
    refresh_statistics(engine)
    with engine.connect() as conn:
        tables = {row[0] for row in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}
    assert "article" in tables


def test_refresh_statistics_analyses_the_article_table_on_every_backend(db_engine):
    upsert_articles(db_engine, [ArticleRecord(pmid=7, title="Ketamine", abstract="x")])
    refresh_statistics(db_engine)
    query = ("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'article'" if db_engine.dialect.name == "sqlite" else
             "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'article' AND last_analyze IS NOT NULL")
    with db_engine.connect() as conn:
        assert conn.execute(text(query)).scalar_one() >= 1


def test_group_trials_stores_the_trial_of_reports_naming_one_registration(db_engine):
    from db.maintenance import group_trials
    from db.trials import trial_index

    upsert_articles(db_engine, [ArticleRecord(pmid=p, title="Ketamine", abstract=f"Report {p} of NCT01234567.") for p in (1, 2)])
    group_trials(db_engine)
    assert trial_index(db_engine) == {1: "NCT01234567", 2: "NCT01234567"}
