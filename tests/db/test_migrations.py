"""Alembic migrations bring an existing database forward without losing rows."""

from alembic import command
from sqlalchemy import column, inspect, insert, select, table, text

from db.engine import make_engine
from db.migrate import alembic_config, current_revision, ensure_schema, head_revision, upgrade
from db.models import Article, ExtractedAdverseEvent, Extraction
from db.records import ArticleRecord, DeletedCitation, MeshHeading
from db.store import upsert_articles
from support.old_schema import store_records


def _columns(eng, table):
    return {c["name"] for c in inspect(eng).get_columns(table)}


def test_0002_adds_pooled_participants_and_keeps_extractions(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng, "0001")
        assert "pooled_participants" not in _columns(eng, "extraction")
        store_records(eng, [ArticleRecord(pmid=7, title="A review of ketamine", abstract="a")])
        with eng.begin() as c:
            c.execute(insert(Extraction.__table__).values(
                pmid=7, extractor_version="1.1.0", design="review", sample_size=None, conditions=[],
                condition_subtypes=[], routes=[], ketamine_forms=[], comparators=[], spans=[]))
        assert ensure_schema(eng) is True
        assert current_revision(eng) == head_revision()
        with eng.connect() as c:
            row = c.execute(select(Extraction.pmid, Extraction.design, Extraction.pooled_participants)).one()
        assert tuple(row) == (7, "review", None)
    finally:
        eng.dispose()


def test_migrations_at_head_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from db.search_schema import include_name

    eng = make_engine(db_url)
    try:
        ensure_schema(eng)
        with eng.connect() as c:
            context = MigrationContext.configure(c, opts={"include_name": include_name})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        eng.dispose()


def test_0003_drops_the_content_hash_index_and_keeps_articles(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng, "0002")
        assert "ix_article_content_hash" in {ix["name"] for ix in inspect(eng).get_indexes("article")}
        store_records(eng, [ArticleRecord(pmid=8, title="Ketamine and migraine", abstract="b")])
        assert ensure_schema(eng) is True
        assert "ix_article_content_hash" not in {ix["name"] for ix in inspect(eng).get_indexes("article")}
        with eng.connect() as c:
            assert c.execute(select(Article.pmid, Article.title)).all() == [(8, "Ketamine and migraine")]
    finally:
        eng.dispose()



def _at_0003_with_events(eng):
    """A database at 0003 with one extraction: a present and a negated event, written
    with the columns the table had then."""
    upgrade(eng, "0003")
    store_records(eng, [ArticleRecord(pmid=9, title="Ketamine and dissociation", abstract="c")])
    names = ("pmid", "term", "organ_class", "negated", "sentence", "start", "end")
    legacy = table("extracted_adverse_event", *(column(n) for n in names))
    with eng.begin() as c:
        c.execute(insert(Extraction.__table__).values(
            pmid=9, extractor_version="1.2.0", design="rct", conditions=[], condition_subtypes=[], routes=[],
            ketamine_forms=[], comparators=[], spans=[]))
        c.execute(insert(legacy), [
            dict(pmid=9, term="dissociation", organ_class="Psychiatric disorders", negated=False, sentence="s", start=0, end=1),
            dict(pmid=9, term="nausea", organ_class="Gastrointestinal disorders", negated=True, sentence="s", start=2, end=3),
        ])


def test_0004_backfills_status_from_negated(db_url):
    eng = make_engine(db_url)
    try:
        _at_0003_with_events(eng)
        assert ensure_schema(eng) is True
        ae = ExtractedAdverseEvent
        with eng.connect() as c:
            rows = c.execute(select(ae.term, ae.negated, ae.status, ae.arm).order_by(ae.term)).all()
        assert [tuple(r) for r in rows] == [("dissociation", False, "occurred", "unstated"), ("nausea", True, "not_occurred", "unstated")]
    finally:
        eng.dispose()


def test_0004_indexes_status(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng, "0004")
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(eng).get_indexes("extracted_adverse_event")}
        assert indexes["ix_extracted_adverse_event_status"] == ["status"]
    finally:
        eng.dispose()


