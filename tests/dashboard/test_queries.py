"""db/queries.py on both backends, against counts computed in Python from the synthetic specs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, inspect
from sqlalchemy.exc import DBAPIError

from dashboard import ae_counts
from dashboard.trial_counts import study_frame
from db import queries as q
from db.engine import make_engine
from db.models import Extraction, HarvestRun
from db.search import SearchSyntaxError
from support.synthetic_db import last_harvest_time

from dashboard_support import (
    BACKGROUND_PMID,
    BACKGROUND_SENTENCE,
    INJECTION,
    INJECTION_PMID,
    NOW,
    PLANNED_PMID,
    PLANNED_TERM,
    WILDCARD_PMID,
    build_database,
)


@pytest.fixture
def filled(db_url):
    specs = build_database(db_url, n=120, seed=5)
    engine = make_engine(db_url, read_only=True)
    yield engine, specs
    engine.dispose()


def extracted(specs):
    return [s for s in specs if s.extracted]


def ae_tables(engine) -> ae_counts.Tables:
    """The Adverse events page's tables of ``engine`` (dashboard.ae_counts), as the page loads them."""
    return ae_counts.tables(q.adverse_event_reports(engine), study_frame(q.study_rows(engine)),
                            q.adverse_event_frequencies(engine, limit=None))


def event_counts(engine, studies: q.ArticleFilter | None = None) -> list[dict]:
    pmids = None if studies is None else q.matching_pmids(engine, studies)
    return ae_counts.event_counts(ae_tables(engine), pmids).to_dict("records")


def route_counts(engine, studies: q.ArticleFilter = q.ArticleFilter()) -> list[dict]:
    return ae_counts.route_counts(ae_tables(engine), q.matching_pmids(engine, studies), studies.routes).to_dict("records")


def test_schema_state_without_tables_is_missing(db_url):
    engine = make_engine(db_url)
    assert q.schema_state(engine) == "missing"


def test_schema_state_with_data_is_ready(filled):
    engine, _ = filled
    assert q.schema_state(engine) == "ready"


def test_schema_state_of_a_database_one_revision_behind_is_outdated(db_url):
    from db.migrate import upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine, "0007")
        assert q.schema_state(engine) == "outdated"
    finally:
        engine.dispose()


def test_data_version_changes_when_trial_keys_are_stored(db_url):
    from db.migrate import upgrade
    from db.records import ArticleRecord
    from db.store import upsert_articles
    from db.trials import store_trial_keys

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        upsert_articles(engine, [ArticleRecord(pmid=p, title="Ketamine", abstract="Trial NCT01234567.") for p in (1, 2)])
        before = q.data_version(engine)
        store_trial_keys(engine)
        assert q.data_version(engine) != before
    finally:
        engine.dispose()


def test_design_filter_counts_exactly_the_rcts(filled):
    engine, specs = filled
    expected = sum(1 for s in extracted(specs) if s.design == "rct")
    assert q.count_articles(engine, q.ArticleFilter(designs=("rct",))) == expected


def test_not_extracted_design_lists_articles_without_extraction(filled):
    engine, specs = filled
    expected = sorted(s.pmid for s in specs if not s.extracted)
    _, rows = q.search_articles(engine, q.ArticleFilter(designs=(q.NOT_EXTRACTED,)), sort="pmid", limit=1000)
    assert [r["pmid"] for r in rows] == expected


def test_condition_and_route_filters_combine(filled):
    engine, specs = filled
    expected = sum(1 for s in extracted(specs) if "pain" in s.conditions and "intravenous" in s.routes)
    assert q.count_articles(engine, q.ArticleFilter(conditions=("pain",), routes=("intravenous",))) == expected


def test_form_filter_matches_json_list(filled):
    engine, specs = filled
    expected = sum(1 for s in extracted(specs) if "esketamine" in s.forms)
    assert q.count_articles(engine, q.ArticleFilter(forms=("esketamine",))) == expected


def test_min_sample_size_and_year_range(filled):
    engine, specs = filled
    expected = sum(1 for s in extracted(specs) if (s.sample_size or 0) >= 100 and 2010 <= s.pub_year <= 2020)
    f = q.ArticleFilter(min_sample_size=100, year_min=2010, year_max=2020)
    assert q.count_articles(engine, f) == expected


def test_adverse_event_filter_counts_only_present_reports(filled):
    engine, specs = filled
    expected = sum(1 for s in extracted(specs) if any(a.term == "dissociation" and a.status == "occurred" for a in s.adverse_events))
    assert q.count_articles(engine, q.ArticleFilter(adverse_event="dissociation")) == expected


