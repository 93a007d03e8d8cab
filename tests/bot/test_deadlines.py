"""The deadline policy: durations, the official working-day calendar, routing.toml, quiet hours."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.services.deadlines import (
    DEFAULT_DEADLINES,
    DEFAULT_KEYWORDS,
    DeadlinePolicy,
    QuietHours,
    Step,
)
from bot.services.workdays import Duration, Unit, WorkCalendar, parse_duration
from classifier import ConfigError, RoutingConfig
from classifier.loader import load_config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "routing.toml"
SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(SH)


def local(text: str, tz: ZoneInfo = SH) -> datetime:
    """Return an aware datetime from "YYYY-MM-DD HH:MM" in a zone (Shanghai by default)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


def d(text: str) -> date:
    """Return a date from "YYYY-MM-DD"."""
    return date.fromisoformat(text)


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2h", Duration(2, Unit.HOURS), id="hours"),
        pytest.param("24h", Duration(24, Unit.HOURS), id="a-day-in-hours"),
        pytest.param("90m", Duration(90, Unit.MINUTES), id="minutes"),
        pytest.param("5wd", Duration(5, Unit.WORKDAYS), id="working-days"),
        pytest.param("30d", Duration(30, Unit.DAYS), id="calendar-days"),
        pytest.param(" 5 wd ", Duration(5, Unit.WORKDAYS), id="spaces-tolerated"),
        pytest.param("5WD", Duration(5, Unit.WORKDAYS), id="upper-case"),
        pytest.param("2小时", Duration(2, Unit.HOURS), id="chinese-hours"),
        pytest.param("5个工作日", Duration(5, Unit.WORKDAYS), id="chinese-working-days"),
        pytest.param("30天", Duration(30, Unit.DAYS), id="chinese-days"),
        pytest.param("90分钟", Duration(90, Unit.MINUTES), id="chinese-minutes"),
        pytest.param("260wd", Duration(260, Unit.WORKDAYS), id="longest-working-days"),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "cannot read duration", id="empty"),
        pytest.param("h", "cannot read duration", id="no-number"),
        pytest.param("24", "cannot read duration", id="no-unit"),
        pytest.param("0h", "longer than zero", id="zero"),
        pytest.param("-2h", "longer than zero", id="negative"),
        pytest.param("1.5h", "whole number", id="fraction"),
        pytest.param("5w", "unknown unit 'w'", id="weeks-unknown"),
        pytest.param("2h30m", "unknown unit", id="compound"),
        pytest.param("5 days", "unknown unit 'days'", id="english-word"),
        pytest.param("261wd", "longer than a year", id="too-many-working-days"),
        pytest.param("400d", "longer than a year", id="too-many-days"),
        pytest.param(24, "not 24", id="not-text"),
    ],
)
def test_parse_duration_refuses(text: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


def test_duration_prints_as_written_and_knows_its_elapsed_time() -> None:
    assert str(parse_duration("5 工作日")) == "5wd"
    assert parse_duration("5wd").elapsed is None
    assert parse_duration("90m").elapsed == timedelta(minutes=90)
    assert parse_duration("30d").elapsed == timedelta(days=30)


# --- the official calendar -------------------------------------------------------------------

# 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号 (2026): days off, and make-up workdays.
PUBLISHED: dict[int, tuple[list[tuple[str, str]], list[str]]] = {
    2025: (
        [
            ("2025-01-01", "2025-01-01"),  # 元旦
            ("2025-01-28", "2025-02-04"),  # 春节
            ("2025-04-04", "2025-04-06"),  # 清明
            ("2025-05-01", "2025-05-05"),  # 劳动节
            ("2025-05-31", "2025-06-02"),  # 端午
            ("2025-10-01", "2025-10-08"),  # 国庆 + 中秋
        ],
        ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    ),
    2026: (
        [
            ("2026-01-01", "2026-01-03"),  # 元旦
            ("2026-02-15", "2026-02-23"),  # 春节
            ("2026-04-04", "2026-04-06"),  # 清明
            ("2026-05-01", "2026-05-05"),  # 劳动节
            ("2026-06-19", "2026-06-21"),  # 端午
            ("2026-09-25", "2026-09-27"),  # 中秋
            ("2026-10-01", "2026-10-07"),  # 国庆
        ],
        ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    ),
}


@pytest.mark.parametrize("year", [pytest.param(y, id=str(y)) for y in PUBLISHED])
def test_every_day_of_the_year_matches_the_published_schedule(year: int) -> None:
    ranges, makeup = PUBLISHED[year]
    off = {
        d(first) + timedelta(days=i)
        for first, last in ranges
        for i in range((d(last) - d(first)).days + 1)
    }
    on = {d(day) for day in makeup}
    day = date(year, 1, 1)
    wrong = []
    while day.year == year:
        expected = day in on or (day.weekday() < 5 and day not in off)
        if CAL.is_workday(day) != expected:
            wrong.append(day.isoformat())
        day += timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize(
    ("day", "weekday", "workday"),
    [
        pytest.param("2025-01-26", "Sun", True, id="2025-spring-makeup-sunday"),
        pytest.param("2025-02-08", "Sat", True, id="2025-spring-makeup-saturday"),
        pytest.param("2025-02-04", "Tue", False, id="2025-spring-last-day-off"),
        pytest.param("2025-04-27", "Sun", True, id="2025-labour-makeup-sunday"),
        pytest.param("2025-06-02", "Mon", False, id="2025-dragon-boat-monday"),
        pytest.param("2025-09-28", "Sun", True, id="2025-national-makeup-sunday"),
        pytest.param("2025-10-08", "Wed", False, id="2025-national-last-day-off"),
        pytest.param("2025-10-11", "Sat", True, id="2025-national-makeup-saturday"),
        pytest.param("2025-10-12", "Sun", False, id="2025-ordinary-sunday"),
        pytest.param("2026-01-04", "Sun", True, id="2026-new-year-makeup-sunday"),
        pytest.param("2026-02-14", "Sat", True, id="2026-spring-makeup-before"),
        pytest.param("2026-02-23", "Mon", False, id="2026-spring-last-day-off"),
        pytest.param("2026-02-28", "Sat", True, id="2026-spring-makeup-after"),
        pytest.param("2026-05-09", "Sat", True, id="2026-labour-makeup-saturday"),
        pytest.param("2026-09-20", "Sun", True, id="2026-national-makeup-is-a-sunday"),
        pytest.param("2026-09-25", "Fri", False, id="2026-mid-autumn-friday"),
        pytest.param("2026-10-10", "Sat", True, id="2026-national-makeup-saturday"),
    ],
)
def test_make_up_days_and_holidays(day: str, weekday: str, workday: bool) -> None:
    assert ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d(day).weekday()] == weekday
    assert CAL.is_workday(d(day)) is workday


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        pytest.param("2025-09-26 10:00", "5wd", "2025-10-10 10:00", id="5wd-over-national-day"),
        pytest.param("2025-09-26 10:00", "1wd", "2025-09-28 10:00", id="makeup-sunday-counts"),
        pytest.param("2025-09-30 10:00", "1wd", "2025-10-09 10:00", id="eve-of-holiday"),
        pytest.param("2025-10-10 10:00", "1wd", "2025-10-11 10:00", id="makeup-saturday-counts"),
        pytest.param("2025-10-11 10:00", "1wd", "2025-10-13 10:00", id="start-on-makeup-day"),
        pytest.param("2025-10-03 15:00", "1wd", "2025-10-10 09:00", id="start-in-holiday"),
        pytest.param("2025-10-12 15:00", "1wd", "2025-10-14 09:00", id="start-on-sunday"),
        pytest.param("2025-09-26 19:00", "1wd", "2025-09-29 09:00", id="after-hours-friday"),
        pytest.param("2025-09-29 07:30", "1wd", "2025-09-30 09:00", id="before-opening"),
        pytest.param("2025-09-29 09:00", "1wd", "2025-09-30 09:00", id="at-opening"),
        pytest.param("2025-09-29 17:59", "1wd", "2025-09-30 17:59", id="last-office-minute"),
        pytest.param("2025-09-29 18:00", "1wd", "2025-10-09 09:00", id="at-closing"),
        pytest.param("2025-01-24 10:00", "3wd", "2025-02-05 10:00", id="2025-spring-festival"),
        pytest.param("2025-04-30 16:00", "2wd", "2025-05-07 16:00", id="2025-labour-day"),
        pytest.param("2025-12-31 10:00", "1wd", "2026-01-04 10:00", id="2026-new-year-makeup"),
        pytest.param("2026-02-12 10:00", "5wd", "2026-02-26 10:00", id="2026-spring-festival"),
        pytest.param("2026-02-27 10:00", "1wd", "2026-02-28 10:00", id="2026-spring-makeup"),
        pytest.param("2026-09-18 10:00", "1wd", "2026-09-20 10:00", id="2026-national-makeup"),
        pytest.param("2026-09-24 10:00", "1wd", "2026-09-28 10:00", id="2026-mid-autumn"),
        pytest.param("2026-09-30 10:00", "3wd", "2026-10-10 10:00", id="2026-national-day"),
        pytest.param("2025-10-01 23:00", "2h", "2025-10-02 01:00", id="hours-run-7x24"),
        pytest.param("2025-09-30 10:00", "24h", "2025-10-01 10:00", id="a-day-in-hours"),
        pytest.param("2025-09-30 23:00", "90m", "2025-10-01 00:30", id="minutes-over-midnight"),
        pytest.param("2025-09-30 10:00", "30d", "2025-10-30 10:00", id="calendar-days"),
    ],
)
def test_add(start: str, duration: str, due: str) -> None:
    result = CAL.add(local(start), parse_duration(duration))
    assert result == local(due)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "due"),
    [
        pytest.param(datetime(2025, 9, 26, 2, tzinfo=UTC), "2025-09-26 10:00", id="utc-in-hours"),
        pytest.param(
            datetime(2025, 9, 25, 17, tzinfo=UTC), "2025-09-26 09:00", id="utc-day-before"
        ),
        pytest.param(
            datetime(2025, 9, 26, 12, tzinfo=ZoneInfo("Europe/Berlin")),
            "2025-09-28 09:00",
            id="other-zone-after-hours",
        ),
    ],
)
def test_counting_starts_from_the_local_time(start: datetime, due: str) -> None:
    assert CAL.counting_start(start) == local(due)