def test_0004_downgrade_drops_status_and_arm_and_keeps_events(db_url):
    eng = make_engine(db_url)
    try:
        _at_0003_with_events(eng)
        upgrade(eng, "0004")
        command.downgrade(alembic_config(eng), "0003")
        assert not {"status", "arm"} & _columns(eng, "extracted_adverse_event")
        with eng.connect() as c:
            assert c.execute(text("SELECT count(*) FROM extracted_adverse_event")).scalar_one() == 2
    finally:
        eng.dispose()


def _stored_at_0004(eng):
    """A database at 0004 holding two articles (one with MeSH and keywords) and a deleted one."""
    upgrade(eng, "0004")
    store_records(eng, [
        ArticleRecord(pmid=21, title="Esketamine nasal spray", abstract="Remission of depression.",
                      keywords=["suicidal ideation"], mesh=[MeshHeading("Depressive Disorder, Treatment-Resistant")]),
        ArticleRecord(pmid=22, title="Ketamine infusion for migraine", abstract="Headache relief."),
        ArticleRecord(pmid=23, title="Withdrawn ketamine citation", abstract="Migraine."),
    ])
    store_records(eng, [DeletedCitation(pmid=23)])


def _found(eng, query):
    from db.search import search

    return sorted(hit.pmid for hit in search(eng, query, limit=50).hits)


