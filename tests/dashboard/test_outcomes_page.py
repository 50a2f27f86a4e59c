"""Outcomes page: the KPIs count the extractor's own verdicts, trials once; one label set per legend."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES
from db.engine import make_engine
from support.synthetic_db import ArticleSpec, OutcomeSpec, write_specs

TIMEOUT = 120
SEEN = datetime(2026, 1, 5, tzinfo=timezone.utc)


def spec(pmid: int, direction: str, n: int, nct: tuple[str, ...] = (), design: str = "rct", **kw) -> ArticleSpec:
    """An extracted article with the verdict the NLP stage writes (positive | null | negative | mixed | not_applicable)."""
    return ArticleSpec(pmid=pmid, topics=["depression"], design=design, conditions=["depression"], routes=["intravenous"],
                       sample_size=n, efficacy_direction=direction, nct_ids=list(nct), first_seen=SEEN, **kw)


SPECS = [
    spec(1, "positive", 100, ("NCT01000001",), outcomes=[OutcomeSpec("MADRS", "improved")]),
    spec(2, "positive", 40, ("NCT01000001",)),  # a secondary report of trial 1
    spec(3, "positive", 60),
    spec(4, "null", 80, outcomes=[OutcomeSpec("HAM-D", "no_difference")]),
    spec(5, "mixed", 20),
    spec(6, "not_applicable", None, design="review"),
    spec(7, "positive", 1, design="case_report"),
]


@pytest.fixture
def seeded(db_url):
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    write_specs(engine, SPECS)
    engine.dispose()
    return db_url


def outcomes(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    return AppTest.from_file(str(PAGES / "outcomes.py"), default_timeout=TIMEOUT).run()


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def chart_domains(at: AppTest) -> list[list[str]]:
    """The colour domains of the charts on the page (each chart's legend)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    return [d for d in (s.get("encoding", {}).get("color", {}).get("scale", {}).get("domain") for s in specs) if d]


def test_favouring_ketamine_counts_the_positive_verdicts_each_trial_once(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    assert not at.exception
    # articles 1+2 are one trial; 3 and the case report 7 are trials of their own
    assert metric(at, "…favouring ketamine") == 3


def test_trials_with_a_result_leave_out_studies_without_verdict(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    assert metric(at, "Trials with a stated result") == 5


def test_participants_count_a_trial_once_at_its_largest_report(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    assert metric(at, "Participants in trials with a result") == 100 + 60 + 80 + 20 + 1


def test_design_tier_filter_narrows_the_kpi(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    at.multiselect(key="out_tiers").set_value(["case"]).run()
    assert metric(at, "…favouring ketamine") == 1


def test_verdict_chart_legend_uses_the_study_verdict_labels_only(seeded, monkeypatch):
    from dashboard.common import direction_label

    at = outcomes(seeded, monkeypatch)
    verdicts = [direction_label(d) for d in ("positive", "mixed", "null", "negative")]
    assert verdicts in chart_domains(at)


def test_outcome_measure_legend_uses_the_outcome_labels_only(seeded, monkeypatch):
    from dashboard.common import direction_label

    at = outcomes(seeded, monkeypatch)
    measures = [direction_label(d) for d in ("improved", "no_difference", "worsened", "unclear")]
    assert measures in chart_domains(at)


def test_no_legend_mixes_the_two_label_sets(seeded, monkeypatch):
    from dashboard.common import direction_label

    at = outcomes(seeded, monkeypatch)
    study, outcome = direction_label("positive"), direction_label("improved")
    assert not any(study in d and outcome in d for d in chart_domains(at))


def test_weight_toggle_is_not_squeezed_into_a_filter_column(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    in_columns = [t for col in at.columns for t in col.get("toggle")]
    assert at.toggle(key="out_weighted").label == "Weight by sample size" and in_columns == []


def test_rct_summary_counts_trials_and_participants(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    assert any("**5** RCT reports: 4 trials, 260 participants" in m.value for m in at.markdown)


def test_filters_are_written_to_the_url(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    at.multiselect(key="out_tiers").set_value(["case"]).run()
    assert at.query_params["tier"] == "case"


def test_filters_from_a_shared_url_reproduce_the_view(seeded, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded)
    at = AppTest.from_file(str(PAGES / "outcomes.py"), default_timeout=TIMEOUT)
    at.query_params["tier"] = "case"
    at.query_params["weighted"] = "True"
    at.run()
    assert (metric(at, "…favouring ketamine"), at.toggle(key="out_weighted").value) == (1, True)


def test_counts_behind_the_chart_give_trials_next_to_the_articles_listed(seeded, monkeypatch):
    from dashboard.common import direction_label

    at = outcomes(seeded, monkeypatch)
    drill = next(d.value for d in at.dataframe if "studies_link" in d.value.columns)
    row = drill[(drill["condition"] == "depression") & (drill["result"] == direction_label("positive"))].iloc[0]
    # articles 1, 2 (one trial), 3 and the case report 7
    assert row[["studies", "trials", "participants"]].tolist() == [4, 3, 161]


def test_condition_filter_keeps_only_that_condition_in_the_counts(seeded, monkeypatch):
    at = outcomes(seeded, monkeypatch)
    at.multiselect(key="out_conditions").set_value(["depression"]).run()
    drill = next(d.value for d in at.dataframe if "studies_link" in d.value.columns)
    assert not at.exception and set(drill["condition"]) == {"depression"}
