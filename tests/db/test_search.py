"""Full-text search (db.search) on both backends: syntax, matching, ranking, highlights,
errors, hostile input, and the index following writes."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect

from db.engine import make_engine
from db.errors import DbError
from db.models import Article
from db.records import ArticleRecord, DeletedCitation, MeshHeading
from db.search import MARK_END, MARK_START, MAX_QUERY_CHARS, MAX_TERMS, SearchSyntaxError, search
from db.store import upsert_articles

TRD = 1  # phrase "treatment-resistant depression", MeSH, keywords
MIGRAINE_IV = 2  # migraine in the title
MIGRAINE_ABSTRACT = 3  # migraine in the abstract only
ANESTHESIA = 4  # anesthesia / anesthetic, "studies"
DEPRESSION_INTRANASAL = 5  # words resistant ... depression apart, intranasal
NEAR_HOSPITAL = 6  # "near" and "hospital"
MESH_ONLY = 7  # "Cluster Headache" only as MeSH

ARTICLES = [
    ArticleRecord(pmid=TRD, title="Esketamine nasal spray in treatment-resistant depression",
                  abstract="Patients with treatment-resistant depression received esketamine twice weekly.",
                  keywords=["suicidal ideation"], mesh=[MeshHeading("Depressive Disorder, Treatment-Resistant")]),
    ArticleRecord(pmid=MIGRAINE_IV, title="Intravenous ketamine for migraine",
                  abstract="An open-label series of patients treated in the emergency department."),
    ArticleRecord(pmid=MIGRAINE_ABSTRACT, title="Ketamine infusion in the emergency department",
                  abstract="Adults with refractory migraine received an infusion; pain scores were recorded."),
    ArticleRecord(pmid=ANESTHESIA, title="Anesthesia with ketamine in children",
                  abstract="Earlier studies of the anesthetic doses are reviewed."),
    ArticleRecord(pmid=DEPRESSION_INTRANASAL, title="Intranasal ketamine for depression",
                  abstract="Treatment of resistant cases of depression with intranasal ketamine."),
    ArticleRecord(pmid=NEAR_HOSPITAL, title="Ketamine use near the hospital",
                  abstract="Recreational use was reported near a hospital."),
    ArticleRecord(pmid=MESH_ONLY, title="A case report", abstract="A man with recurrent attacks was treated.",
                  mesh=[MeshHeading("Cluster Headache")]),
] + [  # filler, so that the words above are rare enough for bm25 to weigh them
    ArticleRecord(pmid=100 + i, title=f"Unrelated record number {i}", abstract="Nothing of interest is described.")
    for i in range(8)
]


@pytest.fixture
def corpus(db_engine):
    upsert_articles(db_engine, ARTICLES)
    return db_engine


def found(engine, query: str) -> list[int]:
    """The PMIDs a query finds, sorted."""
    return sorted(hit.pmid for hit in search(engine, query, limit=200).hits)


def ranked(engine, query: str) -> list[int]:
    """The PMIDs a query finds, best first."""
    return [hit.pmid for hit in search(engine, query, limit=200).hits]


def hit(engine, query: str, pmid: int):
    return next(h for h in search(engine, query, limit=200).hits if h.pmid == pmid)


# --------------------------------------------------------------------------- matching


def test_word_matches_title_and_abstract(corpus):
    assert found(corpus, "migraine") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_words_are_stemmed(corpus):
    assert found(corpus, "study") == [ANESTHESIA]


def test_phrase_needs_the_words_together_and_in_order(corpus):
    assert found(corpus, '"resistant depression"') == [TRD]


def test_words_without_quotes_match_anywhere_in_the_article(corpus):
    assert found(corpus, "resistant depression") == [TRD, DEPRESSION_INTRANASAL]


def test_and_needs_both_terms(corpus):
    assert found(corpus, "ketamine AND emergency") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_or_takes_either_term(corpus):
    assert found(corpus, "anesthesia OR intranasal") == [ANESTHESIA, DEPRESSION_INTRANASAL]


def test_not_leaves_out_articles_with_the_term(corpus):
    assert found(corpus, "ketamine NOT migraine") == [ANESTHESIA, DEPRESSION_INTRANASAL, NEAR_HOSPITAL]


def test_operators_apply_left_to_right(corpus):
    assert found(corpus, "migraine OR depression AND intravenous") == [MIGRAINE_IV]


def test_parentheses_group_first(corpus):
    assert found(corpus, "migraine OR (depression AND intravenous)") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_lowercase_or_is_a_word_not_an_operator(corpus):
    assert DEPRESSION_INTRANASAL not in found(corpus, "migraine or depression")


def test_prefix_matches_words_that_start_with_it(corpus):
    assert found(corpus, "anesthe*") == [ANESTHESIA]


def test_prefix_matches_several_words(corpus):
    assert found(corpus, "intra*") == [MIGRAINE_IV, DEPRESSION_INTRANASAL]


def test_mesh_descriptor_finds_the_article(corpus):
    assert found(corpus, '"cluster headache"') == [MESH_ONLY]


def test_author_keywords_are_searched(corpus):
    assert found(corpus, "suicidal") == [TRD]


def test_deleted_citation_is_not_found(corpus):
    upsert_articles(corpus, [DeletedCitation(pmid=NEAR_HOSPITAL)])
    assert found(corpus, "hospital") == []


def test_punctuation_only_term_is_ignored(corpus):
    assert found(corpus, "migraine --") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


# --------------------------------------------------------------------------- PubMed field tags


def test_title_tag_searches_titles_only(corpus):
    assert found(corpus, "migraine[ti]") == [MIGRAINE_IV]


def test_abstract_tag_searches_abstracts_only(corpus):
    assert found(corpus, "migraine[ab]") == [MIGRAINE_ABSTRACT]


def test_mesh_tag_searches_mesh_only(corpus):
    assert found(corpus, "depression[mh]") == [TRD]


def test_tiab_tag_leaves_mesh_out(corpus):
    assert found(corpus, '"cluster headache"[tiab]') == []


def test_phrase_takes_a_tag(corpus):
    assert found(corpus, '"resistant depression"[ti]') == [TRD]


def test_prefix_takes_a_tag(corpus):
    assert found(corpus, "intra*[ti]") == [MIGRAINE_IV, DEPRESSION_INTRANASAL]


def test_tag_of_several_words_in_any_case(corpus):
    assert found(corpus, "depression[MeSH Terms]") == [TRD]


def test_tagged_terms_combine_with_operators(corpus):
    assert found(corpus, "ketamine[ti] AND migraine[ab]") == [MIGRAINE_ABSTRACT]


def test_unknown_tag_is_refused_at_its_place(corpus):
    with pytest.raises(SearchSyntaxError) as caught:
        search(corpus, "ketamine[au]")
    assert caught.value.position == 8


def test_brackets_that_are_no_tag_are_text(corpus):
    assert found(corpus, "[11C]ketamine OR migraine") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


# --------------------------------------------------------------------------- ranking and pages


def test_title_match_ranks_above_abstract_match(corpus):
    assert ranked(corpus, "migraine") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_text_match_ranks_above_mesh_only_match(corpus):
    assert ranked(corpus, "headache OR migraine")[-1] == MESH_ONLY


def test_total_counts_every_match_beyond_the_page(corpus):
    assert search(corpus, "ketamine", limit=2).total == 5


def test_pages_follow_each_other_without_overlap(corpus):
    pages = [search(corpus, "ketamine", limit=2, offset=o).hits for o in (0, 2, 4)]
    assert [h.pmid for page in pages for h in page] == ranked(corpus, "ketamine")


def test_offset_past_the_end_gives_no_hits_and_the_total(corpus):
    page = search(corpus, "ketamine", limit=5, offset=50)
    assert (page.total, page.hits) == (5, [])


def test_limit_out_of_range_is_refused(corpus):
    with pytest.raises(ValueError):
        search(corpus, "ketamine", limit=0)


# --------------------------------------------------------------------------- highlights


def test_snippet_marks_the_matching_word(corpus):
    assert f"{MARK_START}refractory{MARK_END}" in hit(corpus, "refractory", MIGRAINE_ABSTRACT).snippet


def test_snippet_marks_stemmed_forms(corpus):
    assert f"{MARK_START}studies{MARK_END}" in hit(corpus, "study", ANESTHESIA).snippet


def test_title_marks_the_matching_word(corpus):
    assert hit(corpus, "migraine", MIGRAINE_IV).title == f"Intravenous ketamine for {MARK_START}migraine{MARK_END}"


def test_words_left_out_by_not_are_not_marked(corpus):
    assert MARK_START not in hit(corpus, "ketamine NOT migraine", ANESTHESIA).snippet


def test_mesh_only_hit_lists_the_matching_descriptor(corpus):
    assert hit(corpus, "cluster", MESH_ONLY).mesh == [f"{MARK_START}Cluster Headache{MARK_END}"]


def test_mesh_only_hit_shows_the_start_of_the_abstract(corpus):
    assert hit(corpus, "cluster", MESH_ONLY).snippet == "A man with recurrent attacks was treated."


# --------------------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(("query", "position"), [
    ('ketamine "treatment resistant', 9),  # unclosed quote
    ("(migraine OR headache", 0),  # unclosed parenthesis
    ("migraine)", 8),  # ) without (
    ("()", 0),  # nothing inside
    ("ketamine AND", 9),  # dangling operator at the end
    ("OR ketamine", 0),  # operator without a term before it
    ("ketamine AND OR migraine", 9),  # two operators in a row
    ("ketamine NOT", 9),
    ("", 0),  # empty
    ("   ", 0),  # blank
    ('""', 0),  # empty phrase
    ("ke*", 0),  # prefix too short
    ("ket-*", 0),  # prefix of a compound
    ('"nasal spray"*', 13),  # * after a phrase
    ("*", 0),
])
def test_bad_syntax_gives_search_syntax_error_with_position(corpus, query, position):
    with pytest.raises(SearchSyntaxError) as caught:
        search(corpus, query)
    assert caught.value.position == position


def test_search_syntax_error_is_a_database_layer_error(corpus):
    with pytest.raises(DbError):
        search(corpus, "ketamine AND")


def test_search_syntax_error_reads_as_a_sentence_with_the_place(corpus):
    with pytest.raises(SearchSyntaxError) as caught:
        search(corpus, "ketamine AND")
    assert str(caught.value) == "AND needs a search term after it (at character 10)"


def test_too_long_query_is_refused(corpus):
    with pytest.raises(SearchSyntaxError):
        search(corpus, "ketamine " * (MAX_QUERY_CHARS // 9 + 1))


def test_too_many_terms_are_refused(corpus):
    with pytest.raises(SearchSyntaxError):
        search(corpus, " ".join(["ketamine"] * (MAX_TERMS + 1)))


# --------------------------------------------------------------------------- hostile input is text


def test_fts5_column_filter_is_text(corpus):
    assert found(corpus, "abstract:ketamine") == []


def test_fts5_near_group_is_text(corpus):
    assert found(corpus, "NEAR(ketamine hospital)") == [NEAR_HOSPITAL]


def test_tsquery_prefix_syntax_is_a_bad_prefix(corpus):
    with pytest.raises(SearchSyntaxError):
        search(corpus, "anesthe:*")


def test_tsquery_operators_are_text(corpus):
    assert found(corpus, "ketamine & !migraine") == found(corpus, "ketamine migraine")


def test_sql_in_the_query_is_text(corpus):
    search(corpus, "'; DROP TABLE article; --")
    assert "article" in inspect(corpus).get_table_names()


def test_apostrophe_is_text(corpus):
    assert found(corpus, "o'brien OR migraine") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


# --------------------------------------------------------------------------- the index follows writes


def test_new_article_is_found(corpus):
    upsert_articles(corpus, [ArticleRecord(pmid=50, title="Arketamine in mice", abstract="Preclinical.")])
    assert found(corpus, "arketamine") == [50]


def test_revised_title_replaces_the_old_words(corpus):
    upsert_articles(corpus, [ArticleRecord(pmid=ANESTHESIA, title="Sedation with ketamine in children",
                                           abstract="Earlier studies of the anesthetic doses are reviewed.")])
    assert (found(corpus, "sedation"), found(corpus, "anesthesia")) == ([ANESTHESIA], [])


def test_revised_keywords_replace_the_old_ones(corpus):
    record = ARTICLES[TRD - 1]
    upsert_articles(corpus, [ArticleRecord(pmid=TRD, title=record.title, abstract=record.abstract,
                                           keywords=["anhedonia"], mesh=record.mesh)])
    assert (found(corpus, "anhedonia"), found(corpus, "suicidal")) == ([TRD], [])


def test_revised_mesh_replaces_the_old_descriptors(corpus):
    record = ARTICLES[MESH_ONLY - 1]
    upsert_articles(corpus, [ArticleRecord(pmid=MESH_ONLY, title=record.title, abstract=record.abstract,
                                           mesh=[MeshHeading("Trigeminal Autonomic Cephalalgias")])])
    assert (found(corpus, "trigeminal"), found(corpus, "cluster")) == ([MESH_ONLY], [])


def test_removed_article_is_not_found(corpus):
    with corpus.begin() as conn:
        conn.execute(delete(Article).where(Article.pmid == MIGRAINE_IV))
    assert found(corpus, "migraine") == [MIGRAINE_ABSTRACT]


def test_postgres_refuses_a_query_of_stop_words_only(corpus):
    if corpus.dialect.name != "postgresql":
        pytest.skip("SQLite FTS5 has no stop words: 'the of' is an ordinary search there")
    with pytest.raises(SearchSyntaxError):
        search(corpus, "the of")


def test_postgres_drops_stop_words_from_a_query(corpus):
    if corpus.dialect.name != "postgresql":
        pytest.skip("SQLite FTS5 has no stop words")
    assert found(corpus, "the migraine") == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_withdrawn_article_delivered_again_is_found_again(corpus):
    upsert_articles(corpus, [DeletedCitation(pmid=NEAR_HOSPITAL)])
    upsert_articles(corpus, [ARTICLES[NEAR_HOSPITAL - 1]])
    assert found(corpus, "hospital") == [NEAR_HOSPITAL]


@pytest.mark.parametrize("separator", ["\x00", "\ud800", "\x1b"])
def test_control_characters_and_lone_surrogates_separate_words(corpus, separator):
    assert found(corpus, f"migraine{separator}refractory") == [MIGRAINE_ABSTRACT]


def test_deeply_nested_parentheses_are_read(corpus):
    depth = (MAX_QUERY_CHARS - len("migraine")) // 2
    assert found(corpus, "(" * depth + "migraine" + ")" * depth) == [MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_hit_carries_journal_year_and_retraction(corpus):
    upsert_articles(corpus, [ArticleRecord(pmid=60, title="Ketamine and xenon", abstract="x", journal="Anesthesia & Analgesia",
                                           journal_iso="Anesth Analg", pub_year=2019, is_retracted=True)])
    got = hit(corpus, "xenon", 60)
    assert (got.journal, got.year, got.retracted) == ("Anesth Analg", 2019, True)


def test_database_without_the_index_says_so(db_url):
    from db.migrate import upgrade
    from db.search import SearchIndexMissingError

    eng = make_engine(db_url)
    try:
        upgrade(eng, "0004")
        with pytest.raises(SearchIndexMissingError):
            search(eng, "ketamine")
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- matching(): a condition for other filters


def matched(engine, query: str, *where) -> list[int]:
    """The PMIDs of the articles that :func:`db.search.matching` selects, with ``where`` too, sorted."""
    from sqlalchemy import select

    from db.search import matching

    with engine.connect() as conn:
        stmt = select(Article.pmid).where(matching(conn, query), *where).order_by(Article.pmid)
        return list(conn.execute(stmt).scalars())


@pytest.mark.parametrize("query", ['"treatment resistant depression"', "migraine OR anesthe*", "ketamine NOT migraine",
                                   "migraine[ti]", '"cluster headache"[mh]', "depression intranasal"])
def test_matching_selects_what_search_finds(corpus, query):
    assert matched(corpus, query) == found(corpus, query)


def test_matching_combines_with_another_condition(corpus):
    assert matched(corpus, "ketamine", Article.title.contains("migraine")) == [MIGRAINE_IV]


def test_matching_twice_in_one_statement_keeps_each_query(corpus):
    from db.search import matching

    with corpus.connect() as conn:
        from sqlalchemy import select

        stmt = select(Article.pmid).where(matching(conn, "migraine"), matching(conn, "emergency[ti]"))
        assert list(conn.execute(stmt).scalars()) == [MIGRAINE_ABSTRACT]


def test_matching_accepts_an_engine(corpus):
    from sqlalchemy import select

    from db.search import matching

    with corpus.connect() as conn:
        assert sorted(conn.execute(select(Article.pmid).where(matching(corpus, "migraine"))).scalars()) == [
            MIGRAINE_IV, MIGRAINE_ABSTRACT]


def test_matching_refuses_bad_syntax_with_the_position(corpus):
    from db.search import matching

    with pytest.raises(SearchSyntaxError) as err:
        matching(corpus, '"treatment resistant')
    assert err.value.position == 0


def test_matching_refuses_a_query_without_a_word(corpus):
    from db.search import matching

    with pytest.raises(SearchSyntaxError, match="no word to search for"):
        matching(corpus, "'; --")


def test_matching_on_a_database_without_the_index_says_so(db_url):
    from db.migrate import upgrade
    from db.search import SearchIndexMissingError, matching

    eng = make_engine(db_url)
    try:
        upgrade(eng, "0004")
        with pytest.raises(SearchIndexMissingError):
            matching(eng, "ketamine")
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- ranking(): search's order for other lists


def by_rank(engine, query: str) -> list[int]:
    """The PMIDs :func:`db.search.matching` selects, in :func:`db.search.ranking` order (best first, newest PMID among equals)."""
    from sqlalchemy import func, select

    from db.search import matching, ranking

    with engine.connect() as conn:
        ranked = ranking(conn, query)
        stmt = (select(Article.pmid).outerjoin(ranked, ranked.c.pmid == Article.pmid)
                .where(matching(conn, query), Article.is_deleted.is_(False))
                .order_by(func.coalesce(ranked.c.rank, 0.0).desc(), Article.pmid.desc()))
        return list(conn.execute(stmt).scalars())


@pytest.mark.parametrize("query", ["migraine", "ketamine OR esketamine", '"cluster headache" OR migraine'])
def test_ranking_orders_as_search_does(corpus, query):
    assert by_rank(corpus, query) == ranked(corpus, query)


def test_ranking_of_a_mesh_only_query_is_none(corpus):
    from db.search import ranking

    assert ranking(corpus, '"cluster headache"[mh]') is None