def test_add_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add(datetime(2025, 9, 26, 10), parse_duration("2h"))


def test_office_hours_and_time_zone_are_configurable() -> None:
    early = WorkCalendar(SH, office_start=time(8, 30), office_end=time(17, 30))
    assert early.add(local("2025-09-29 08:45"), parse_duration("1wd")) == local("2025-09-30 08:45")
    assert early.add(local("2025-09-29 17:45"), parse_duration("1wd")) == local("2025-10-09 08:30")
    utc = WorkCalendar(ZoneInfo("UTC"))
    start = datetime(2025, 9, 26, 20, tzinfo=UTC)  # Friday evening in UTC, Saturday in Shanghai
    assert utc.add(start, parse_duration("1wd")) == datetime(2025, 9, 29, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="start before they end"):
        WorkCalendar(SH, office_start=time(18), office_end=time(9))


def test_years_without_data_fall_back_to_monday_to_friday_and_warn_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkCalendar(SH)
    with caplog.at_level(logging.WARNING, logger="bot.services.workdays"):
        assert calendar.is_workday(date(2099, 1, 1))  # a Thursday: no holiday data, so worked
        assert not calendar.is_workday(date(2099, 1, 3))
        due = calendar.add(local("2099-01-02 10:00"), parse_duration("5wd"))
        assert calendar.is_workday(date(1999, 10, 1)) is True
    assert due == local("2099-01-09 10:00")
    assert [r.getMessage()[:40] for r in caplog.records] == [
        "chinese-calendar has no holiday data for",
        "chinese-calendar has no holiday data for",
    ]
    assert "2099" in caplog.records[0].getMessage()
    assert "1999" in caplog.records[1].getMessage()


