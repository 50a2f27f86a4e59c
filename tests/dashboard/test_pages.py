"""Every dashboard page under streamlit.testing.v1.AppTest: no traceback on
empty / missing / populated databases, and filters really change what is shown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import common

from dashboard_support import (
    BACKGROUND_PMID,
    BACKGROUND_SENTENCE,
    HTML_PMID,
    INJECTION,
    INJECTION_PMID,
    PAGE_NAMES,
    PAGES,
    PLANNED_PMID,
    PLANNED_TERM,
    REPO,
    WILDCARD_PMID,
)

TIMEOUT = 120


def page(name: str, url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def table(at: AppTest, *columns: str):
    """The first data frame shown with all these columns (non-interactive frames have no key)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


@pytest.mark.parametrize("name", PAGE_NAMES)
@pytest.mark.parametrize("db", ["empty_url", "no_schema_url", "missing_url"])
def test_page_without_data_explains_first_harvest(name, db, request, monkeypatch):
    at = page(name, request.getfixturevalue(db), monkeypatch)
    assert not at.exception
    assert "No data to show yet" in at.info[0].value
    assert any("ketamine-tracker update" in md.value for md in at.markdown)


@pytest.fixture(scope="module")
def outdated_url(tmp_path_factory):
    """A database an older tracker wrote: one article, schema one revision behind."""
    from alembic.script import ScriptDirectory

    from db.engine import make_engine
    from db.migrate import MIGRATIONS, head_revision, upgrade
    from db.records import ArticleRecord
    from support.old_schema import store_records

    url = f"sqlite:///{tmp_path_factory.mktemp('outdated') / 'old.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine, ScriptDirectory(str(MIGRATIONS)).get_revision(head_revision()).down_revision)
        store_records(engine, [ArticleRecord(pmid=1, title="Ketamine for migraine", abstract="x")])
    finally:
        engine.dispose()
    return url


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_on_a_database_an_older_tracker_wrote_asks_for_an_upgrade(name, outdated_url, monkeypatch):
    at = page(name, outdated_url, monkeypatch)
    assert (at.exception, "ketamine-tracker db upgrade" in at.info[0].value) == ([], True)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_renders_populated_database(name, populated, monkeypatch):
    at = page(name, populated[0], monkeypatch)
    assert not at.exception
    assert not any("No data to show yet" in i.value for i in at.info)


