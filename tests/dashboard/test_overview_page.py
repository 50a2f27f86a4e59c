"""Overview page: "since the last harvest" means the last job that finished; new, revised and newly
retracted apart; the failure banner only for that job; study counts as trials and participants."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, update
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES
from db import models as m
from db.engine import make_engine
from support.synthetic_db import ArticleSpec, write_specs

TIMEOUT = 120
TOPICS = ("migraine", "pain", "depression")
#: the last harvest job started an hour before this (an earlier failed attempt an hour before that,
#: the backfill 8 hours before: the old 12-hour grouping took all three for one harvest)
LAST = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)


def spec(pmid: int, seen: datetime, **kw) -> ArticleSpec:
    kw.setdefault("conditions", ["depression"])
    kw.setdefault("topics", ["depression"])
    return ArticleSpec(pmid=pmid, design="rct", routes=["intravenous"], sample_size=10 * pmid,
                       efficacy_direction="positive", first_seen=seen, **kw)


def job(start: datetime, statuses: dict[str, str], new: int = 0) -> list[dict]:
    """The harvest_run rows of one update job: its topics back to back, five minutes each."""
    rows = []
    for i, (topic, status) in enumerate(statuses.items()):
        started = start + timedelta(minutes=5 * i)
        rows.append(dict(topic=topic, kind="incremental", started=started, finished=started + timedelta(minutes=5),
                         status=status, new=new if i == 0 else 0,
                         error="EutilsError: connection refused" if status == "failed" else None))
    return rows


def seed(url: str, last_job_fails: bool = False) -> None:
    backfill = LAST - timedelta(hours=8)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    old = [spec(p, backfill + timedelta(minutes=1)) for p in (1, 2, 3, 4, 5)]
    old[0].nct_ids = old[1].nct_ids = ["NCT01234567"]  # articles 1 and 2 report one trial
    old[4].conditions = ["migraine"]
    new = [spec(p, LAST + timedelta(minutes=2)) for p in (6, 7)]
    waiting = spec(8, LAST + timedelta(minutes=2), extracted=False, topics=["pain"])  # in no pyramid tier
    write_specs(engine, old + new + [waiting])
    art = m.Article.__table__
    with engine.begin() as conn:
        conn.execute(update(art).where(art.c.pmid == 3).values(updated=LAST + timedelta(minutes=3)))
        conn.execute(update(art).where(art.c.pmid == 4).values(updated=LAST + timedelta(minutes=3), is_retracted=True))
        runs = (job(backfill, dict.fromkeys(TOPICS, "success"), new=5)
                + job(LAST - timedelta(hours=1), {"migraine": "success", "pain": "failed"})
                + job(LAST, {"migraine": "success", "pain": "failed" if last_job_fails else "success", "depression": "success"}, new=2))
        conn.execute(insert(m.HarvestRun.__table__), runs)
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Two seeds here differ only in a run's status, which the caches' data version does not see."""
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture
def seeded(db_url):
    seed(db_url)
    return db_url


def overview(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    return at


def metric(at: AppTest, label: str) -> int:
    return int(next(x.value for x in at.metric if x.label == label).replace(",", ""))


def table(at: AppTest, *columns: str):
    """The first data frame shown with all these columns (non-interactive frames have no key)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def tab_table(at: AppTest, label: str):
    """The data frame in the tab whose label starts with ``label``."""
    return next(t for t in at.tabs if t.label.startswith(label)).dataframe[0].value


def html(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def test_new_since_last_harvest_counts_the_last_finished_job_only(seeded, monkeypatch):
    assert metric(overview(seeded, monkeypatch), "New since last harvest") == 3


def test_revised_since_last_harvest_is_counted_apart(seeded, monkeypatch):
    assert metric(overview(seeded, monkeypatch), "Revised since last harvest") == 1


def test_newly_retracted_since_last_harvest_is_counted_apart(seeded, monkeypatch):
    assert metric(overview(seeded, monkeypatch), "Newly retracted since last harvest") == 1


def test_failed_earlier_attempt_shows_no_failure_banner(seeded, monkeypatch):
    at = overview(seeded, monkeypatch)
    assert not any("had failures" in w.value for w in at.warning)


def test_failure_of_the_last_job_is_shown_with_its_topic(db_url, monkeypatch):
    seed(db_url, last_job_fails=True)
    at = overview(db_url, monkeypatch)
    assert any("had failures" in w.value and "pain" in w.value for w in at.warning)


def test_revised_list_shows_the_revised_article(seeded, monkeypatch):
    at = overview(seeded, monkeypatch)
    assert tab_table(at, "Revised")["article"].tolist() == ["./article?pmid=3"]


def test_retracted_count_links_to_the_explorer_showing_retracted_rows(seeded, monkeypatch):
    assert 'href="./explorer?retracted=1"' in html(overview(seeded, monkeypatch))


def test_article_total_is_also_given_as_trials_and_participants(seeded, monkeypatch):
    at = overview(seeded, monkeypatch)
    # 8 articles, 1 and 2 one trial: 7 trials; participants 20 (largest of 10, 20) + 30 + 40 + 50 + 60 + 70 (8: not extracted)
    assert any(x.value == "7 trials, 270 participants" for x in at.caption)


def test_topic_table_counts_trials_once(seeded, monkeypatch):
    topics = table(overview(seeded, monkeypatch), "topic", "trials").set_index("topic")
    assert topics.loc["depression", ["articles", "trials", "participants"]].tolist() == [7, 6, 270]


def test_condition_table_counts_participants_per_condition(seeded, monkeypatch):
    conds = table(overview(seeded, monkeypatch), "condition", "trials").set_index("condition")
    assert conds.loc["migraine", ["trials", "participants"]].tolist() == [1, 50]


def test_pyramid_counts_rct_trials_once(seeded, monkeypatch):
    pyr = table(overview(seeded, monkeypatch), "level", "trials").set_index("level")
    assert pyr.loc["Randomised controlled trials", ["articles", "trials"]].tolist() == [7, 6]


def test_pyramid_leaves_articles_not_extracted_out_of_every_tier(seeded, monkeypatch):
    pyr = table(overview(seeded, monkeypatch), "level", "trials").set_index("level")
    assert pyr.loc["Other / unclassified", ["articles", "trials"]].tolist() == [0, 0]


def test_pyramid_condition_round_trips_through_the_url(seeded, monkeypatch):
    at = overview(seeded, monkeypatch)
    at.selectbox(key="pyramid_condition").set_value("migraine").run()
    monkeypatch.setenv("DATABASE_URL", seeded)
    again = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=TIMEOUT)
    again.query_params.update(at.query_params)
    again.run()
    pyr = table(again, "level", "trials").set_index("level")
    assert pyr.loc["Randomised controlled trials", ["articles", "trials"]].tolist() == [1, 1]
