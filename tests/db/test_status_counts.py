"""db.status: articles per harvest topic and per extracted condition (``ketamine-tracker status``)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from db.models import Article, ArticleTopic, Extraction, ExtractionCondition
from db.status import NO_CONDITION, condition_counts, topic_counts

CURRENT = "2.0"


@pytest.fixture
def session(db_engine):
    """A session on an empty database, once per backend."""
    with Session(db_engine) as s:
        yield s


def add(session: Session, pmid: int, topics: tuple[str, ...] = ("pain",), *, conditions: tuple[str, ...] = (),
        version: str | None = CURRENT, needs_extraction: bool = False, deleted: bool = False,
        retracted: bool = False) -> None:
    """One article in ``topics``; extracted at ``version`` (None: not extracted) with ``conditions``."""
    session.add(Article(pmid=pmid, title=f"a{pmid}", needs_extraction=needs_extraction, is_deleted=deleted,
                        is_retracted=retracted))
    session.flush()
    for topic in topics:
        session.add(ArticleTopic(pmid=pmid, topic=topic))
    if version is not None:
        session.add(Extraction(pmid=pmid, extractor_version=version, conditions=list(conditions)))
        session.flush()
        for condition in conditions:
            session.add(ExtractionCondition(pmid=pmid, condition=condition))
    session.commit()


# --------------------------------------------------------------------------- per topic


def test_topic_counts_of_an_empty_database_are_empty(session):
    assert topic_counts(session.get_bind(), CURRENT) == {}


def test_an_article_of_two_topics_is_stored_under_both(session):
    add(session, 1, ("pain", "depression"))
    add(session, 2, ("pain",))
    counts = topic_counts(session.get_bind(), CURRENT)
    assert {t: c["stored"] for t, c in counts.items()} == {"depression": 1, "pain": 2}


def test_deleted_articles_are_not_counted_under_their_topic(session):
    add(session, 1, ("pain",))
    add(session, 2, ("pain",), deleted=True)
    add(session, 3, ("migraine",), deleted=True)
    assert topic_counts(session.get_bind(), CURRENT) == {
        "pain": {"stored": 1, "extracted": 1, "pending_extraction": 0, "retracted": 0}
    }


def test_an_article_extracted_by_an_older_extractor_is_pending(session):
    add(session, 1, version=CURRENT)
    add(session, 2, version="1.0")
    counts = topic_counts(session.get_bind(), CURRENT)["pain"]
    assert (counts["extracted"], counts["pending_extraction"]) == (1, 1)


def test_an_article_never_extracted_is_pending(session):
    add(session, 1, version=None, needs_extraction=True)
    counts = topic_counts(session.get_bind(), CURRENT)["pain"]
    assert (counts["extracted"], counts["pending_extraction"]) == (0, 1)


def test_an_article_flagged_for_extraction_is_pending_despite_a_current_extraction(session):
    add(session, 1, version=CURRENT, needs_extraction=True)
    counts = topic_counts(session.get_bind(), CURRENT)["pain"]
    assert (counts["extracted"], counts["pending_extraction"]) == (0, 1)


def test_without_a_version_only_the_flag_makes_an_article_pending(session):
    add(session, 1, version="1.0")
    add(session, 2, version="1.0", needs_extraction=True)
    counts = topic_counts(session.get_bind())["pain"]
    assert (counts["extracted"], counts["pending_extraction"]) == (1, 1)


def test_retracted_articles_are_counted_per_topic(session):
    add(session, 1, ("pain", "migraine"), retracted=True)
    add(session, 2, ("pain",))
    counts = topic_counts(session.get_bind(), CURRENT)
    assert {t: c["retracted"] for t, c in counts.items()} == {"migraine": 1, "pain": 1}


# --------------------------------------------------------------------------- per condition


def test_condition_counts_of_an_empty_database_are_empty(session):
    assert condition_counts(session.get_bind()) == {}


def test_an_article_of_two_conditions_counts_under_both(session):
    add(session, 1, conditions=("pain", "depression"))
    add(session, 2, conditions=("pain",))
    assert condition_counts(session.get_bind()) == {"depression": 1, "pain": 2}


def test_an_article_not_extracted_yet_has_no_condition(session):
    add(session, 1, version=None, needs_extraction=True)
    add(session, 2, conditions=("migraine",))
    assert condition_counts(session.get_bind()) == {"migraine": 1, NO_CONDITION: 1}


def test_deleted_articles_are_not_counted_under_their_condition(session):
    add(session, 1, conditions=("other",))
    add(session, 2, conditions=("other",), deleted=True)
    add(session, 3, version=None, deleted=True)
    assert condition_counts(session.get_bind()) == {"other": 1}
