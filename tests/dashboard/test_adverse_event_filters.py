"""The adverse-events page filtered by route, ketamine form, design and year, its event × route
view and its filters in the URL (issue 15), under AppTest on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES

TIMEOUT = 120


def page(url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / "adverse_events.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def occurred_reports(specs, keep) -> int:
    """Study reports (condition × event) of events that occurred, over the specs ``keep`` accepts:
    what the page's "Study reports: occurred" metric sums."""
    return sum(max(1, len(s.conditions)) for s in specs if s.extracted and keep(s)
               for a in {a.term for a in s.adverse_events if a.status == "occurred"})


def reports_metric(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Study reports: occurred").replace(",", ""))


def route_table(at: AppTest):
    return next(d.value for d in at.dataframe if "term" in d.value.columns and "organ_class" in d.value.columns
                and any("(n=" in str(col) for col in d.value.columns))


def test_route_filter_counts_only_that_route(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    at.multiselect(key="ae_routes").set_value(["intranasal"]).run()
    assert reports_metric(at) == occurred_reports(specs, lambda s: "intranasal" in s.routes)


def test_form_filter_counts_only_esketamine(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    at.multiselect(key="ae_forms").set_value(["esketamine"]).run()
    assert reports_metric(at) == occurred_reports(specs, lambda s: "esketamine" in s.forms)


def test_design_filter_counts_only_rcts(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    at.multiselect(key="ae_tiers").set_value(["rct"]).run()
    assert reports_metric(at) == occurred_reports(specs, lambda s: s.design == "rct")


def test_year_filter_counts_only_those_years(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    at.slider(key="ae_years").set_value((2015, 2020)).run()
    assert reports_metric(at) == occurred_reports(specs, lambda s: 2015 <= s.pub_year <= 2020)


def test_route_view_counts_studies_per_event_and_route(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    shown = route_table(at).set_index("term")
    column = next(col for col in shown.columns if str(col).startswith("Intravenous (n="))
    expected = Counter(t for s in specs if s.extracted and "intravenous" in s.routes
                       for t in {a.term for a in s.adverse_events if a.status == "occurred"})
    assert {t: n for t, n in shown[column].items() if n} == dict(expected)


def test_route_view_names_the_number_of_studies_of_each_route(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    n = sum(1 for s in specs if s.extracted and "intravenous" in s.routes)
    assert f"Intravenous (n={n:,})" in route_table(at).columns


def test_route_view_follows_the_form_filter(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch)
    at.multiselect(key="ae_forms").set_value(["esketamine"]).run()
    shown = route_table(at).set_index("term")
    expected = Counter(t for s in specs if s.extracted and "esketamine" in s.forms and "intranasal" in s.routes
                       for t in {a.term for a in s.adverse_events if a.status == "occurred"})
    column = next(col for col in shown.columns if str(col).startswith("Intranasal (n="))
    assert {t: n for t, n in shown[column].items() if n} == dict(expected)


def test_evidence_sentences_follow_the_route_filter(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch, route="oral")
    term = at.selectbox(key="ae_term").value
    rows = next(d.value for d in at.dataframe if "sentence" in d.value.columns)
    expected = sum(1 for s in specs if s.extracted and "oral" in s.routes for a in s.adverse_events
                   if a.term == term and a.status == "occurred")
    assert len(rows) == expected


# --------------------------------------------------------------------------- filters in the URL


def test_filters_are_read_from_the_url(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch, route="intranasal", form="esketamine")
    assert (at.multiselect(key="ae_routes").value, at.multiselect(key="ae_forms").value) == (["intranasal"], ["esketamine"])


def test_filters_from_the_url_change_the_counts(backend_db, monkeypatch):
    url, specs = backend_db
    at = page(url, monkeypatch, route="intranasal", form="esketamine")
    assert reports_metric(at) == occurred_reports(specs, lambda s: "intranasal" in s.routes and "esketamine" in s.forms)


def test_unknown_values_in_the_url_are_ignored(backend_db, monkeypatch):
    url, _ = backend_db
    at = page(url, monkeypatch, route="'; DROP TABLE article; --", tier="nonsense", year_min="abc")
    assert not at.exception and at.multiselect(key="ae_routes").value == [] and at.multiselect(key="ae_tiers").value == []


def test_changed_filters_are_written_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page(url, monkeypatch)
    at.multiselect(key="ae_routes").set_value(["intranasal", "oral"]).run()
    at.multiselect(key="ae_tiers").set_value(["rct"]).run()
    assert (at.query_params["route"], at.query_params["tier"]) == (["intranasal", "oral"], "rct")


def test_year_range_is_written_to_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page(url, monkeypatch)
    at.slider(key="ae_years").set_value((2015, 2020)).run()
    assert (at.query_params["year_min"], at.query_params["year_max"]) == ("2015", "2020")


def test_url_written_by_the_page_reproduces_the_view(backend_db, monkeypatch):
    url, _ = backend_db
    at = page(url, monkeypatch)
    at.multiselect(key="ae_forms").set_value(["esketamine"]).run()
    at.multiselect(key="ae_routes").set_value(["intranasal"]).run()
    at.radio(key="ae_status").set_value("all").run()
    shared = page(url, monkeypatch, **at.query_params)
    assert (reports_metric(shared), shared.radio(key="ae_status").value, shared.selectbox(key="ae_term").value) == (
        reports_metric(at), "all", at.selectbox(key="ae_term").value)


def test_cleared_filter_leaves_the_url(backend_db, monkeypatch):
    url, _ = backend_db
    at = page(url, monkeypatch, route="oral")
    at.multiselect(key="ae_routes").set_value([]).run()
    assert "route" not in at.query_params


# --------------------------------------------------------------------------- trials and participants


def _trial_specs():
    from datetime import datetime, timezone

    from support.synthetic_db import AdverseEventSpec, ArticleSpec

    seen = datetime(2026, 1, 5, tzinfo=timezone.utc)

    def spec(pmid, route, n, events, frequent=(), **kw):
        return ArticleSpec(pmid=pmid, topics=["depression"], conditions=["depression"], routes=[route], sample_size=n,
                           forms=["esketamine"] if route == "intranasal" else ["racemic"], first_seen=seen,
                           adverse_events=[AdverseEventSpec(term=t, organ_class="nervous system",
                                                            **({"frequency": "12/40", "frequency_pct": 30.0} if t in frequent else {}))
                                           for t in events], **kw)

    return [  # dissociation's frequency is stated by both reports of trial 1
        spec(1, "intranasal", 120, ["dissociation", "dizziness"], frequent=["dissociation"], nct_ids=["NCT01234567"]),
        spec(2, "intranasal", 80, ["dissociation"], frequent=["dissociation"], nct_ids=["NCT01234567"]),  # a secondary report of trial 1
        spec(3, "intranasal", 30, ["dissociation"]),
        spec(4, "intravenous", 50, ["dizziness"]),
        spec(5, "intravenous", 10, []),
    ]


@pytest.fixture
def shared_trial(db_url):
    """Five studies, two of them reports of one trial (NCT01234567), on SQLite and PostgreSQL."""
    from sqlmodel import SQLModel

    from db.engine import make_engine
    from support.synthetic_db import write_specs

    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    write_specs(engine, _trial_specs())
    engine.dispose()
    st.cache_data.clear()
    return db_url


def event_table(at: AppTest):
    return next(d.value for d in at.dataframe if "trials" in d.value.columns and "evidence" in d.value.columns)


def test_studies_reporting_an_event_are_counted_as_trials_once(shared_trial, monkeypatch):
    at = page(shared_trial, monkeypatch)
    assert "3 trials, 200 participants" in [cap.value for cap in at.caption]  # 120 (trial of 1 and 2) + 30 + 50


def test_studies_reporting_an_event_metric_counts_every_report(shared_trial, monkeypatch):
    at = page(shared_trial, monkeypatch)
    assert next(m.value for m in at.metric if m.label == "Studies reporting an event") == "4"


def test_each_event_is_counted_in_trials_and_participants(shared_trial, monkeypatch):
    at = page(shared_trial, monkeypatch)
    table = event_table(at).set_index("term")
    assert (table.loc["dissociation", "trials"], table.loc["dizziness", "trials"]) == (
        "2 trials, 150 participants", "2 trials, 170 participants")


def test_event_trials_follow_the_route_filter(shared_trial, monkeypatch):
    at = page(shared_trial, monkeypatch, route="intranasal")
    assert event_table(at).set_index("term").loc["dizziness", "trials"] == "1 trial, 120 participants"


def test_route_studies_are_counted_in_trials_and_participants(shared_trial, monkeypatch):
    at = page(shared_trial, monkeypatch)
    caption = next(cap.value for cap in at.caption if cap.value.startswith("Studies of each route"))
    assert ("Intranasal 3 studies (2 trials, 150 participants)" in caption,
            "Intravenous 2 studies (2 trials, 60 participants)" in caption) == (True, True)


def test_studies_stating_a_frequency_are_counted_as_trials_once(shared_trial, monkeypatch):
    at = page(shared_trial, monkeypatch)
    table = next(d.value for d in at.dataframe if "median_pct" in d.value.columns).set_index("term")
    assert (table.loc["dissociation", "studies"], table.loc["dissociation", "trials"]) == (2, "1 trial, 120 participants")
