"""db.trials: reports of one trial counted once ("k trials, n participants")."""

from __future__ import annotations

import csv

import pytest
from sqlmodel import Session

from db.models import Article
from db.trials import (
    KeyChanges,
    count_trials,
    link_reports,
    parent_study_names,
    registry_ids,
    store_trial_keys,
    summarise,
    trial_index,
)

from support import SHARED_DATA, add_study as add, commit_as_the_nightly_job as stored


@pytest.fixture
def db(db_engine):
    """A session on an empty database, once per backend."""
    with Session(db_engine) as s:
        yield s


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Registered with ClinicalTrials.gov as NCT01234567.", ["NCT01234567"]),
        ("TRIAL REGISTRY: NCT#00451277 at the US registry", ["NCT00451277"]),
        ("Registry ISRCTN, record ISRCTN50093318", ["ISRCTN50093318"]),
        ("Its EudraCT Number: 2016-004417-38.", ["EUDRACT2016-004417-38"]),
        ("Listed in Europe (EudraCT-No.: 2019-003261-05, March 2019)", ["EUDRACT2019-003261-05"]),
        ("The trial is ChiCTR2100048813 in the Chinese registry", ["CHICTR2100048813"]),
        ("Chinese number ChiCTR-TRC-13003902 , registered 2013", ["CHICTRTRC-13003902"]),
        ("Iranian registry code IRCT20170912036277N3; see its site", ["IRCT20170912036277N3"]),
        ("Prospectively registered as ACTRN12617000554321p in Australia", ["ACTRN12617000554321"]),
        ("Indian registration CTRI/2020/11/029114 applies.", ["CTRI/2020/11/029114"]),
        ("German registry record DRKS00023456 applies.", ["DRKS00023456"]),
        ("Registered in Japan as UMIN000041877.", ["UMIN000041877"]),
        ("Brazilian registry RBR-7q4k2wz applies.", ["RBR-7Q4K2WZ"]),
    ],
)
def test_registry_identifier_is_found_in_its_written_forms(text, expected):
    assert registry_ids(text) == expected


def test_a_space_inside_an_nct_number_gives_the_same_identifier():
    assert registry_ids("(NCT 01234567)") == registry_ids("(NCT01234567)")


def test_two_registrations_of_one_abstract_are_both_found_in_order():
    assert registry_ids("EudraCT 2018-001745-92 and NCT04720358.") == ["EUDRACT2018-001745-92", "NCT04720358"]


@pytest.mark.parametrize("text", ["the function 12345678 of the NMDA receptor", "INTRODUCTION 2019 data", "NCT0123456 (seven digits)"])
def test_text_without_a_registration_gives_no_identifier(text):
    assert registry_ids(text) == []


def test_secondary_analysis_names_its_parent_study():
    text = "We report a secondary analysis of the KET-MOOD randomized trial comparing ketamine with ECT ..."
    assert parent_study_names(text) == ["KET-MOOD"]


def test_secondary_analysis_of_an_unnamed_trial_names_no_study():
    assert parent_study_names("This is a secondary analysis of a Phase 2 trial of esketamine.") == []


def test_pooled_analysis_of_two_named_studies_names_neither():
    # "DAWN I and DAWN II studies" are two trials: no single parent to join
    assert parent_study_names("a post hoc analysis of the DAWN I and DAWN II studies") == []


# --------------------------------------------------------------------------- grouping


def test_reports_naming_one_registration_are_one_trial(db):
    add(db, 1, "Main results. Registered NCT01234567.", n=120)
    add(db, 2, "Secondary analysis of NCT01234567 in women.", n=60)
    stored(db)
    assert count_trials(db.connection(), [1, 2]).trials == 1


def test_trial_participants_are_its_largest_report(db):
    add(db, 1, "Main results. Registered NCT01234567.", n=120)
    add(db, 2, "Secondary analysis of NCT01234567 in women.", n=60)
    stored(db)
    assert count_trials(db.connection(), [1, 2]).participants == 120


def test_articles_without_registration_are_separate_trials(db):
    add(db, 1, "Randomised trial of ketamine.", n=30)
    add(db, 2, "Another randomised trial of ketamine.", n=40)
    stored(db)
    got = count_trials(db.connection(), [1, 2])
    assert (got.trials, got.participants) == (2, 70)


def test_stored_accession_groups_with_the_number_in_an_abstract(db):
    add(db, 1, "Results of a randomised trial.", n=100, nct_ids=("NCT01234567",))
    add(db, 2, "Long-term follow-up (ClinicalTrials.gov NCT01234567).", n=80)
    stored(db)
    assert count_trials(db.connection(), [1, 2]).trials == 1


def test_a_trial_registered_twice_joins_reports_of_either_number(db):
    add(db, 1, "Registered: EudraCT 2018-001745-92 and NCT04720358.", n=200)
    add(db, 2, "Post hoc analysis (EudraCT number 2018-001745-92).", n=150)
    add(db, 3, "Follow-up of NCT04720358.", n=90)
    stored(db)
    assert count_trials(db.connection(), [1, 2, 3]).trials == 1


def test_secondary_analysis_naming_its_parent_joins_the_parent(db):
    add(db, 1, "The KET-MOOD trial compared ketamine with ECT. NCT03990417.", n=403)
    add(db, 2, "We report a secondary analysis of the KET-MOOD randomized trial: sleep improved.", n=365)
    stored(db)
    got = count_trials(db.connection(), [1, 2])
    assert (got.trials, got.participants) == (1, 403)


