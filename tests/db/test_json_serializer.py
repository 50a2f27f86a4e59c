"""db.engine.json_dumps: the JSON columns' serializer writes what json.dumps writes."""

import json
from datetime import date

from sqlmodel import select

from db.engine import json_dumps
from db.models import Article, ArticleMesh
from db.records import ArticleRecord, MeshHeading
from db.store import upsert_articles


def test_empty_list_is_written_as_json_dumps_writes_it():
    assert json_dumps([]) == json.dumps([])


def test_a_list_of_dicts_is_written_as_json_dumps_writes_it():
    value = [{"name": "drug therapy", "ui": "Q000188", "major": True}]
    assert json_dumps(value) == json.dumps(value)


def test_an_empty_dict_is_written_as_json_dumps_writes_it():
    assert json_dumps({}) == json.dumps({})


def test_non_ascii_text_is_written_as_json_dumps_writes_it():
    assert json_dumps(["Zürich"]) == json.dumps(["Zürich"])


def _stored_mesh_qualifiers_and_keywords(db_engine):
    rec = ArticleRecord(pmid=1, title="Ketamine", entrez_date=date(2024, 1, 2), keywords=[],
                        mesh=[MeshHeading("Humans", "D006801", False, [])])
    upsert_articles(db_engine, [rec])
    with db_engine.connect() as conn:
        qualifiers = conn.execute(select(ArticleMesh.qualifiers)).scalar_one()
        keywords = conn.execute(select(Article.keywords)).scalar_one()
    return qualifiers, keywords


def test_an_empty_json_list_reads_back_as_an_empty_list(db_engine):
    assert _stored_mesh_qualifiers_and_keywords(db_engine) == ([], [])