# --- quiet hours and reminders ---------------------------------------------------------------

NIGHT = QuietHours(time(22), time(8), SH)
LUNCH = QuietHours(time(12), time(14), SH)
NEVER = QuietHours(time(22), time(22), SH)


@pytest.mark.parametrize(
    ("quiet", "moment", "inside", "released"),
    [
        pytest.param(NIGHT, "2025-09-26 21:59", False, "2025-09-26 21:59", id="night-before"),
        pytest.param(NIGHT, "2025-09-26 22:00", True, "2025-09-27 08:00", id="night-start"),
        pytest.param(NIGHT, "2025-09-26 23:59", True, "2025-09-27 08:00", id="night-late"),
        pytest.param(NIGHT, "2025-09-27 00:00", True, "2025-09-27 08:00", id="night-midnight"),
        pytest.param(NIGHT, "2025-09-27 07:59", True, "2025-09-27 08:00", id="night-early"),
        pytest.param(NIGHT, "2025-09-27 08:00", False, "2025-09-27 08:00", id="night-end"),
        pytest.param(NIGHT, "2025-12-31 23:30", True, "2026-01-01 08:00", id="night-new-year"),
        pytest.param(LUNCH, "2025-09-26 11:59", False, "2025-09-26 11:59", id="day-before"),
        pytest.param(LUNCH, "2025-09-26 12:00", True, "2025-09-26 14:00", id="day-start"),
        pytest.param(LUNCH, "2025-09-26 13:59", True, "2025-09-26 14:00", id="day-inside"),
        pytest.param(LUNCH, "2025-09-26 14:00", False, "2025-09-26 14:00", id="day-end"),
        pytest.param(LUNCH, "2025-09-26 23:00", False, "2025-09-26 23:00", id="day-night"),
        pytest.param(NEVER, "2025-09-26 22:00", False, "2025-09-26 22:00", id="off-at-start"),
        pytest.param(NEVER, "2025-09-26 03:00", False, "2025-09-26 03:00", id="off-at-night"),
    ],
)
def test_quiet_hours(quiet: QuietHours, moment: str, inside: bool, released: str) -> None:
    at = local(moment).astimezone(UTC)
    assert quiet.contains(at) is inside
    result = quiet.release(at)
    assert result == local(released)
    assert result.tzinfo is UTC


