import json
from datetime import timedelta

import pytest
from sqlmodel import Session

from db.engine import make_engine
from db.harvest_state import finish_run, start_run
from db.migrate import upgrade
from db.models import Article, ArticleTopic, Extraction, ExtractionCondition, HarvestRun, utcnow
from db.records import ArticleRecord
from db.store import upsert_articles
from ketamine_tracker.cli import main
from nlp.extract import EXTRACTOR_VERSION

TOPICS = ("migraine", "pain", "depression")


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    yield db_url, engine
    engine.dispose()


def _runs(engine, status="success", finished_ago=timedelta(hours=1), error=None, topics=TOPICS):
    for topic in topics:
        run_id = start_run(engine, topic, "incremental", None, None)
        with engine.begin() as conn:
            finish_run(conn, run_id, status, error=error, found=5, new=2)
            conn.execute(HarvestRun.__table__.update().where(HarvestRun.__table__.c.id == run_id)
                         .values(finished=utcnow() - finished_ago))


def test_never_harvested_is_unhealthy(db, capsys):
    url, _ = db
    assert main(["--database-url", url, "status"]) == 3
    assert "migraine: never harvested" in capsys.readouterr().out


def test_recent_successes_are_healthy(db, capsys):
    url, engine = db
    _runs(engine)
    assert main(["--database-url", url, "status"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("healthy")


def test_failed_last_run_is_unhealthy_and_shows_the_error(db, capsys):
    url, engine = db
    _runs(engine)
    _runs(engine, status="failed", error="efetch: HTTP 503 after 6 tries", topics=("pain",))
    assert main(["--database-url", url, "status"]) == 3
    out = capsys.readouterr().out
    assert "pain: last run failed: efetch: HTTP 503 after 6 tries" in out


def test_stale_success_is_unhealthy(db, capsys):
    url, engine = db
    _runs(engine, finished_ago=timedelta(hours=50))
    assert main(["--database-url", url, "status", "--max-age-hours", "36"]) == 3
    assert main(["--database-url", url, "status", "--max-age-hours", "72"]) == 0


def test_json_counts_pending_extraction(db, capsys):
    url, engine = db
    _runs(engine)
    upsert_articles(engine, [ArticleRecord(pmid=1, title="a"), ArticleRecord(pmid=2, title="b")])
    capsys.readouterr()
    assert main(["--database-url", url, "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["healthy"] is True
    assert data["articles"]["articles"] == 2
    assert data["articles"]["pending_extraction"] == 2
    assert data["topics"]["pain"]["runs"][0]["new"] == 2


def test_status_on_a_missing_database_is_a_clear_error_and_creates_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["--database-url", url, "status"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_status_on_a_database_without_schema_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty.db").write_bytes(b"")
    assert main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "status"]) == 2
    assert "has no tracker schema" in capsys.readouterr().err


def _articles(engine):
    """Four stored articles and a deleted one: 1 pain+depression (extracted, both conditions), 2 pain
    (retracted, extracted: other), 3 migraine (not extracted yet), 4 migraine (older extractor:
    migraine), 5 pain (deleted)."""
    rows = [  # pmid, topics, extractor version, conditions, retracted, deleted
        (1, ("pain", "depression"), EXTRACTOR_VERSION, ("pain", "depression"), False, False),
        (2, ("pain",), EXTRACTOR_VERSION, ("other",), True, False),
        (3, ("migraine",), None, (), False, False),
        (4, ("migraine",), "0.0-old", ("migraine",), False, False),
        (5, ("pain",), EXTRACTOR_VERSION, ("pain",), False, True),
    ]
    with Session(engine) as session:
        for pmid, topics, version, conditions, retracted, deleted in rows:
            session.add(Article(pmid=pmid, title=f"a{pmid}", needs_extraction=version is None,
                                is_retracted=retracted, is_deleted=deleted))
            session.flush()
            session.add_all(ArticleTopic(pmid=pmid, topic=t) for t in topics)
            if version is not None:
                session.add(Extraction(pmid=pmid, extractor_version=version, conditions=list(conditions)))
                session.flush()
                session.add_all(ExtractionCondition(pmid=pmid, condition=c) for c in conditions)
        session.commit()


def _table(out: str, header: str) -> dict[str, list[str]]:
    """The first text table in ``out`` whose header starts with ``header``: ``{row name: number cells}``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [header])
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip() or line.startswith("("):
            break
        cells = line.split()
        rows[" ".join(c for c in cells if not c.isdigit())] = [c for c in cells if c.isdigit()]
    return rows


def test_status_shows_stored_extracted_pending_and_retracted_per_topic(db, capsys):
    url, engine = db
    _runs(engine)
    _articles(engine)
    assert main(["--database-url", url, "status"]) == 0
    # the runs table starts with "topic" too; the counts table is the second one
    out = capsys.readouterr().out
    counts = out[out.index("\ntopic ", out.index("articles:")) + 1:]
    assert _table(counts, "topic") == {
        "migraine": ["2", "0", "2", "0"],
        "pain": ["2", "2", "0", "1"],
        "depression": ["1", "1", "0", "0"],
    }


def test_status_shows_articles_per_extracted_condition(db, capsys):
    url, engine = db
    _runs(engine)
    _articles(engine)
    assert main(["--database-url", url, "status"]) == 0
    assert _table(capsys.readouterr().out, "condition") == {
        "depression": ["1"], "pain": ["1"], "migraine": ["1"], "other": ["1"], "none yet": ["1"],
    }


def test_status_json_carries_articles_per_topic(db, capsys):
    url, engine = db
    _runs(engine)
    _articles(engine)
    assert main(["--database-url", url, "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles_per_topic"]["migraine"] == {
        "stored": 2, "extracted": 0, "pending_extraction": 2, "retracted": 0,
    }


def test_status_json_carries_articles_per_condition(db, capsys):
    url, engine = db
    _runs(engine)
    _articles(engine)
    assert main(["--database-url", url, "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles_per_condition"] == {
        "depression": 1, "pain": 1, "migraine": 1, "other": 1, "none_yet": 1,
    }


def test_status_of_an_empty_database_lists_every_topic_and_condition_with_zero(db, capsys):
    url, _ = db
    main(["--database-url", url, "status", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert ({t: c["stored"] for t, c in data["articles_per_topic"].items()}, data["articles_per_condition"]) == (
        {"migraine": 0, "pain": 0, "depression": 0},
        {"depression": 0, "pain": 0, "migraine": 0, "other": 0, "none_yet": 0},
    )


def test_status_text_of_an_empty_database_shows_the_counts_tables(db, capsys):
    url, _ = db
    main(["--database-url", url, "status"])
    assert _table(capsys.readouterr().out, "condition")["none yet"] == ["0"]


def test_a_topic_no_longer_configured_is_still_counted(db, capsys):
    url, engine = db
    with Session(engine) as session:
        session.add(Article(pmid=9, title="a9"))
        session.flush()
        session.add(ArticleTopic(pmid=9, topic="retired-topic"))
        session.commit()
    main(["--database-url", url, "status", "--json"])
    assert list(json.loads(capsys.readouterr().out)["articles_per_topic"]) == ["migraine", "pain", "depression", "retired-topic"]