def test_injection_text_is_searched_as_plain_text(filled):
    engine, _ = filled
    total, rows = q.search_articles(engine, q.ArticleFilter(text=INJECTION))
    assert [r["pmid"] for r in rows] == [INJECTION_PMID]
    assert inspect(engine).has_table("article")


def test_injection_as_filter_value_matches_nothing(filled):
    engine, specs = filled
    assert q.count_articles(engine, q.ArticleFilter(conditions=(INJECTION,), designs=(INJECTION,))) == 0
    assert q.count_articles(engine) == len(specs)


def test_text_of_wildcards_only_is_a_syntax_error_not_a_match_all(filled):
    engine, _ = filled
    with pytest.raises(SearchSyntaxError):
        q.search_articles(engine, q.ArticleFilter(text="%_"))


def test_text_search_is_case_insensitive_and_needs_every_word(filled):
    engine, specs = filled
    from support.synthetic_db import render

    def doc(s):
        r = render(s)
        return (r.title + " " + r.abstract).lower()

    expected = sum(1 for s in specs if "postpartum" in doc(s) and "intranasal" in doc(s))
    assert q.count_articles(engine, q.ArticleFilter(text="POSTPARTUM Intranasal")) == expected


def test_retracted_can_be_excluded(filled):
    engine, specs = filled
    expected = sum(1 for s in specs if not s.is_retracted)
    assert q.count_articles(engine, q.ArticleFilter(include_retracted=False)) == expected


def test_design_counts_include_not_extracted(filled):
    engine, specs = filled
    counts = dict(q.design_counts(engine))
    assert counts[q.NOT_EXTRACTED] == sum(1 for s in specs if not s.extracted)
    assert counts["rct"] == sum(1 for s in extracted(specs) if s.design == "rct")


def test_adverse_event_counts_present_and_absent_per_condition(filled):
    engine, specs = filled
    rows = {(r["condition"], r["term"]): r for r in event_counts(engine)}
    for cond, term in [("depression", "psychotomimetic effects"), ("pain", "nausea")]:
        present = sum(1 for s in extracted(specs) if cond in s.conditions and any(a.term == term and a.status == "occurred" for a in s.adverse_events))
        absent = sum(1 for s in extracted(specs) if cond in s.conditions and any(a.term == term and a.status == "not_occurred" for a in s.adverse_events))
        got = rows.get((cond, term), {"present": 0, "absent": 0})
        assert (got["present"], got["absent"]) == (present, absent)


def test_adverse_event_evidence_gives_the_sentences(filled):
    engine, _ = filled
    rows = q.adverse_event_evidence(engine, "psychotomimetic effects", negated=True)
    mine = [r for r in rows if r["pmid"] == WILDCARD_PMID]
    assert mine and mine[0]["sentence"] == "No psychotomimetic effects was observed."


def test_adverse_event_evidence_gives_status_and_arm(filled):
    engine, _ = filled
    rows = q.adverse_event_evidence(engine, "dissociation")
    mine = {r["pmid"]: (r["status"], r["arm"]) for r in rows if r["pmid"] in (BACKGROUND_PMID, PLANNED_PMID)}
    assert mine == {BACKGROUND_PMID: ("background", "unstated"), PLANNED_PMID: ("occurred", "ketamine")}


def test_adverse_event_evidence_filters_by_status(filled):
    engine, _ = filled
    rows = q.adverse_event_evidence(engine, "dissociation", statuses=("background",))
    assert {r["status"] for r in rows} == {"background"}
    assert (BACKGROUND_PMID, BACKGROUND_SENTENCE) in {(r["pmid"], r["sentence"]) for r in rows}


def test_adverse_event_evidence_occurred_only_leaves_out_background(filled):
    engine, _ = filled
    rows = q.adverse_event_evidence(engine, "dissociation", statuses=("occurred",))
    assert BACKGROUND_PMID not in {r["pmid"] for r in rows} and PLANNED_PMID in {r["pmid"] for r in rows}


def test_background_mention_is_not_counted_as_reported(filled):
    engine, specs = filled
    rows = {(r["condition"], r["term"]): r for r in event_counts(engine)}
    expected = sum(1 for s in extracted(specs) if "depression" in s.conditions
                   and any(a.term == "dissociation" and a.status == "occurred" for a in s.adverse_events))
    assert rows[("depression", "dissociation")]["present"] == expected


