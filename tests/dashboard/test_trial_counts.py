"""dashboard.trial_counts: "k trials, n participants" per group, counted in memory from the stored trial keys."""

from __future__ import annotations

import random
from typing import Optional

import pytest
from sqlmodel import Session

from dashboard.trial_counts import count_by, count_trials, study_frame, topic_frame
from db.models import Article, Extraction
from db.queries import study_rows, topic_rows
from db.trials import summarise, trial_index

from support import add_study as add
from support import commit_as_the_nightly_job as stored


@pytest.fixture
def db(db_engine):
    """A session on an empty database, once per backend."""
    with Session(db_engine) as s:
        yield s


def grouped(session: Session, by, **kwargs) -> dict:
    """:func:`count_by` over what ``session`` stored, after the nightly job's trial keys."""
    stored(session)
    engine = session.get_bind()
    return count_by(study_frame(study_rows(engine)), by, topics=topic_frame(topic_rows(engine)), **kwargs)


def tag(session: Session, pmid: int, *, topic: str | None = None, condition: str | None = None) -> None:
    from db.models import ArticleTopic, ExtractionCondition

    if topic:
        session.add(ArticleTopic(pmid=pmid, topic=topic))
    if condition:
        session.add(ExtractionCondition(pmid=pmid, condition=condition))


def test_trials_per_topic_count_reports_of_one_trial_once(db):
    add(db, 1, "NCT01234567", n=100)
    add(db, 2, "Secondary analysis of NCT01234567", n=40)
    db.flush()
    tag(db, 1, topic="depression")
    tag(db, 2, topic="depression")
    stored(db)
    got = grouped(db, "topic")["depression"]
    assert (got.trials, got.participants) == (1, 100)


def test_trials_per_condition_only_count_that_condition(db):
    add(db, 1, n=10)
    add(db, 2, n=20)
    db.flush()
    tag(db, 1, condition="migraine")
    tag(db, 2, condition="pain")
    stored(db)
    assert grouped(db, "condition")["migraine"].participants == 10


def test_trials_per_design_group_count_a_trial_of_two_designs_once(db):
    add(db, 1, "NCT01234567", n=100)
    db.add(Article(pmid=2, title="t", abstract="Extension of NCT01234567"))
    db.add(Extraction(pmid=2, extractor_version="t", design="crossover_rct", sample_size=80))
    stored(db)
    got = grouped(db, "design", design_groups={"rct": "rct", "crossover_rct": "rct"})
    assert got["rct"].trials == 1


def test_trials_restricted_to_conditions(db):
    add(db, 1, n=10)
    add(db, 2, n=20)
    db.flush()
    tag(db, 1, condition="migraine")
    stored(db)
    assert grouped(db, "all", conditions=["migraine"])["all"].participants == 10


def test_trials_by_an_unknown_grouping_is_refused(db):
    with pytest.raises(ValueError, match="cannot group trials by 'journal'"):
        grouped(db, "journal")


def test_trials_per_direction_of_the_selected_designs(db):
    add(db, 1, n=10)
    db.add(Article(pmid=2, title="t", abstract=""))
    db.add(Extraction(pmid=2, extractor_version="t", design="case_report", sample_size=1, efficacy_direction="positive"))
    db.flush()
    db.get(Extraction, 1).efficacy_direction = "positive"
    stored(db)
    assert grouped(db, "direction", designs=["rct"])["positive"].trials == 1


def test_trials_by_two_groupings_count_each_pair(db):
    add(db, 1, "NCT01234567", n=100)
    add(db, 2, "Secondary analysis of NCT01234567", n=40)
    add(db, 3, n=30)
    db.flush()
    for p in (1, 2, 3):
        tag(db, p, condition="depression")
    db.get(Extraction, 3).efficacy_direction = "null"
    stored(db)
    got = grouped(db, ("condition", "direction"))
    assert {k: (v.trials, v.participants) for k, v in got.items()} == {
        ("depression", "not_applicable"): (1, 100), ("depression", "null"): (1, 30)}


def test_articles_without_condition_are_grouped_as_unspecified(db):
    add(db, 1, n=10)
    stored(db)
    assert grouped(db, "condition")["unspecified"].trials == 1


def test_trials_by_condition_restricted_to_a_condition_keeps_the_articles_other_conditions(db):
    add(db, 1, n=10)
    db.flush()
    tag(db, 1, condition="migraine")
    tag(db, 1, condition="pain")
    stored(db)
    assert set(grouped(db, "condition", conditions=["migraine"])) == {"migraine", "pain"}


def test_grouping_by_topic_without_the_topic_rows_is_refused(db):
    add(db, 1, n=10)
    stored(db)
    with pytest.raises(ValueError, match="topic rows"):
        count_by(study_frame(study_rows(db.get_bind())), "topic")


def test_article_in_two_conditions_counts_once_for_all(db):
    add(db, 1, n=10)
    db.flush()
    tag(db, 1, condition="migraine")
    tag(db, 1, condition="pain")
    assert (grouped(db, "all")["all"].reports, grouped(db, "all")["all"].participants) == (1, 10)


def _random_studies(session: Session, seed: int) -> list[tuple[int, Optional[int], str]]:
    """Articles in a few trials (some registered, some alone) with random sizes, each in one or two conditions."""
    rng = random.Random(seed)
    rows = []
    for pmid in range(1, 41):
        nct = rng.choice([None, None, "NCT01111111", "NCT02222222", "NCT03333333"])
        n = rng.choice([None, 0, 12, 30, 30, 75, 200])
        add(session, pmid, f"Registered {nct}." if nct else "Not registered.", n=n)
        session.flush()
        for condition in rng.sample(["depression", "migraine", "pain"], rng.randint(1, 2)):
            tag(session, pmid, condition=condition)
            rows.append((pmid, n, condition))
    stored(session)
    return rows


@pytest.mark.parametrize("seed", range(5))
def test_counts_per_group_equal_summarise_over_each_groups_rows(db, seed):
    rows = _random_studies(db, seed)
    index = trial_index(db.connection())
    expected = {(g,): summarise([(p, n) for p, n, gg in rows if gg == g], index) for g in {g for _, _, g in rows}}
    assert count_trials(study_frame(study_rows(db.get_bind())), ("condition",)) == expected