def test_selection_counts_only_its_own_reports_participants(db):
    add(db, 1, "Main results. NCT01234567.", n=120)
    add(db, 2, "Subgroup analysis of NCT01234567.", n=60)
    stored(db)
    assert count_trials(db.connection(), [2]).participants == 60


def test_trial_without_a_stated_size_counts_as_a_trial_without_participants(db):
    add(db, 1, "A trial.", n=None)
    add(db, 2, "A second trial.", n=25)
    stored(db)
    got = count_trials(db.connection(), [1, 2])
    assert (got.trials, got.participants, got.trials_without_n) == (2, 25, 1)


def test_deleted_article_is_left_out(db):
    add(db, 1, "A trial.", n=20)
    add(db, 2, "A deleted trial.", n=50, deleted=True)
    stored(db)
    assert count_trials(db.connection(), [1, 2]).reports == 1


def test_unknown_pmids_are_left_out(db):
    add(db, 1, "A trial.", n=20)
    stored(db)
    assert count_trials(db.connection(), [1, 2, 2**40]).reports == 1


def test_article_not_extracted_is_a_trial_of_unknown_size(db):
    add(db, 1, "Registered NCT01234567.", extracted=False)
    stored(db)
    assert count_trials(db.connection(), [1]).trials_without_n == 1


def test_index_keys_a_group_by_its_smallest_identifier(db):
    add(db, 1, "EudraCT 2018-001745-92 and NCT04720358.", n=10)
    stored(db)
    assert trial_index(db.connection()) == {1: "EUDRACT2018-001745-92"}


def test_index_leaves_out_articles_linked_to_nothing(db):
    add(db, 1, "A randomised trial with no registration.", n=10)
    stored(db)
    assert trial_index(db.connection()) == {}


# --------------------------------------------------------------------------- stored keys


def test_linking_reads_the_text_and_the_index_reads_what_was_stored(db):
    add(db, 1, "Registered NCT01234567.", n=10)
    db.commit()
    assert (link_reports(db.connection()), trial_index(db.connection())) == ({1: "NCT01234567"}, {})


def test_counts_use_the_stored_keys_so_reports_written_since_count_apart_until_the_next_store(db):
    add(db, 1, "Main results. Registered NCT01234567.", n=120)
    add(db, 2, "Secondary analysis of NCT01234567 in women.", n=60)
    db.commit()
    before = count_trials(db.connection(), [1, 2]).trials
    stored(db)
    assert (before, count_trials(db.connection(), [1, 2]).trials) == (2, 1)


def test_storing_twice_changes_nothing(db):
    add(db, 1, "Registered NCT01234567.", n=10)
    add(db, 2, "Follow-up of NCT01234567.", n=10)
    stored(db)
    assert store_trial_keys(db.connection()) == KeyChanges(linked=2, added=0, changed=0, removed=0)


def test_store_reports_the_rows_it_added(db):
    add(db, 1, "Registered NCT01234567.", n=10)
    add(db, 2, "Follow-up of NCT01234567.", n=10)
    db.commit()
    assert store_trial_keys(db.connection()).added == 2


def test_an_article_that_no_longer_names_a_registration_loses_its_key(db):
    add(db, 1, "Registered NCT01234567.", n=10)
    stored(db)
    db.get(Article, 1).abstract = "Registration withdrawn."
    db.commit()
    changes = store_trial_keys(db.connection())
    assert (changes.removed, trial_index(db.connection())) == (1, {})


def test_a_deleted_article_loses_its_key(db):
    add(db, 1, "Registered NCT01234567.", n=10)
    stored(db)
    db.get(Article, 1).is_deleted = True
    db.commit()
    store_trial_keys(db.connection())
    assert trial_index(db.connection()) == {}


def test_a_report_joining_a_group_with_a_smaller_identifier_changes_the_group_key(db):
    add(db, 1, "Registered NCT04720358.", n=10)
    stored(db)
    add(db, 2, "Registered as EudraCT 2018-001745-92 and NCT04720358.", n=10)
    db.commit()
    changes = store_trial_keys(db.connection())
    assert (changes.added, changes.changed, trial_index(db.connection())[1]) == (1, 1, "EUDRACT2018-001745-92")


def test_deleting_an_article_deletes_its_stored_key(db):
    add(db, 1, "Registered NCT01234567.", n=10, extracted=False)
    stored(db)
    db.delete(db.get(Article, 1))
    db.commit()
    assert trial_index(db.connection()) == {}


def test_summarise_counts_a_repeated_row_once():
    assert summarise([(1, 10), (1, 10)], {}).trials == 1


def test_label_says_trials_and_participants():
    got = summarise([(1, 1200), (2, 140)], {})
    assert got.label() == "2 trials, 1,340 participants"


# --------------------------------------------------------------------------- real abstracts


def test_every_nct_number_in_real_ketamine_abstracts_is_found():
    """Each ``NCT`` + 8 digits written in the PsyNamic PubMed export (real 2024-25 records) is recognised."""
    import re

    path = SHARED_DATA / "psynamic" / "pubmed_results" / "pubmed_results_20250306.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (see /work/shared/data/INDEX.md)")
    with path.open(encoding="utf-8", newline="") as fh:
        texts = [" ".join(row) for row in csv.reader(fh)]
    written = {f"NCT{m}" for t in texts for m in re.findall(r"\bNCT(\d{8})\b", t)}
    found = {i for t in texts for i in registry_ids(t) if i.startswith("NCT")}
    assert written and written <= found


def test_every_registry_marker_contains_an_sql_marker():
    """The SQL pre-selection (sql_markers) finds every article a registry pattern can match."""
    from db.trials import rules

    r = rules()
    assert all(any(s in m for s in r.sql_markers) for reg in r.registries for m in reg.markers)