def test_planned_only_event_has_no_count_row(filled):
    engine, _ = filled
    assert not [r for r in event_counts(engine) if r["term"] == PLANNED_TERM]


def test_explorer_event_filter_ignores_planned_and_background(filled):
    engine, _ = filled
    assert q.count_articles(engine, q.ArticleFilter(adverse_event=PLANNED_TERM)) == 0
    _, rows = q.search_articles(engine, q.ArticleFilter(adverse_event="dissociation"), limit=1000)
    assert BACKGROUND_PMID not in {r["pmid"] for r in rows}


def test_filter_options_offer_only_events_that_occurred(filled):
    engine, _ = filled
    offered = {term for term, _ in q.filter_options(engine)["adverse_events"]}
    assert "dissociation" in offered and not {PLANNED_TERM, "constipation"} & offered


def test_frequencies_come_from_events_that_occurred(filled):
    engine, specs = filled
    rows = q.adverse_event_frequencies(engine)
    expected = sum(1 for s in extracted(specs) for a in s.adverse_events if a.status == "occurred" and a.frequency)
    assert len(rows) == expected


def test_article_detail_gives_event_status_and_arm(filled):
    engine, _ = filled
    art = q.article_detail(engine, PLANNED_PMID)
    assert {a["term"]: (a["status"], a["arm"]) for a in art["adverse_events"]} == {
        "constipation": ("other_drug", "comparator"), PLANNED_TERM: ("planned", "both"), "dissociation": ("occurred", "ketamine")}


def test_direction_counts_weight_by_sample_size(filled):
    engine, specs = filled
    rows = q.direction_counts(engine, conditions=("depression",), designs=("rct",))
    improved = [r for r in rows if r["direction"] == "improved"]
    expected = sum(s.sample_size or 1 for s in extracted(specs)
                   if s.design == "rct" and "depression" in s.conditions and s.efficacy_direction == "improved")
    assert sum(r["participants"] for r in improved) == expected


def test_trial_table_lists_doses_and_comparators(filled):
    engine, _ = filled
    total, rows = q.trial_table(engine, ["rct"], conditions=("depression",), limit=1000)
    mine = next(r for r in rows if r["pmid"] == WILDCARD_PMID)
    assert (mine["doses"], mine["comparators"], mine["sample_size"]) == (["0.5 mg/kg"], ["midazolam"], 120)


def test_article_detail_has_children(filled):
    engine, _ = filled
    art = q.article_detail(engine, WILDCARD_PMID)
    assert [o["measure"] for o in art["outcomes"]] == ["MADRS"]
    assert {a["term"]: a["negated"] for a in art["adverse_events"]} == {"dissociation": False, "psychotomimetic effects": True}


def test_article_detail_of_unknown_pmid_is_none(filled):
    engine, _ = filled
    assert q.article_detail(engine, 1) is None


def test_last_harvest_groups_the_nightly_runs(filled):
    engine, _ = filled
    h = q.last_harvest(engine)
    assert h["started"] == last_harvest_time(NOW)
    assert {r["topic"] for r in h["runs"]} == {"migraine", "pain", "depression"}


def test_new_since_last_harvest_counts_first_seen(filled):
    engine, specs = filled
    since = last_harvest_time(NOW)
    expected = sum(1 for s in specs if s.first_seen and s.first_seen >= since)
    assert expected > 0
    assert q.count_articles(engine, q.ArticleFilter(since=since)) == expected


def test_data_version_changes_when_a_harvest_lands(db_url):
    build_database(db_url, n=30, seed=2)
    writer = make_engine(db_url)
    reader = make_engine(db_url, read_only=True)
    before = q.data_version(reader)
    with writer.begin() as conn:
        conn.execute(insert(HarvestRun.__table__).values(topic="pain", started=NOW + timedelta(days=1),
                                                         finished=NOW + timedelta(days=1, minutes=3), status="success"))
    assert q.data_version(reader) != before


def test_read_only_engine_refuses_writes(filled):
    engine, _ = filled
    with pytest.raises(DBAPIError):
        with engine.begin() as conn:
            conn.execute(Extraction.__table__.delete())


def test_search_total_counts_beyond_the_page(filled):
    engine, specs = filled
    total, rows = q.search_articles(engine, q.ArticleFilter(conditions=("depression",)), limit=5)
    assert len(rows) == 5
    assert total == sum(1 for s in extracted(specs) if "depression" in s.conditions)


