"""Read the desk's query strings: dates typed as YYYY-MM-DD, and periods."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 30  # a page without a period shows the last 30 days


def day(value: str | None, tz: ZoneInfo, after: int = 0) -> datetime | None:
    """Return local midnight of a YYYY-MM-DD date (plus days), or None when it is not one."""
    try:
        found = date.fromisoformat(value or "")
    except ValueError:
        return None
    return datetime.combine(found + timedelta(days=after), time(), tz)


@dataclass(frozen=True)
class Period:
    """Items received in [start, end), and the dates as the form shows them (last day included)."""

    start: datetime
    end: datetime
    typed: dict[str, str]


def period_of(
    query: Mapping[str, str], tz: ZoneInfo, now: datetime, *, year: bool = False
) -> Period:
    """Return the period typed in from/to; by default the last 30 days (or this year so far)."""
    today = now.astimezone(tz).date()
    end = day(query.get("to"), tz, after=1) or datetime.combine(today, time(), tz) + timedelta(1)
    since = datetime.combine(today.replace(month=1, day=1), time(), tz) if year else None
    start = day(query.get("from"), tz) or since or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        start = end - timedelta(days=1)
    last = (end - timedelta(days=1)).date()
    return Period(start, end, {"from": start.date().isoformat(), "to": last.isoformat()})