def test_0005_indexes_stored_titles_and_abstracts(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        assert ensure_schema(eng) is True
        assert _found(eng, "migraine") == [22]
    finally:
        eng.dispose()


def test_0005_indexes_stored_keywords(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        ensure_schema(eng)
        assert _found(eng, '"suicidal ideation"') == [21]
    finally:
        eng.dispose()


def test_0005_indexes_stored_mesh(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        ensure_schema(eng)
        assert _found(eng, "treatment-resistant") == [21]
    finally:
        eng.dispose()


def test_0005_downgrade_drops_the_search_tables_and_keeps_articles(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        ensure_schema(eng)
        command.downgrade(alembic_config(eng), "0004")
        assert not [t for t in inspect(eng).get_table_names() if t.startswith("fts_")]
        with eng.connect() as c:
            assert c.execute(text("SELECT count(*) FROM article")).scalar_one() == 3
    finally:
        eng.dispose()


def test_0005_downgrade_leaves_article_writes_working(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        ensure_schema(eng)
        command.downgrade(alembic_config(eng), "0004")
        store_records(eng, [ArticleRecord(pmid=22, title="Ketamine for cluster headache", abstract="x",
                                          mesh=[MeshHeading("Cluster Headache")])])
        with eng.connect() as c:
            assert c.execute(select(Article.title).where(Article.pmid == 22)).scalar_one() == "Ketamine for cluster headache"
    finally:
        eng.dispose()


def test_0005_upgrade_after_downgrade_indexes_what_changed_meanwhile(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        ensure_schema(eng)
        command.downgrade(alembic_config(eng), "0004")
        store_records(eng, [ArticleRecord(pmid=22, title="Ketamine for cluster headache", abstract="x")])
        ensure_schema(eng)
        assert (_found(eng, "cluster"), _found(eng, "migraine")) == ([22], [])
    finally:
        eng.dispose()


def test_0005_install_after_lost_triggers_indexes_the_writes_they_missed(db_url):
    from db.search_schema import install

    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        ensure_schema(eng)
        drops = (["DROP TRIGGER fts_article_insert", "DROP TRIGGER fts_article_update", "DROP TRIGGER fts_article_delete"]
                 if eng.dialect.name == "sqlite" else ["DROP TRIGGER fts_article_sync ON article"])
        with eng.begin() as c:  # what a migration that rebuilds the table leaves behind
            for sql in drops:
                c.execute(text(sql))
        upsert_articles(eng, [ArticleRecord(pmid=22, title="Ketamine for cluster headache", abstract="x")])
        with eng.begin() as c:
            install(c)
        assert (_found(eng, "cluster"), _found(eng, "migraine")) == ([22], [])
    finally:
        eng.dispose()


BIG_PMID = 2**62 + 7


def test_0006_stores_a_pmid_beyond_32_bits(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng)
        upsert_articles(eng, [ArticleRecord(pmid=BIG_PMID, title="Ketamine", abstract="x", mesh=[MeshHeading("Ketamine")])])
        with eng.connect() as c:
            assert c.execute(text("SELECT pmid FROM article_mesh")).scalar_one() == BIG_PMID
    finally:
        eng.dispose()


def test_0006_keeps_the_stored_articles(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        upgrade(eng)
        assert _found(eng, "ketamine") == [22]
    finally:
        eng.dispose()


def test_0006_downgrade_keeps_the_stored_articles(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0004(eng)
        upgrade(eng)
        command.downgrade(alembic_config(eng), "0005")
        with eng.connect() as c:
            assert c.execute(text("SELECT count(*) FROM article")).scalar_one() == 3
    finally:
        eng.dispose()


def _stored_at_0006(eng):
    """A database at 0006 holding the articles of :func:`_stored_at_0004` and one extraction."""
    _stored_at_0004(eng)
    upgrade(eng, "0006")
    with eng.begin() as c:
        c.execute(insert(Extraction.__table__).values(
            pmid=21, extractor_version="1.2.0", design="rct", conditions=[], condition_subtypes=[], routes=[],
            ketamine_forms=[], comparators=[], spans=[]))


def test_0007_adds_empty_volume_issue_and_pages(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0006(eng)
        assert ensure_schema(eng) is True
        with eng.connect() as c:
            rows = c.execute(select(Article.pmid, Article.volume, Article.issue, Article.pages).order_by(Article.pmid)).all()
        assert [tuple(r) for r in rows] == [(21, None, None, None), (22, None, None, None), (23, None, None, None)]
    finally:
        eng.dispose()


def test_0007_redelivery_fills_the_citation_details_of_a_stored_article_unchanged(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0006(eng)
        ensure_schema(eng)
        counts = upsert_articles(eng, [ArticleRecord(pmid=22, title="Ketamine infusion for migraine", abstract="Headache relief.",
                                                     volume="12", issue="3", pages="101-9")])
        with eng.connect() as c:
            stored = c.execute(select(Article.volume, Article.issue, Article.pages).where(Article.pmid == 22)).one()
        assert (counts.unchanged, tuple(stored)) == (1, ("12", "3", "101-9"))
    finally:
        eng.dispose()


def test_0007_downgrade_drops_the_columns(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0006(eng)
        ensure_schema(eng)
        command.downgrade(alembic_config(eng), "0006")
        assert not {"volume", "issue", "pages"} & _columns(eng, "article")
    finally:
        eng.dispose()


def test_0007_downgrade_keeps_articles_and_their_child_rows(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0006(eng)
        ensure_schema(eng)
        command.downgrade(alembic_config(eng), "0006")
        with eng.connect() as c:
            counts = [c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("article", "article_mesh", "extraction")]
        assert counts == [3, 1, 1]
    finally:
        eng.dispose()


def test_0007_downgrade_keeps_the_search_index_current(db_url):
    eng = make_engine(db_url)
    try:
        _stored_at_0006(eng)
        ensure_schema(eng)
        command.downgrade(alembic_config(eng), "0006")
        store_records(eng, [ArticleRecord(pmid=22, title="Ketamine for cluster headache", abstract="x")])
        assert (_found(eng, "cluster"), _found(eng, "migraine")) == ([22], [])
    finally:
        eng.dispose()


def test_0008_stores_the_trials_of_the_stored_articles(db_url):
    from db.trials import trial_index

    eng = make_engine(db_url)
    try:
        upgrade(eng, "0007")
        store_records(eng, [ArticleRecord(pmid=31, title="Ketamine", abstract="Registered as NCT01234567."),
                            ArticleRecord(pmid=32, title="Ketamine", abstract="Follow-up of NCT01234567."),
                            ArticleRecord(pmid=33, title="Ketamine", abstract="Not registered.")])
        upgrade(eng)
        assert trial_index(eng) == {31: "NCT01234567", 32: "NCT01234567"}
    finally:
        eng.dispose()


def test_0008_downgrade_drops_the_table_and_keeps_the_articles(db_url):
    eng = make_engine(db_url)
    try:
        upgrade(eng, "0007")
        store_records(eng, [ArticleRecord(pmid=31, title="Ketamine", abstract="Registered as NCT01234567.")])
        upgrade(eng)
        command.downgrade(alembic_config(eng), "0007")
        with eng.connect() as c:
            count = c.execute(text("SELECT count(*) FROM article")).scalar_one()
        assert (inspect(eng).has_table("article_trial"), count) == (False, 1)
    finally:
        eng.dispose()
