"""db.evidence_map: trials and participants per condition × route (× design group)."""

from __future__ import annotations

from typing import Optional

import pytest
from sqlmodel import Session

from db.evidence_map import OTHER_GROUP, UNSPECIFIED, MapFilter, evidence_map
from db.models import Article, Extraction, ExtractionCondition, ExtractionRoute

from support import commit_as_the_nightly_job as stored


def add(session: Session, pmid: int, conditions=("depression",), routes=("intravenous",), *, n: Optional[int] = None,
        design: str = "rct", abstract: str = "", year: int = 2020, forms=("racemic",), retracted: bool = False,
        deleted: bool = False) -> None:
    session.add(Article(pmid=pmid, title="Ketamine", abstract=abstract, pub_year=year, is_retracted=retracted, is_deleted=deleted))
    session.add(Extraction(pmid=pmid, extractor_version="t", design=design, sample_size=n, conditions=list(conditions),
                           routes=list(routes), ketamine_forms=list(forms)))
    session.flush()
    for c in conditions:
        session.add(ExtractionCondition(pmid=pmid, condition=c))
    for r in routes:
        session.add(ExtractionRoute(pmid=pmid, route=r))


@pytest.fixture
def db(db_engine):
    with Session(db_engine) as s:
        yield s


def cell(m, condition, route, group=None):
    return next(c.count for c in m.cells if (c.condition, c.route, c.design_group) == (condition, route, group))


def test_cell_counts_trials_and_participants(db):
    add(db, 1, n=40)
    add(db, 2, n=60)
    stored(db)
    got = cell(evidence_map(db.connection()), "depression", "intravenous")
    assert (got.trials, got.participants) == (2, 100)


def test_reports_of_one_trial_count_once_in_a_cell(db):
    add(db, 1, n=120, abstract="Registered NCT01234567.")
    add(db, 2, n=50, abstract="Secondary analysis of NCT01234567.")
    stored(db)
    got = cell(evidence_map(db.connection()), "depression", "intravenous")
    assert (got.trials, got.participants, got.reports) == (1, 120, 2)


def test_article_with_two_routes_is_in_both_columns(db):
    add(db, 1, routes=("intravenous", "intranasal"), n=30)
    stored(db)
    m = evidence_map(db.connection())
    assert (cell(m, "depression", "intravenous").trials, cell(m, "depression", "intranasal").trials) == (1, 1)


def test_total_counts_an_article_in_two_cells_once(db):
    add(db, 1, routes=("intravenous", "intranasal"), n=30)
    stored(db)
    assert evidence_map(db.connection()).total.participants == 30


def test_combination_without_studies_is_an_empty_cell(db):
    add(db, 1, conditions=("depression",), routes=("intravenous",))
    add(db, 2, conditions=("migraine",), routes=("intranasal",))
    stored(db)
    assert cell(evidence_map(db.connection()), "migraine", "intravenous").trials == 0


def test_article_without_route_is_in_the_unspecified_column(db):
    add(db, 1, routes=())
    stored(db)
    assert cell(evidence_map(db.connection()), "depression", UNSPECIFIED).trials == 1


def test_filter_leaves_a_condition_as_an_empty_row(db):
    add(db, 1, conditions=("migraine",), year=2001)
    add(db, 2, conditions=("depression",), year=2020)
    stored(db)
    m = evidence_map(db.connection(), MapFilter(year_min=2010))
    assert "migraine" in m.conditions and cell(m, "migraine", "intravenous").trials == 0


def test_design_groups_split_the_cells(db):
    add(db, 1, design="rct")
    add(db, 2, design="case_report")
    stored(db)
    m = evidence_map(db.connection(), design_groups={"rct": "trials", "case_report": "cases"})
    assert (cell(m, "depression", "intravenous", "trials").trials, cell(m, "depression", "intravenous", "cases").trials) == (1, 1)


def test_design_not_in_the_groups_goes_to_other(db):
    add(db, 1, design="cohort")
    stored(db)
    m = evidence_map(db.connection(), design_groups={"rct": "trials"})
    assert cell(m, "depression", "intravenous", OTHER_GROUP).trials == 1


def test_design_filter(db):
    add(db, 1, design="rct")
    add(db, 2, design="case_report")
    stored(db)
    assert evidence_map(db.connection(), MapFilter(designs=("rct",))).total.trials == 1


def test_form_filter(db):
    add(db, 1, forms=("esketamine",))
    add(db, 2, forms=("racemic",))
    stored(db)
    assert evidence_map(db.connection(), MapFilter(forms=("esketamine",))).total.trials == 1


def test_retracted_articles_are_left_out_unless_asked(db):
    add(db, 1, retracted=True)
    stored(db)
    assert evidence_map(db.connection()).total.trials == 0


def test_retracted_articles_counted_on_request(db):
    add(db, 1, retracted=True)
    stored(db)
    assert evidence_map(db.connection(), MapFilter(include_retracted=True)).total.trials == 1


def test_deleted_articles_are_never_counted(db):
    add(db, 1, deleted=True)
    stored(db)
    assert evidence_map(db.connection(), MapFilter(include_retracted=True)).total.reports == 0


def test_rows_are_ordered_most_trials_first_unspecified_last(db):
    add(db, 1, conditions=())
    add(db, 2, conditions=("pain",))
    add(db, 3, conditions=("depression",))
    add(db, 4, conditions=("depression",))
    stored(db)
    assert evidence_map(db.connection()).conditions == ["depression", "pain", UNSPECIFIED]
