"""Evidence-gap map page: trials and participants per condition × route, click-through to the
explorer, filters kept in the URL; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import streamlit as st
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES
from db.engine import make_engine
from support.synthetic_db import ArticleSpec, write_specs

TIMEOUT = 120
SEEN = datetime(2026, 1, 5, tzinfo=timezone.utc)


def spec(pmid: int, condition: str, route: str, n: int, design: str = "rct", **kw) -> ArticleSpec:
    return ArticleSpec(pmid=pmid, topics=[condition], design=design, conditions=[condition], routes=[route],
                       sample_size=n, efficacy_direction="positive", first_seen=SEEN, **kw)


SPECS = [
    spec(1, "depression", "intravenous", 100, nct_ids=["NCT01234567"]),
    spec(2, "depression", "intravenous", 40, nct_ids=["NCT01234567"]),  # secondary report of trial 1
    spec(3, "depression", "intranasal", 200, forms=["esketamine"]),
    spec(4, "pain", "intravenous", 30, design="case_report"),
    spec(5, "migraine", "intranasal", 20, is_retracted=True),
]


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()


@pytest.fixture
def seeded(db_url):
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    write_specs(engine, SPECS)
    engine.dispose()
    return db_url


def gaps(url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / "gaps.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def cells(at: AppTest):
    frame = next(d.value for d in at.dataframe if {"condition_label", "route_label"} <= set(d.value.columns))
    return frame.set_index(["condition_label", "route_label"])


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "in this selection" in m.value)


def test_cell_counts_one_trial_for_two_reports(seeded, monkeypatch):
    row = cells(gaps(seeded, monkeypatch)).loc[("Depression", "Intravenous")]
    assert row[["trials", "participants", "reports"]].tolist() == [1, 100, 2]


def test_cell_links_to_the_explorer_with_its_filters(seeded, monkeypatch):
    row = cells(gaps(seeded, monkeypatch)).loc[("Depression", "Intranasal")]
    assert row["explorer"] == "./explorer?condition=depression&route=intranasal&retracted=0"


def test_retracted_articles_are_not_counted_by_default(seeded, monkeypatch):
    assert "**3 trials, 330 participants**" in summary(gaps(seeded, monkeypatch))


def test_retracted_articles_counted_when_the_url_asks(seeded, monkeypatch):
    assert "**4 trials, 350 participants**" in summary(gaps(seeded, monkeypatch, with_retracted="True"))


def test_design_tier_from_the_url_filters_the_map(seeded, monkeypatch):
    assert "**1 trial, 30 participants**" in summary(gaps(seeded, monkeypatch, tier="case"))


def test_form_filter_is_written_to_the_url(seeded, monkeypatch):
    at = gaps(seeded, monkeypatch)
    at.multiselect(key="g_forms").set_value(["esketamine"]).run()
    assert at.query_params["form"] == "esketamine"


def test_form_filter_from_the_url_narrows_the_map(seeded, monkeypatch):
    assert "**1 trial, 200 participants**" in summary(gaps(seeded, monkeypatch, form="esketamine"))


def test_split_by_design_round_trips_through_the_url(seeded, monkeypatch):
    at = gaps(seeded, monkeypatch)
    at.toggle(key="g_by_design").set_value(True).run()
    again = gaps(seeded, monkeypatch, **at.query_params)
    assert again.toggle(key="g_by_design").value is True


def test_split_by_design_links_each_cell_to_its_tier(seeded, monkeypatch):
    at = gaps(seeded, monkeypatch, by_design="True")
    row = cells(at).loc[("Pain", "Intravenous")]
    assert row["explorer"] == "./explorer?condition=pain&route=intravenous&tier=case&retracted=0"


def test_map_cells_click_through_to_the_explorer(seeded, monkeypatch):
    at = gaps(seeded, monkeypatch)
    layers = [layer for chart in at.get("vega_lite_chart") for layer in json.loads(chart.proto.spec).get("layer", [])]
    assert any(layer.get("encoding", {}).get("href", {}).get("field") == "explorer" for layer in layers)


def test_unknown_url_values_are_ignored(seeded, monkeypatch):
    at = gaps(seeded, monkeypatch, tier="'; DROP TABLE article; --", show="nonsense")
    assert at.multiselect(key="g_tiers").value == [] and at.radio(key="g_measure").value == "trials"


@pytest.mark.parametrize("db", ["empty_url", "no_schema_url", "missing_url"])
def test_gap_map_without_data_explains_first_harvest(db, request, monkeypatch):
    at = gaps(request.getfixturevalue(db), monkeypatch)
    assert "No data to show yet" in at.info[0].value


def test_unplaced_articles_have_no_explorer_link(db_url, monkeypatch):
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    write_specs(engine, [ArticleSpec(pmid=9, topics=["pain"], design="rct", conditions=["pain"], routes=[], sample_size=12,
                                     first_seen=SEEN)])
    engine.dispose()
    row = cells(gaps(db_url, monkeypatch)).loc[("Pain", "Unspecified")]
    assert row["trials"] == 1 and row["explorer"] is None


def test_year_range_from_the_url_reaches_the_cell_links(db_url, monkeypatch):
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    write_specs(engine, [spec(11, "pain", "oral", 10, pub_year=2010), spec(12, "pain", "oral", 20, pub_year=2020)])
    engine.dispose()
    at = gaps(db_url, monkeypatch, year_min="2015")
    row = cells(at).loc[("Pain", "Oral")]
    assert (row["trials"], row["explorer"]) == (1, "./explorer?condition=pain&route=oral&year_min=2015&retracted=0")