def test_app_navigation_runs_the_overview(populated, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", populated[0])
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Ketamine evidence map"


def test_overview_totals_match_database(populated, monkeypatch):
    url, specs = populated
    at = page("overview", url, monkeypatch)
    assert metric(at, "Articles") == len(specs)
    assert metric(at, "Extracted") == sum(s.extracted for s in specs)
    assert metric(at, "Retracted") == sum(s.is_retracted for s in specs)


def test_overview_pyramid_condition_changes_counts(populated, monkeypatch):
    url, specs = populated
    at = page("overview", url, monkeypatch)
    at.selectbox(key="pyramid_condition").set_value("migraine").run()
    pyr = table(at, "level", "articles")
    rct = int(pyr.loc[pyr["level"] == "Randomised controlled trials", "articles"].iloc[0])
    assert rct == sum(1 for s in specs if s.extracted and s.design == "rct" and "migraine" in s.conditions)


def test_explorer_design_tier_filter_shows_exactly_the_rcts(populated, monkeypatch):
    url, specs = populated
    at = page("explorer", url, monkeypatch)
    at.multiselect(key="f_tiers").set_value(["rct"]).run()
    expected = sum(1 for s in specs if s.extracted and s.design == "rct")
    assert metric(at, "Matching articles") == expected
    assert len(table(at, "article", "serious_ae")) == expected


def test_explorer_design_preset_from_url(populated, monkeypatch):
    url, specs = populated
    at = page("explorer", url, monkeypatch, design="case_report")
    assert metric(at, "Matching articles") == sum(1 for s in specs if s.extracted and s.design == "case_report")


def test_explorer_free_text_treats_sql_as_text(populated, monkeypatch):
    at = page("explorer", populated[0], monkeypatch)
    at.text_input(key="f_text").set_value(INJECTION).run()
    assert metric(at, "Matching articles") == 1
    assert "pmid=99000001" in table(at, "article", "serious_ae")["article"].iloc[0]


def test_explorer_minimum_sample_size(populated, monkeypatch):
    url, specs = populated
    at = page("explorer", url, monkeypatch)
    at.number_input(key="f_min_n").set_value(200).run()
    assert metric(at, "Matching articles") == sum(1 for s in specs if s.extracted and (s.sample_size or 0) >= 200)


def test_adverse_event_selection_lists_its_sentences(populated, monkeypatch):
    url, specs = populated
    at = page("adverse_events", url, monkeypatch)
    at.selectbox(key="ae_term").set_value("dissociation").run()
    at.radio(key="ae_status").set_value("occurred").run()
    rows = table(at, "sentence", "status")
    expected = sum(1 for s in specs if s.extracted for a in s.adverse_events if a.term == "dissociation" and a.status == "occurred")
    assert len(rows) == expected
    assert rows["sentence"].str.contains("dissociation").all()


def test_adverse_event_condition_filter(populated, monkeypatch):
    url, specs = populated
    at = page("adverse_events", url, monkeypatch)
    at.multiselect(key="ae_conditions").set_value(["migraine"]).run()
    shown = metric(at, "Study reports: occurred")
    expected = sum(1 for s in specs if s.extracted and "migraine" in s.conditions for a in s.adverse_events if a.status == "occurred")
    assert shown == expected


def dissociation_evidence(url, monkeypatch, status=None):
    at = page("adverse_events", url, monkeypatch)
    at.selectbox(key="ae_term").set_value("dissociation").run()
    if status:
        at.radio(key="ae_status").set_value(status).run()
    return at, table(at, "sentence", "status", "arm")


def test_adverse_event_evidence_shows_occurred_only_by_default(populated, monkeypatch):
    at, rows = dissociation_evidence(populated[0], monkeypatch)
    assert at.radio(key="ae_status").value == "occurred"
    assert set(rows["status"]) == {"occurred"}


def test_adverse_event_default_view_hides_a_background_sentence(populated, monkeypatch):
    _, rows = dissociation_evidence(populated[0], monkeypatch)
    assert BACKGROUND_SENTENCE not in set(rows["sentence"])


def test_adverse_event_background_view_shows_the_background_sentence(populated, monkeypatch):
    _, rows = dissociation_evidence(populated[0], monkeypatch, status="background")
    mine = rows[rows["article"].str.endswith(f"pmid={BACKGROUND_PMID}")]
    assert list(zip(mine["sentence"], mine["status"], mine["arm"])) == [(BACKGROUND_SENTENCE, "background / known effect", "unstated")]


def test_adverse_event_evidence_shows_the_arm(populated, monkeypatch):
    _, rows = dissociation_evidence(populated[0], monkeypatch)
    mine = rows[rows["article"].str.endswith(f"pmid={PLANNED_PMID}")]
    assert list(mine["arm"]) == ["ketamine arm"]


def test_adverse_event_all_view_lists_every_mention(populated, monkeypatch):
    url, specs = populated
    _, rows = dissociation_evidence(url, monkeypatch, status="all")
    assert len(rows) == sum(1 for s in specs if s.extracted for a in s.adverse_events if a.term == "dissociation")


def test_adverse_event_counts_leave_out_planned_events(populated, monkeypatch):
    at = page("adverse_events", populated[0], monkeypatch)
    assert PLANNED_TERM not in at.selectbox(key="ae_term").options


def test_outcomes_rct_table_lists_every_rct_of_the_condition(populated, monkeypatch):
    url, specs = populated
    at = page("outcomes", url, monkeypatch)
    at.multiselect(key="out_conditions").set_value(["depression"]).run()
    expected = sum(1 for s in specs if s.extracted and s.design == "rct" and "depression" in s.conditions)
    assert len(table(at, "comparator", "dose")) == expected


def test_article_page_escapes_title_and_shows_retraction(populated, monkeypatch):
    at = page("article", populated[0], monkeypatch, pmid=str(HTML_PMID))
    assert "This article has been retracted" in at.error[0].value
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_article_page_marks_negated_event(populated, monkeypatch):
    at = page("article", populated[0], monkeypatch, pmid=str(WILDCARD_PMID))
    html = " ".join(h.proto.body for h in at.get("html"))
    assert 'kt-negated" ' in html and ">psychotomimetic effects</mark>" in html


def test_article_page_lists_event_status_and_arm(populated, monkeypatch):
    at = page("article", populated[0], monkeypatch, pmid=str(PLANNED_PMID))
    events = table(at, "event", "status", "arm").set_index("event")
    assert events.loc[PLANNED_TERM, ["status", "arm"]].tolist() == ["planned / measured", "both arms"]
    assert events.loc["constipation", ["status", "arm"]].tolist() == ["another drug's", "comparator arm"]


def test_article_page_unknown_pmid_warns(populated, monkeypatch):
    at = page("article", populated[0], monkeypatch, pmid="12345")
    assert "not in the tracker database" in at.warning[0].value


def test_article_page_facts_table(populated, monkeypatch):
    at = page("article", populated[0], monkeypatch, pmid=str(INJECTION_PMID))
    facts = table(at, "field", "value").set_index("field")["value"]
    assert facts["Design"].startswith("Case report") and facts["Routes"] == "oral"


def test_about_page_lists_failed_run(populated, monkeypatch):
    at = page("about", populated[0], monkeypatch)
    runs = table(at, "status", "requests")
    assert (runs["status"] == "failed").sum() == 1
    assert "503" in runs.loc[runs["status"] == "failed", "error"].iloc[0]


def test_outcome_counts_link_to_the_same_number_of_studies(populated, monkeypatch):
    url, _ = populated
    at = page("outcomes", url, monkeypatch)
    drill = table(at, "studies_link", "result")
    row = drill[(drill["condition"] == "depression") & (drill["result"] == common.direction_label("positive"))].iloc[0]
    params = dict(p.split("=") for p in row["studies_link"].split("?")[1].split("&"))
    explorer = page("explorer", url, monkeypatch, **params)
    assert metric(explorer, "Matching articles") == int(row["studies"])


def test_every_page_renders_on_both_backends(db_url, monkeypatch):
    from dashboard_support import build_database

    specs = build_database(db_url, n=60, seed=8)
    failures = {}
    for name in PAGE_NAMES:
        at = page(name, db_url, monkeypatch, **({"pmid": str(WILDCARD_PMID)} if name == "article" else {}))
        if at.exception:
            failures[name] = at.exception[0].value
    explorer = page("explorer", db_url, monkeypatch)
    assert failures == {}
    assert metric(explorer, "Matching articles") == len(specs)


def test_adverse_event_default_view_hides_background_on_both_backends(db_url, monkeypatch):
    from dashboard_support import build_database

    build_database(db_url, n=30, seed=8)
    _, rows = dissociation_evidence(db_url, monkeypatch)
    assert set(rows["status"]) == {"occurred"} and BACKGROUND_SENTENCE not in set(rows["sentence"])