# --- the policy --------------------------------------------------------------------------------

POLICY = DeadlinePolicy(CAL, QuietHours(tz=SH))  # the figures in DOMAIN.md


@pytest.mark.parametrize(
    ("step", "urgent", "due"),
    [
        pytest.param("acknowledge", False, "2025-09-30 23:00", id="ack-normal-24h"),
        pytest.param("acknowledge", True, "2025-09-30 01:00", id="ack-urgent-2h"),
        pytest.param("answer", False, "2025-10-14 09:00", id="answer-normal-5wd"),
        pytest.param("answer", True, "2025-09-30 01:00", id="answer-urgent-2h"),
        pytest.param("extension", False, "2025-10-14 09:00", id="extension-one-more-period"),
    ],
)
def test_default_policy(step: str, urgent: bool, due: str) -> None:
    start = local("2025-09-29 23:00")  # Monday night, after office hours, before National Day
    method = getattr(POLICY, f"{step}_due" if step != "extension" else step)
    assert method(start, None, urgent) == local(due)


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        pytest.param("小区停水三天了，没人管", True, id="water-cut"),
        pytest.param("楼道里闻到燃气泄漏的味道", True, id="gas-leak"),
        pytest.param("山边出现塌方", True, id="landslide"),
        pytest.param("路灯不亮已经一个月", False, id="street-light"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_urgent(text: str, urgent: bool) -> None:
    assert POLICY.is_urgent(text) is urgent


# --- the routing file ----------------------------------------------------------------------------

ROUTING = """\
[departments]
housing = "住房和城乡建设局"
ecology = "生态环境局"

[[topics]]
code = "urban_rural"
name = "城乡建设"
department = "housing"

[topics.keywords]
"物业" = 2.0

[[topics]]
code = "utilities"
name = "水电气"
department = "housing"
parent = "urban_rural"

[topics.keywords]
"停水" = 2.0

[[topics]]
code = "environment"
name = "环境保护"
department = "ecology"

[topics.keywords]
"污染" = 2.5
"""


def config_of(tmp_path: Path, tables: str, base: str = ROUTING) -> RoutingConfig:
    """Write a routing file with extra tables appended and load it."""
    path = tmp_path / "routing.toml"
    shutil.copy(SHIPPED.parent / "userdict.txt", tmp_path / "userdict.txt")
    path.write_text(base + "\n" + tables, encoding="utf-8")
    return load_config(path)


def policy_of(tmp_path: Path, tables: str) -> DeadlinePolicy:
    """Build the policy from a routing file with these extra tables."""
    return DeadlinePolicy.from_config(config_of(tmp_path, tables), SH)


def test_missing_tables_give_the_defaults(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "")
    assert policy.deadlines == DEFAULT_DEADLINES
    assert policy.keywords == DEFAULT_KEYWORDS
    assert policy.quiet == QuietHours(time(22), time(8), SH)
    assert policy.calendar.tz is SH


def test_shipped_routing_file_documents_the_defaults(tmp_path: Path) -> None:
    config = config_of(tmp_path, "", SHIPPED.read_text(encoding="utf-8"))
    policy = DeadlinePolicy.from_config(config, SH)
    assert policy.deadlines == DEFAULT_DEADLINES  # the example documents the defaults
    assert policy.keywords == DEFAULT_KEYWORDS
    assert policy.quiet == QuietHours(time(22), time(8), SH)
    assert policy.topics == {}


def test_shipped_topic_overrides_work_once_uncommented(tmp_path: Path) -> None:
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    starts = ("# [deadlines.topics", "# acknowledge", "# answer")
    shipped = "\n".join(line[2:] if line.startswith(starts) else line for line in lines)
    config = config_of(tmp_path, "", shipped)
    policy = DeadlinePolicy.from_config(config, SH)
    assert str(policy.duration("answer", "urban_rural", False)) == "10wd"
    assert str(policy.duration("answer", "urban_rural", True)) == "2h"
    assert str(policy.duration("acknowledge", "discipline", True)) == "24h"
    assert str(policy.duration("answer", "discipline", False)) == "15wd"
    assert str(policy.duration("answer", "environment", False)) == "5wd"


OVERRIDES = """\
[deadlines]
acknowledge = { "普通" = "12h" }

[deadlines.topics.urban_rural]
answer = { "普通" = "10wd" }

[deadlines.topics.utilities]
answer = "24h"
"""


@pytest.mark.parametrize(
    ("step", "topic", "urgent", "expected"),
    [
        pytest.param("acknowledge", None, False, "12h", id="global-override"),
        pytest.param("acknowledge", None, True, "2h", id="global-default-kept"),
        pytest.param("answer", None, False, "5wd", id="no-topic"),
        pytest.param("answer", "environment", False, "5wd", id="topic-without-override"),
        pytest.param("answer", "urban_rural", False, "10wd", id="topic-override"),
        pytest.param("answer", "urban_rural", True, "2h", id="topic-other-urgency-kept"),
        pytest.param("acknowledge", "urban_rural", False, "12h", id="topic-other-step-kept"),
        pytest.param("answer", "utilities", False, "24h", id="one-value-for-both-normal"),
        pytest.param("answer", "utilities", True, "24h", id="one-value-for-both-urgent"),
        pytest.param("answer", "gone", False, "5wd", id="unknown-topic-at-run-time"),
    ],
)
def test_overrides(
    tmp_path: Path, step: Step, topic: str | None, urgent: bool, expected: str
) -> None:
    policy = policy_of(tmp_path, OVERRIDES)
    assert str(policy.duration(step, topic, urgent)) == expected


def test_sub_topic_inherits_the_parent_override(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, '[deadlines.topics.urban_rural]\nanswer = { "普通" = "10wd" }\n')
    start = local("2025-09-26 10:00")
    assert policy.answer_due(start, "utilities", False) == local("2025-10-16 10:00")
    assert policy.extension(start, "utilities", False) == local("2025-10-16 10:00")
    assert policy.answer_due(start, "environment", False) == local("2025-10-10 10:00")


def test_tables_may_be_written_out_with_times_and_custom_keywords(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path,
        """\
[deadlines.answer]
"普通" = "7d"

[deadlines.office_hours]
start = "08:30"
end = "17:30"

[urgency]
keywords = ["LPG", " 漏水 ", "LPG"]

[quiet_hours]
start = 21:30:00
end = "7:00"
""",
    )
    assert str(policy.duration("answer", None, False)) == "7d"
    assert policy.calendar.office_start == time(8, 30)
    assert policy.keywords == ("lpg", "漏水")
    assert policy.is_urgent("小区lpg气瓶")
    assert policy.is_urgent("LPG")
    assert policy.is_urgent("楼上漏水")
    assert policy.quiet == QuietHours(time(21, 30), time(7), SH)


@pytest.mark.parametrize(
    ("tables", "key", "line", "message"),
    [
        pytest.param(
            '[deadlines]\nacknowledge = { "普通" = "24h", "很急" = "1h" }\n',
            "deadlines.acknowledge.很急", 2, "unknown urgency (expected 普通 or 紧急)",
            id="unknown-urgency",
        ),
        pytest.param(
            '[deadlines]\nanswer = { "普通" = "5 days" }\n',
            "deadlines.answer.普通", 2, "unknown unit 'days'", id="unparseable-duration",
        ),
        pytest.param(
            '[deadlines.answer]\n"普通" = "5wd"\n"紧急" = "0h"\n',
            "deadlines.answer.紧急", 3, "longer than zero", id="zero-duration-own-line",
        ),
        pytest.param(
            "[deadlines]\nanswer = 5\n", "deadlines.answer", 2, "must be a duration",
            id="number-not-duration",
        ),
        pytest.param(
            '[deadlines]\nacknowledgement = "24h"\n', "deadlines.acknowledgement", 2,
            "unknown key", id="misspelt-key",
        ),
        pytest.param(
            '[deadlines.topics.utility]\nanswer = "24h"\n', "deadlines.topics.utility", 1,
            "unknown topic code (known: environment, urban_rural, utilities)", id="unknown-topic",
        ),
        pytest.param(
            '[deadlines]\nx = 1\n\n[deadlines.topics.utilities]\nreply = "24h"\n',
            "deadlines.topics.utilities.reply", 5, "unknown key (expected acknowledge, answer)",
            id="unknown-topic-step",
        ),
        pytest.param(
            '[deadlines.topics.urban_rural]\nanswer = { "普通" = "soon" }\n',
            "deadlines.topics.urban_rural.answer.普通", 2, "cannot read duration",
            id="bad-topic-duration",
        ),
        pytest.param(
            '[deadlines]\noffice_hours = { start = "18:00", end = "09:00" }\n',
            "deadlines.office_hours", 2, "start before they end", id="office-hours-reversed",
        ),
        pytest.param(
            '[quiet_hours]\nstart = "25:00"\n', "quiet_hours.start", 2, "time of day",
            id="hour-out-of-range",
        ),
        pytest.param(
            '[quiet_hours]\nstart = "22:00"\nend = "8am"\n', "quiet_hours.end", 3, "time of day",
            id="not-hh-mm",
        ),
        pytest.param(
            '[quiet_hours]\nend = 8\n', "quiet_hours.end", 2, "not 8", id="number-not-time",
        ),
        pytest.param(
            '[deadlines]\ntopics = "utilities"\n', "deadlines.topics", 2, "must be a table",
            id="topics-not-a-table",
        ),
        pytest.param(
            '[urgency]\nkeywords = "停水"\n', "urgency.keywords", 2, "must be a list",
            id="keywords-not-a-list",
        ),
        pytest.param(
            '[urgency]\nkeywords = [\n  "停水",\n  3,\n]\n', "urgency.keywords[1]", 2,
            "must be a non-empty word", id="keyword-not-text",
        ),
    ],
)  # fmt: skip
def test_bad_content_is_reported_with_file_line_and_key(
    tmp_path: Path, tables: str, key: str, line: int, message: str
) -> None:
    base_lines = len(ROUTING.splitlines()) + 1  # the tables start after one blank line
    with pytest.raises(ConfigError) as caught:
        policy_of(tmp_path, tables)
    problems = [p for p in caught.value.problems if p.key != "deadlines.x"]
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.key) == (str(tmp_path / "routing.toml"), key)
    assert problem.line == base_lines + line
    assert message in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    tables = '[deadlines]\nanswer = { "普通" = "5x" }\n[quiet_hours]\nstart = "x"\nend = "y"\n'
    with pytest.raises(ConfigError) as caught:
        policy_of(tmp_path, tables)
    keys = [p.key for p in caught.value.problems]
    assert keys == ["deadlines.answer.普通", "quiet_hours.start", "quiet_hours.end"]


