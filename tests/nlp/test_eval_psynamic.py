"""Accuracy floors on PsyNamic and StudyTypeTeller (a little under the measured
figures in nlp/resources/accuracy.json); skipped when ../shared/data is absent."""

import pytest

from support import shared_data


@pytest.fixture(scope="module")
def psynamic_metrics():
    from nlp.evaluation import psynamic

    root = shared_data("psynamic", "derived_ketamine_studies.csv").parents[1]
    return {(m.field, m.metric): m.value for m in psynamic.evaluate(root)}


@pytest.fixture(scope="module")
def stt_metrics():
    from nlp.evaluation import studytypeteller

    root = shared_data("studytypeteller", "full_combined_dataset_1996.csv").parents[1]
    return {(m.field, m.metric): m.value for m in studytypeteller.evaluate(root)}


def test_psynamic_design_macro_f1(psynamic_metrics):
    assert psynamic_metrics[("design", "macro_f1")] >= 0.89


def test_psynamic_rct_f1(psynamic_metrics):
    assert psynamic_metrics[("design_rct", "f1")] >= 0.94


def test_psynamic_conditions_micro_f1(psynamic_metrics):
    assert psynamic_metrics[("conditions", "micro_f1")] >= 0.93


def test_psynamic_participant_band_weighted_f1(psynamic_metrics):
    assert psynamic_metrics[("sample_size_band", "weighted_f1")] >= 0.93


def test_psynamic_routes_micro_f1(psynamic_metrics):
    assert psynamic_metrics[("routes", "micro_f1")] >= 0.89


def test_studytypeteller_rct_f1(stt_metrics):
    assert stt_metrics[("design_rct", "f1")] >= 0.84


def test_studytypeteller_systematic_review_f1(stt_metrics):
    assert stt_metrics[("design_systematic_review", "f1")] >= 0.89


def test_participant_bands_follow_label_encoder_order():
    from nlp.evaluation.psynamic import participant_bands

    root = shared_data("psynamic", "training_round2", "label_options.tsv").parents[2]
    assert participant_bands(root)[:4] == ["1-20", "100-199", "200-499", "21-40"]


def test_psynamic_efficacy_direction_weighted_f1(psynamic_metrics):
    assert psynamic_metrics[("efficacy_direction", "weighted_f1")] >= 0.815


def test_studytypeteller_case_report_f1(stt_metrics):
    assert stt_metrics[("design_case_report", "f1")] >= 0.74


def test_studytypeteller_preclinical_f1(stt_metrics):
    assert stt_metrics[("design_preclinical", "f1")] >= 0.72


def test_studytypeteller_protocol_f1(stt_metrics):
    assert stt_metrics[("design_protocol", "f1")] >= 0.76
