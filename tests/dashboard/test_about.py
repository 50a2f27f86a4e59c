"""The About page's accuracy section: the real accuracy-file format
({"extractor_version", "metrics": [...]}) read through nlp.evaluation.report,
figures shown with their interval, data set and n."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard_support import PAGES

TIMEOUT = 120

GOLD_ROWS = [
    {"dataset": "ketamine-gold-dev", "subset": subset, "field": "design", "metric": "accuracy", "value": value,
     "low": low, "high": high, "n": n, "reference": None, "note": "gold or accepted answer"}
    for subset, value, low, high, n in (("all", 0.913, 0.867, 0.953, 150), ("even (tuning)", 0.951, 0.901, 0.988, 81),
                                        ("odd (held back)", 0.87, 0.783, 0.942, 69))
]
PSYNAMIC_ROW = {"dataset": "psynamic", "field": "design", "metric": "macro_f1", "value": 0.89, "n": 311,
                "reference": 0.87, "note": ""}


@pytest.fixture
def accuracy_file(tmp_path):
    path = tmp_path / "accuracy.json"
    path.write_text(json.dumps({"extractor_version": "9.9.9", "metrics": GOLD_ROWS + [PSYNAMIC_ROW]}))
    return path


def about(url: str, monkeypatch, accuracy_path) -> AppTest:
    """Run the About page with the accuracy measurements read from ``accuracy_path``."""
    import dashboard.accuracy
    from nlp.evaluation.report import stored_accuracy

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(dashboard.accuracy, "stored_accuracy", lambda path=None: stored_accuracy(accuracy_path))
    return AppTest.from_file(str(PAGES / "about.py"), default_timeout=TIMEOUT).run()


def test_real_format_is_read_with_its_version(accuracy_file):
    from dashboard.accuracy import load_measurements

    m = load_measurements(accuracy_file)
    assert m.reason is None and m.extractor_version == "9.9.9" and len(m.rows) == 4


def test_rows_carry_interval_and_subset(accuracy_file):
    from dashboard.accuracy import load_measurements

    row = load_measurements(accuracy_file).rows[2]
    assert (row["subset"], row["low"], row["high"], row["n"]) == ("odd (held back)", 0.783, 0.942, 69)


def test_rows_without_interval_get_none(accuracy_file):
    from dashboard.accuracy import load_measurements

    row = load_measurements(accuracy_file).rows[3]
    assert row["low"] is None and row["high"] is None and row["subset"] == ""


def test_file_without_metrics_list_is_named(tmp_path):
    from dashboard.accuracy import load_measurements

    path = tmp_path / "accuracy.json"
    path.write_text(json.dumps({"extractor_version": "1.0", "metrics": {"design": 0.9}}))
    m = load_measurements(path)
    assert m.rows == [] and "accuracy.json is not" in m.reason


def test_shipped_accuracy_file_is_readable():
    from dashboard.accuracy import load_measurements

    m = load_measurements()
    assert m.reason is None or "not measured yet" in m.reason


def test_dashboard_accuracy_does_not_open_nlp_by_path():
    from dashboard_support import REPO

    source = (REPO / "dashboard" / "accuracy.py").read_text(encoding="utf-8")
    assert '"nlp"' not in source and "resources\" / " not in source


def test_by_subset_puts_halves_side_by_side(accuracy_file):
    from dashboard.accuracy import by_subset, load_measurements

    subsets, table = by_subset(load_measurements(accuracy_file).rows, "ketamine-gold-dev")
    assert subsets == ["all", "even (tuning)", "odd (held back)"]
    assert table == [{"field": "design", "metric": "accuracy", "all": "0.913 (0.867–0.953)", "n all": 150,
                      "even (tuning)": "0.951 (0.901–0.988)", "n even (tuning)": 81,
                      "odd (held back)": "0.870 (0.783–0.942)", "n odd (held back)": 69}]


def test_about_page_shows_version(populated, monkeypatch, accuracy_file):
    at = about(populated[0], monkeypatch, accuracy_file)
    assert not at.exception
    assert any("extractor version 9.9.9" in c.value for c in at.caption)


def test_about_page_shows_gold_halves_with_intervals(populated, monkeypatch, accuracy_file):
    at = about(populated[0], monkeypatch, accuracy_file)
    halves = next(d.value for d in at.dataframe if "odd (held back)" in d.value.columns)
    assert halves.iloc[0]["odd (held back)"] == "0.870 (0.783–0.942)" and halves.iloc[0]["n odd (held back)"] == 69


def test_about_page_lists_every_measurement_with_interval_and_n(populated, monkeypatch, accuracy_file):
    at = about(populated[0], monkeypatch, accuracy_file)
    table = next(d.value for d in at.dataframe if "interval" in d.value.columns)
    psy = table[table["dataset"] == "psynamic"].iloc[0]
    assert len(table) == 4 and psy["n"] == 311 and psy["interval"] == ""
    assert table[table["subset"] == "all"].iloc[0]["interval"] == "0.867–0.953"


def test_about_page_explains_broken_file(populated, monkeypatch, tmp_path):
    path = tmp_path / "accuracy.json"
    path.write_text("{not json")
    at = about(populated[0], monkeypatch, path)
    assert not at.exception
    assert any("cannot be read" in i.value for i in at.info)
