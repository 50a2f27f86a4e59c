"""Scoring of the ketamine development gold set (nlp/evaluation/ketamine_gold.py):
accept/optional and adverse-event status semantics on small hand-written records,
the bootstrap interval and the even/odd split; floors on the real gold file,
skipped when ../shared/data is absent."""

import pytest

from support import shared_data

from nlp.evaluation import ketamine_gold as kg


def gold(id_="2", **fields):
    """A gold record with empty/neutral labels unless given."""
    record = {"id": id_, "title": "Ketamine trial", "abstract": "Ketamine was given.", "design": "rct",
              "sample_size": 20, "efficacy_direction": "positive", "serious_ae": "unstated", "conditions": ["depression"],
              "routes": ["intravenous"], "ae_reported": [], "ae_negated": [], "accept": {}, "optional": {}}
    record.update(fields)
    return record


def pred(**fields):
    """An extraction (the keys of extract_article that are scored) matching :func:`gold`'s defaults."""
    result = {"design": "rct", "sample_size": 20, "efficacy_direction": "positive", "serious_ae": "unstated",
              "conditions": ["depression"], "routes": ["intravenous"], "adverse_events": [], "spans": [], "outcomes": []}
    result.update(fields)
    return result


def ae(term, negated=False, status=None, sentence=""):
    entry = {"term": term, "negated": negated, "sentence": sentence}
    if status is not None:
        entry["status"] = status
    return entry


# -- single-valued fields ----------------------------------------------------------------------


def test_accepted_answer_counts_as_right():
    record = gold(design="rct", accept={"design": ["non_randomized_trial"]})
    assert kg.compare(record, pred(design="non_randomized_trial"))["design"] is True


def test_answer_neither_gold_nor_accepted_is_wrong():
    record = gold(design="rct", accept={"design": ["non_randomized_trial"]})
    assert kg.compare(record, pred(design="observational"))["design"] is False


def test_missing_serious_ae_counts_as_unstated():
    assert kg.compare(gold(serious_ae="unstated"), pred(serious_ae=None))["serious_ae"] is True


def test_null_sample_size_matches_null_gold():
    assert kg.compare(gold(sample_size=None), pred(sample_size=None))["sample_size"] is True


# -- list fields -------------------------------------------------------------------------------


def test_optional_item_predicted_is_not_a_false_positive():
    record = gold(routes=["intravenous"], optional={"routes": ["oral"]})
    assert kg.compare(record, pred(routes=["intravenous", "oral"]))["routes"] == (1, 0, 0)


def test_optional_item_missed_is_not_a_false_negative():
    record = gold(ae_reported=["nausea"], optional={"ae_reported": ["dizziness"]})
    assert kg.compare(record, pred(adverse_events=[ae("nausea")]))["ae_reported"] == (1, 0, 0)


def test_extra_and_missing_items_count_as_fp_and_fn():
    record = gold(conditions=["depression", "pain"])
    assert kg.compare(record, pred(conditions=["depression", "migraine"]))["conditions"] == (1, 1, 1)


def test_adverse_event_names_compare_case_and_blank_insensitively():
    record = gold(ae_reported=["Respiratory  depression"])
    assert kg.compare(record, pred(adverse_events=[ae("respiratory depression")]))["ae_reported"] == (1, 0, 0)


# -- adverse-event status ------------------------------------------------------------------------


def test_status_occurred_counts_as_reported():
    assert kg.ae_sets([ae("nausea", negated=True, status="occurred")]) == ({"nausea"}, set())


def test_status_not_occurred_counts_as_negated():
    assert kg.ae_sets([ae("nausea", negated=False, status="not_occurred")]) == (set(), {"nausea"})


@pytest.mark.parametrize("status", ["planned", "background", "other_drug"])
def test_other_statuses_count_as_neither(status):
    assert kg.ae_sets([ae("nausea", status=status)]) == (set(), set())


def test_entry_without_status_falls_back_to_negated_flag():
    assert kg.ae_sets([ae("nausea"), ae("vomiting", negated=True)]) == ({"nausea"}, {"vomiting"})


# -- figures and intervals -----------------------------------------------------------------------


def test_micro_precision_recall_f1_pool_counts():
    outcomes = [{**kg.compare(gold(), pred()), "routes": (1, 1, 0)}, {**kg.compare(gold(), pred()), "routes": (1, 0, 2)}]
    f = kg.figures(outcomes)
    assert (f[("routes", "precision")], f[("routes", "recall")], f[("routes", "f1")]) == pytest.approx((2 / 3, 0.5, 4 / 7))


def test_precision_without_predictions_is_one():
    record = gold(ae_negated=["nausea"])
    f = kg.figures([kg.compare(record, pred())])
    assert (f[("ae_negated", "precision")], f[("ae_negated", "recall")]) == (1.0, 0.0)


def _mixed_outcomes(n=40):
    """Abstracts where every third design is wrong and routes sometimes over-predicted."""
    out = []
    for i in range(n):
        p = pred(design="observational" if i % 3 == 0 else "rct", routes=["intravenous", "oral"] if i % 4 == 0 else ["intravenous"])
        out.append(kg.compare(gold(str(i)), p))
    return out


def test_bootstrap_interval_contains_point_value():
    outcomes = _mixed_outcomes()
    point, ci = kg.figures(outcomes), kg.bootstrap(outcomes, resamples=200, seed=1)
    assert all(ci[k][0] <= v <= ci[k][1] for k, v in point.items())


