"""Durations and working days on the official Chinese calendar (调休 included)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_START = time(9, 0)
OFFICE_END = time(18, 0)


class Unit(StrEnum):
    """The unit of a duration, spelled as in the routing file."""

    MINUTES = "m"
    HOURS = "h"
    DAYS = "d"
    WORKDAYS = "wd"


_SPELLINGS: dict[str, Unit] = {
    "m": Unit.MINUTES,
    "min": Unit.MINUTES,
    "分钟": Unit.MINUTES,
    "h": Unit.HOURS,
    "小时": Unit.HOURS,
    "d": Unit.DAYS,
    "天": Unit.DAYS,
    "日": Unit.DAYS,
    "wd": Unit.WORKDAYS,
    "工作日": Unit.WORKDAYS,
    "个工作日": Unit.WORKDAYS,
}
_MINUTES_PER = {Unit.MINUTES: 1, Unit.HOURS: 60, Unit.DAYS: 24 * 60}
MAX_ELAPSED = timedelta(days=366)
MAX_WORKDAYS = 260
_DURATION = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?)\s*([^\d\s.+-].*?)\s*$")


@dataclass(frozen=True)
class Duration:
    """A positive deadline length: elapsed minutes, hours, calendar days, or working days."""

    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"

    @property
    def elapsed(self) -> timedelta | None:
        """Return the plain elapsed time, or None for working days."""
        if self.unit is Unit.WORKDAYS:
            return None
        return timedelta(minutes=self.amount * _MINUTES_PER[self.unit])


def parse_duration(text: str) -> Duration:
    """Parse "90m", "24h", "30d" or "5wd" (also 分钟/小时/天/工作日); raise ValueError otherwise."""
    hint = (
        'write a whole number and a unit: "90m", "24h", "30d" (calendar days), "5wd" (working days)'
    )
    if not isinstance(text, str):
        raise ValueError(f'a duration must be text like "24h", not {text!r}')
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"cannot read duration {text!r}: {hint}")
    number, spelled = match.groups()
    unit = _SPELLINGS.get(spelled.lower())
    if unit is None:
        raise ValueError(f"unknown unit {spelled!r} in {text!r}: {hint}")
    if "." in number:
        raise ValueError(f"duration {text!r} must be a whole number: {hint}")
    amount = int(number)
    if amount <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    duration = Duration(amount, unit)
    elapsed = duration.elapsed
    if (elapsed is None and amount > MAX_WORKDAYS) or (
        elapsed is not None and elapsed > MAX_ELAPSED
    ):
        raise ValueError(f"duration {text!r} is longer than a year; is it a typo?")
    return duration


def require_aware(moment: datetime, name: str = "moment") -> None:
    """Raise ValueError for a naive datetime, whose time zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")


@lru_cache(maxsize=4096)
def _official_workday(d: date) -> bool | None:
    """Return the official answer for a date, or None when chinese-calendar lacks the year."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


class WorkCalendar:
    """Working days on the State Council's calendar, in one time zone.

    Working days come from the chinese-calendar package: Monday to Friday, less public holidays,
    plus the make-up working weekends (调休). Years the package does not know fall back to
    Monday to Friday, with one warning per year.

    "N wd" from a start: if the start is on a working day within office hours (09:00-18:00 local
    by default), the deadline is the same local clock time on the N-th working day after that
    day. Otherwise counting starts from the next office opening (a working day at 09:00, which
    may be later the same day) and the deadline is 09:00 on the N-th working day after it.
    Minutes, hours and calendar days are plain elapsed time (emergencies run 7x24).
    """

    def __init__(
        self,
        tz: ZoneInfo = SHANGHAI,
        *,
        office_start: time = OFFICE_START,
        office_end: time = OFFICE_END,
    ) -> None:
        if office_start >= office_end:
            raise ValueError(
                f"office hours must start before they end: {office_start}-{office_end}"
            )
        self.tz = tz
        self.office_start = office_start
        self.office_end = office_end
        self._warned: set[int] = set()

    def is_workday(self, d: date) -> bool:
        """Tell whether a local date is a working day (调休 make-up days included)."""
        official = _official_workday(d)
        if official is None:
            if d.year not in self._warned:
                self._warned.add(d.year)
                log.warning(
                    "chinese-calendar has no holiday data for %d; counting Monday-Friday as "
                    "working days (upgrade chinese-calendar once the State Council publishes it)",
                    d.year,
                )
            return d.weekday() < 5
        return official

    def next_workday(self, d: date) -> date:
        """Return the first working day strictly after a date."""
        d += timedelta(days=1)
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def counting_start(self, start: datetime) -> datetime:
        """Return the local moment working-day counting starts from: start, or the next opening."""
        require_aware(start, "start")
        local = start.astimezone(self.tz)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if self.is_workday(day) and self.office_start <= clock < self.office_end:
            return local
        if not (self.is_workday(day) and clock < self.office_start):
            day = self.next_workday(day)
        return datetime.combine(day, self.office_start, tzinfo=self.tz)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """Return the moment a duration after start, in UTC (see the class docstring)."""
        require_aware(start, "start")
        elapsed = duration.elapsed
        if elapsed is not None:
            return start.astimezone(UTC) + elapsed
        local = self.counting_start(start)
        day = local.date()
        for _ in range(duration.amount):
            day = self.next_workday(day)
        clock = local.time().replace(tzinfo=None)
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)
