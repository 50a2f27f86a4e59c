"""Floors on the ADE-Corpus-V2 and BC5CDR figures (a little under the measured values).

Measured (blank and project pipeline alike): ADE recall_in_lexicon 0.944,
false_positive_rate 0.054, lexicon_coverage 0.123; BC5CDR ketamine CID recall
1.0, precision 0.556, CID-mention recall in lexicon 0.78, precision 0.734.
"""

import pytest
from support import shared_data

from nlp.evaluation import ade, bc5cdr


@pytest.fixture(scope="module")
def ade_metrics():
    root = shared_data("ade-corpus-v2", "DRUG-AE.rel").parents[1]
    return {m.metric: m for m in ade.evaluate(root)}


@pytest.fixture(scope="module")
def cdr_metrics():
    root = shared_data("bc5cdr", "CDR_TrainingSet.PubTator.txt").parents[1]
    return {(m.field, m.metric): m for m in bc5cdr.evaluate(root)}


def test_ade_recall_in_lexicon(ade_metrics):
    assert ade_metrics["recall_in_lexicon"].value >= 0.90


def test_ade_false_positive_rate(ade_metrics):
    assert ade_metrics["false_positive_rate"].value <= 0.07


def test_ade_recall_all_reflects_lexicon_coverage(ade_metrics):
    assert ade_metrics["recall_all"].value >= 0.10


def test_ade_lexicon_coverage_is_reported(ade_metrics):
    assert 0.10 <= ade_metrics["lexicon_coverage"].value <= 0.20


def test_bc5cdr_ketamine_recall(cdr_metrics):
    assert cdr_metrics[("adverse_events_ketamine", "recall")].value >= 0.9


def test_bc5cdr_ketamine_precision(cdr_metrics):
    assert cdr_metrics[("adverse_events_ketamine", "precision")].value >= 0.5


def test_bc5cdr_mention_recall_in_lexicon(cdr_metrics):
    assert cdr_metrics[("adverse_events", "cid_mention_recall_in_lexicon")].value >= 0.75


def test_bc5cdr_mention_precision(cdr_metrics):
    assert cdr_metrics[("adverse_events", "cid_mention_precision")].value >= 0.70


def test_ade_missing_data_gives_no_rows(tmp_path):
    assert ade.evaluate(tmp_path) == []


def test_bc5cdr_missing_data_gives_no_rows(tmp_path):
    assert bc5cdr.evaluate(tmp_path) == []


def test_pubtator_parser_reads_written_sample(tmp_path):
    sample = tmp_path / "s.txt"
    sample.write_text("1|t|Ketamine-induced nausea.\n1|a|Nausea was seen.\n"
                      "1\t0\t8\tKetamine\tChemical\tD007649\n1\t17\t23\tnausea\tDisease\tD009325\n"
                      "1\tCID\tD007649\tD009325\n\n", encoding="utf-8")
    doc = bc5cdr.parse_pubtator(sample)[0]
    assert (doc.text[17:23], doc.cid) == ("nausea", {("D007649", "D009325")})
