from datetime import date

from sqlmodel import select

from db.models import Article, ArticleMesh, ArticlePubType, ArticleTopic
from db.records import ArticleRecord, DeletedCitation, MeshHeading, PubType
from db.store import upsert_articles


def _rec(pmid=1, title="Ketamine for depression", **kw):
    return ArticleRecord(
        pmid=pmid,
        title=title,
        abstract="We randomised 40 adults.",
        entrez_date=date(2024, 1, 2),
        mesh=[MeshHeading("Ketamine", "D007649", True, [{"name": "therapeutic use", "ui": "Q000627", "major": False}])],
        publication_types=[PubType("Randomized Controlled Trial", "D016449")],
        **kw,
    )


def test_new_article_is_stored_with_children(engine, session):
    counts = upsert_articles(engine, [_rec()], topic="depression")
    assert (counts.new, counts.updated, counts.unchanged) == (1, 0, 0)
    art = session.get(Article, 1)
    assert art.title == "Ketamine for depression"
    assert art.needs_extraction is True
    assert session.exec(select(ArticleMesh.descriptor)).all() == ["Ketamine"]
    assert session.exec(select(ArticlePubType.pub_type)).all() == ["Randomized Controlled Trial"]
    assert session.exec(select(ArticleTopic.topic)).all() == ["depression"]


def test_redelivery_is_unchanged_and_keeps_timestamps(engine, session):
    upsert_articles(engine, [_rec()], topic="depression")
    first = session.get(Article, 1).updated
    counts = upsert_articles(engine, [_rec()], topic="pain")
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    session.rollback()  # end the read snapshot; see the committed batch
    assert session.get(Article, 1).updated == first
    assert sorted(session.exec(select(ArticleTopic.topic)).all()) == ["depression", "pain"]


def test_revision_updates_and_marks_for_extraction(engine, session):
    upsert_articles(engine, [_rec()])
    with engine.begin() as conn:
        conn.execute(Article.__table__.update().values(needs_extraction=False))
    counts = upsert_articles(engine, [_rec(title="Ketamine for depression: revised")])
    assert counts.updated == 1
    session.rollback()  # end the read snapshot; see the committed batch
    art = session.get(Article, 1)
    assert art.title.endswith("revised")
    assert art.needs_extraction is True
    assert len(session.exec(select(ArticleMesh)).all()) == 1


def test_deleted_citation_is_flagged_not_removed(engine, session):
    upsert_articles(engine, [_rec()])
    counts = upsert_articles(engine, [DeletedCitation(1)])
    assert counts.deleted == 1
    assert session.get(Article, 1).is_deleted is True
