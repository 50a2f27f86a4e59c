"""``--since``/``--until`` values: a span back from now (``7d``, ``24h``, ``2w``) or an ISO date/time."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from ..errors import UsageError

_SPAN = re.compile(r"(\d{1,6})([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
#: ``--since`` value meaning the start of the last finished harvest (resolved by the caller, in the database)
LAST_HARVEST = "last-harvest"


def parse_since(value: str, now: datetime) -> datetime:
    """The start of a window given as ``--since``.

    Parameters
    ----------
    value : str
        ``<n>h``, ``<n>d`` or ``<n>w`` (hours, days, weeks before ``now``; n >= 1),
        an ISO date (``2025-03-01``: midnight UTC) or an ISO date-time
        (``2025-03-01T06:00``, UTC unless it names an offset).
    now : datetime
        The current time, timezone-aware.

    Returns
    -------
    datetime
        UTC, before ``now``.

    Raises
    ------
    UsageError
        The value is none of these, zero, or not in the past.
    """
    text = value.strip()
    span = _SPAN.fullmatch(text.lower())
    if span:
        amount, unit = int(span.group(1)), span.group(2)
        if amount == 0:
            raise UsageError(f"--since {value!r}: the span must be at least 1{unit}")
        try:
            start = now - timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            raise UsageError(f"--since {value!r} reaches before year 1") from None
    else:
        start = _iso(text, value)
    if start >= now:
        raise UsageError(f"--since {value!r} is not in the past")
    return start.astimezone(timezone.utc)


def parse_until(value: str, now: datetime) -> datetime:
    """The end of a window given as ``--until``: an ISO date or date-time.

    Parameters
    ----------
    value : str
        ``2025-03-08`` (midnight UTC) or ``2025-03-08T06:00`` (UTC unless it names an offset).
    now : datetime
        The current time, timezone-aware; a later end is cut to it.

    Returns
    -------
    datetime
        UTC.

    Raises
    ------
    UsageError
        The value is not an ISO date or date-time.
    """
    return min(_iso(value.strip(), value, "--until"), now).astimezone(timezone.utc)


def _iso(text: str, value: str, flag: str = "--since") -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(text)
    except ValueError:
        expected = "a span like 7d, 24h or 2w, or an ISO date like 2025-03-01" if flag == "--since" else (
            "an ISO date like 2025-03-08 or date-time like 2025-03-08T06:00")
        raise UsageError(f"{flag} {value!r}: expected {expected}") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
