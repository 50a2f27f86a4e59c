"""--since / --until values (ketamine_tracker.outputs.since)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ketamine_tracker.errors import UsageError
from ketamine_tracker.outputs.since import parse_since, parse_until

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=timezone.utc)


def test_days_back_from_now():
    assert parse_since("7d", NOW) == NOW - timedelta(days=7)


def test_hours_back_from_now():
    assert parse_since("24h", NOW) == NOW - timedelta(hours=24)


def test_weeks_back_from_now():
    assert parse_since("2W", NOW) == NOW - timedelta(weeks=2)


def test_an_iso_date_is_midnight_utc():
    assert parse_since("2026-03-01", NOW) == datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_an_iso_time_with_an_offset_is_converted_to_utc():
    assert parse_since("2026-03-01T08:00+02:00", NOW) == datetime(2026, 3, 1, 6, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["7x", "seven days", "2026-13-01", "", "-7d", "7 d"])
def test_a_value_that_is_neither_span_nor_date_is_refused(value):
    with pytest.raises(UsageError, match="expected a span like 7d"):
        parse_since(value, NOW)


def test_a_zero_span_is_refused():
    with pytest.raises(UsageError, match="at least 1d"):
        parse_since("0d", NOW)


def test_a_date_in_the_future_is_refused():
    with pytest.raises(UsageError, match="not in the past"):
        parse_since("2027-01-01", NOW)


def test_a_span_reaching_before_year_one_is_refused():
    with pytest.raises(UsageError, match="before year 1"):
        parse_since("999999w", NOW)


def test_until_after_now_is_cut_to_now():
    assert parse_until("2030-01-01", NOW) == NOW


def test_until_that_is_no_date_is_refused():
    with pytest.raises(UsageError, match="--until"):
        parse_until("yesterday", NOW)