def test_problems_without_a_readable_file_have_no_line(tmp_path: Path) -> None:
    config = config_of(tmp_path, '[urgency]\nkeywords = "停水"\n')
    (tmp_path / "routing.toml").unlink()
    with pytest.raises(ConfigError) as caught:
        DeadlinePolicy.from_config(config, SH)
    assert [(p.key, p.line) for p in caught.value.problems] == [("urgency.keywords", None)]


def test_time_zone_is_the_callers(tmp_path: Path) -> None:
    urumqi = ZoneInfo("Asia/Urumqi")
    policy = DeadlinePolicy.from_config(config_of(tmp_path, ""), urumqi)
    assert policy.calendar.tz is urumqi
    assert policy.quiet.tz is urumqi
    assert policy.quiet.contains(local("2025-09-26 23:00", urumqi))
    assert not policy.quiet.contains(local("2025-09-26 23:00"))  # 21:00 in Urumqi


def test_pure_domain_code_imports_neither_telegram_nor_sqlalchemy() -> None:
    code = (
        "import sys, bot.services.deadlines; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'telegram', 'sqlalchemy'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_a_top_level_value_instead_of_a_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text('quiet_hours = "22:00-08:00"\n' + ROUTING, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        DeadlinePolicy.from_config(load_config(path), SH)
    assert [(p.key, p.line) for p in caught.value.problems] == [("quiet_hours", 1)]
    assert "must be a table" in caught.value.problems[0].message


def test_from_config_without_tables_equals_the_default_policy(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "")
    start = local("2025-09-26 10:00")
    for urgent in (False, True):
        assert policy.answer_due(start, None, urgent) == POLICY.answer_due(start, None, urgent)
        assert policy.acknowledge_due(start, "x", urgent) == POLICY.acknowledge_due(
            start, None, urgent
        )