def test_bootstrap_interval_has_width_when_outcomes_vary():
    low, high = kg.bootstrap(_mixed_outcomes(), resamples=200, seed=1)[("design", "accuracy")]
    assert low < high


def test_bootstrap_is_deterministic_with_seed():
    outcomes = _mixed_outcomes()
    assert kg.bootstrap(outcomes, resamples=100, seed=7) == kg.bootstrap(outcomes, resamples=100, seed=7)


def test_percentile_takes_the_ceil_qb_th_replicate():
    values = [i / 1000 for i in range(1000)]
    assert (kg.percentile(values, 0.025), kg.percentile(values, 0.975)) == (0.024, 0.974)


# -- halves --------------------------------------------------------------------------------------


def test_even_ids_are_the_tuning_half():
    assert (kg.half("90000162"), kg.half(90000163)) == (kg.EVEN, kg.ODD)


def test_score_reports_all_even_and_odd_with_their_n():
    records = [gold(str(i)) for i in range(5)]
    rows = kg.score(records, [pred() for _ in records], resamples=20)
    n = {m.subset: m.n for m in rows}
    assert n == {kg.ALL: 5, kg.EVEN: 3, kg.ODD: 2}


def test_score_rows_carry_interval_and_dataset():
    rows = kg.score([gold("1"), gold("2")], [pred(), pred(design="other")], resamples=20)
    row = next(m for m in rows if m.subset == kg.ALL and m.field == "design")
    assert (row.dataset, row.value, row.low <= row.value <= row.high) == ("ketamine-gold-dev", 0.5, True)


def test_score_has_one_row_per_subset_field_and_metric():
    rows = kg.score([gold("1"), gold("2")], [pred(), pred()], resamples=5)
    assert len(rows) == 3 * (len(kg.SCALARS) + 3 * len(kg.SETS))


# -- error lists ---------------------------------------------------------------------------------


def test_error_list_shows_only_the_tuning_half_by_default():
    records = [gold("2"), gold("3")]
    rows = kg.errors(records, [pred(design="other"), pred(design="other")], "design")
    assert [r["id"] for r in rows] == ["2"]


def test_error_list_gives_missing_extra_and_evidence():
    record = gold("4", ae_reported=["nausea"])
    p = pred(adverse_events=[ae("dizziness", sentence="Dizziness occurred in two patients.")])
    row = kg.errors([record], [p], "ae_reported")[0]
    assert (row["missing"], row["extra"], row["evidence"]) == (["nausea"], ["dizziness"], ["[dizziness: not negated] Dizziness occurred in two patients."])


def test_error_list_skips_right_answers():
    assert kg.errors([gold("2")], [pred()], "routes") == []


def test_errors_dir_inside_repository_is_refused():
    from ketamine_tracker.commands.evaluate import REPO, errors_dir
    from ketamine_tracker.errors import UsageError

    with pytest.raises(UsageError):
        errors_dir(str(REPO / "docs" / "errors"))


# -- the real gold file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_metrics():
    root = shared_data("ketamine-gold-dev", "gold_dev.jsonl").parents[1]
    return {(m.subset, m.field, m.metric): m for m in kg.evaluate(root)}


# Floors a little under the figures extractor 1.3.0 reached on all 150 abstracts
# (design 0.907, sample size 0.920 (extractor 1.3.1), efficacy 0.867, serious AE 0.953, conditions F1 0.966,
# routes F1 0.982 / precision 0.978, AE reported F1 0.862 / precision 0.928, AE negated F1 0.760).
FLOORS = {
    ("design", "accuracy"): 0.89,
    ("sample_size", "accuracy"): 0.91,
    ("efficacy_direction", "accuracy"): 0.85,
    ("serious_ae", "accuracy"): 0.94,
    ("conditions", "f1"): 0.95,
    ("routes", "f1"): 0.97,
    ("routes", "precision"): 0.96,
    ("ae_reported", "f1"): 0.84,
    ("ae_reported", "precision"): 0.91,
    ("ae_negated", "f1"): 0.74,
}
# and on the held-back odd half, which no rule was written from (efficacy 0.768, AE reported F1 0.757,
# design 0.855)
HELD_BACK_FLOORS = {
    ("efficacy_direction", "accuracy"): 0.75,
    ("ae_reported", "f1"): 0.73,
    ("design", "accuracy"): 0.84,
}


@pytest.mark.parametrize("field,metric", list(FLOORS))
def test_gold_figure_meets_floor(gold_metrics, field, metric):
    assert gold_metrics[(kg.ALL, field, metric)].value >= FLOORS[(field, metric)]


@pytest.mark.parametrize("field,metric", list(HELD_BACK_FLOORS))
def test_held_back_figure_meets_floor(gold_metrics, field, metric):
    assert gold_metrics[(kg.ODD, field, metric)].value >= HELD_BACK_FLOORS[(field, metric)]


def test_gold_set_scores_all_150_abstracts(gold_metrics):
    assert {(s, m.n) for (s, f, _), m in gold_metrics.items() if f == "design"} == {(kg.ALL, 150), (kg.EVEN, 81), (kg.ODD, 69)}


def test_gold_intervals_contain_the_figures(gold_metrics):
    assert all(m.low <= m.value <= m.high for m in gold_metrics.values())