def occurred_terms(spec) -> set[str]:
    return {a.term for a in spec.adverse_events if a.status == "occurred"}


def test_adverse_event_counts_keep_only_the_filtered_studies(filled):
    engine, specs = filled
    rows = event_counts(engine, q.ArticleFilter(routes=("intranasal",)))
    expected = sum(max(1, len(s.conditions)) * len(occurred_terms(s)) for s in extracted(specs) if "intranasal" in s.routes)
    assert sum(r["present"] for r in rows) == expected


def test_adverse_event_route_counts_per_event_and_route(backend_db):
    url, specs = backend_db
    engine = make_engine(url, read_only=True)
    rows = route_counts(engine)
    expected = {(r, t): 0 for s in extracted(specs) for r in (s.routes or [q.UNSPECIFIED]) for t in occurred_terms(s)}
    for s in extracted(specs):
        for r in s.routes or [q.UNSPECIFIED]:
            for t in occurred_terms(s):
                expected[(r, t)] += 1
    assert {(r["route"], r["term"]): r["studies"] for r in rows} == expected


def test_adverse_event_route_counts_give_the_studies_of_the_route(backend_db):
    url, specs = backend_db
    engine = make_engine(url, read_only=True)
    rows = route_counts(engine, q.ArticleFilter(forms=("esketamine",)))
    expected = sum(1 for s in extracted(specs) if "intranasal" in s.routes and "esketamine" in s.forms)
    assert {r["route_studies"] for r in rows if r["route"] == "intranasal"} == {expected}


def test_adverse_event_route_counts_compare_only_the_chosen_routes(backend_db):
    url, _ = backend_db
    engine = make_engine(url, read_only=True)
    rows = route_counts(engine, q.ArticleFilter(routes=("oral",)))
    assert {r["route"] for r in rows} == {"oral"}


def test_adverse_event_evidence_keeps_only_the_filtered_studies(backend_db):
    url, specs = backend_db
    engine = make_engine(url, read_only=True)
    rows = q.adverse_event_evidence(engine, "dissociation", statuses=("occurred",), studies=q.ArticleFilter(year_min=2020))
    expected = sum(1 for s in extracted(specs) if s.pub_year >= 2020 for a in s.adverse_events
                   if a.term == "dissociation" and a.status == "occurred")
    assert len(rows) == expected


def test_adverse_event_frequencies_keep_only_the_filtered_studies(backend_db):
    url, specs = backend_db
    engine = make_engine(url, read_only=True)
    rows = q.adverse_event_frequencies(engine, studies=q.ArticleFilter(designs=("rct",)))
    rcts = {s.pmid for s in extracted(specs) if s.design == "rct"}
    assert rows and {r["pmid"] for r in rows} <= rcts


def test_retracted_only_keeps_the_retracted(filled):
    engine, specs = filled
    expected = sum(1 for s in specs if s.is_retracted)
    assert q.count_articles(engine, q.ArticleFilter(retracted_only=True)) == expected


def test_occurred_events_by_pmid_leave_out_other_statuses(filled):
    engine, _ = filled
    assert q.occurred_events_by_pmid(engine, [PLANNED_PMID]) == {PLANNED_PMID: ["dissociation"]}


def test_occurred_events_by_pmid_ignore_out_of_range_pmids(filled):
    engine, _ = filled
    assert q.occurred_events_by_pmid(engine, [2**63]) == {}


def test_first_authors_add_et_al_for_several_authors(filled):
    engine, specs = filled
    spec = next(s for s in specs if len(s.authors) > 1)
    first = spec.authors[0]
    assert q.first_authors(engine, [spec.pmid])[spec.pmid] == f"{first['last']} {first['initials']} et al."


def test_sample_sizes_give_each_matching_article_once(filled):
    engine, specs = filled
    rows = q.sample_sizes(engine, q.ArticleFilter(designs=("rct",)))
    assert sorted(rows, key=lambda r: r[0]) == sorted(((s.pmid, s.sample_size) for s in extracted(specs) if s.design == "rct"),
                                                      key=lambda r: r[0])


def test_matching_pmids_are_the_filtered_articles_ascending(filled):
    engine, _ = filled
    flt = q.ArticleFilter(designs=("rct",))
    total, rows = q.search_articles(engine, flt, limit=10_000)
    assert q.matching_pmids(engine, flt) == sorted(r["pmid"] for r in rows) and total == len(rows)
