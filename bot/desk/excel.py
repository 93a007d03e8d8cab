"""The desk's workbook: 台账, 事件, 汇总 and 代表履职, streamed row by row into an .xlsx file.

XlsxWriter in constant-memory mode writes each row out as soon as the next one starts, so a
year of a province takes as little memory as a week; it is imported only when a workbook is
made, so the bot does not carry it while idle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.desk.ledger import LedgerFilter, LedgerRow, Scope, event_stream, ledger_stream
from bot.desk.record import DeputyRecord, deputy_records
from bot.domain.states import Rating
from bot.services.summary import Summary
from bot.services.summary_text import Names, period_label

DATE_FORMAT = "yyyy-mm-dd hh:mm"
LEDGER_WIDTHS = (14, 17, 10, 6, 12, 12, 16, 8, 8, 17, 17, 17, 8, 40, 8, 8, 14, 60)
EVENT_WIDTHS = (14, 17, 10, 10, 8, 8, 16, 40, 8)
DEPUTY_WIDTHS = (10, 6, 12, 6, 6, 8, 6, 8, 6, 8, 12, 12, 30, 30, 40)


@dataclass(frozen=True)
class Written:
    """How many rows each sheet got."""

    items: int
    events: int
    deputies: int


class _Sheet:
    """One worksheet being filled: a bold frozen header, widths, real dates, a filter."""

    def __init__(self, book: Any, name: str, headers: Sequence[str], widths: Sequence[int]):
        self._sheet = book.add_worksheet(name)
        self._dates = book.add_format({"num_format": DATE_FORMAT})
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for column, (title, width) in enumerate(zip(headers, widths, strict=True)):
            self._sheet.set_column(column, column, width)
            self._sheet.write_string(0, column, title, header)
        self._sheet.freeze_panes(1, 0)
        self._columns = len(headers)
        self.rows = 0

    def add(self, values: Sequence[object]) -> None:
        """Append one row (datetimes as Excel dates, None as an empty cell)."""
        self.rows += 1
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                self._sheet.write_datetime(self.rows, column, value, self._dates)
            elif isinstance(value, int | float):
                self._sheet.write_number(self.rows, column, value)
            else:
                self._sheet.write_string(self.rows, column, str(value))

    def finish(self) -> None:
        """Turn the filter on over every row written."""
        self._sheet.autofilter(0, 0, max(self.rows, 1), self._columns - 1)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Return a time as the naive local time Excel shows."""
    return moment.astimezone(tz).replace(tzinfo=None) if moment is not None else None


def ledger_values(row: LedgerRow, names: Names, tz: ZoneInfo) -> tuple[object, ...]:
    """Return a ledger row's cells, in the order of the headers."""
    return (
        row.number,
        _local(row.received, tz),
        row.deputy,
        row.level,
        row.district,
        names.topic(row.topic),
        names.department(row.department),
        texts.URGENCY[row.urgency],
        texts.STATUS[row.status],
        _local(row.acknowledged_at, tz),
        _local(row.answered_at, tz),
        _local(row.deadline, tz),
        row.overdue_days,
        row.answer,
        texts.RATINGS[row.rating] if row.rating else None,
        row.reopened,
        row.recurrence_of,
        row.text,
    )


def _counted(counts: Counter[str], name: Callable[[str | None], str]) -> str:
    """Return counts as `name n、name n`, the largest first."""
    return texts.SUMMARY_SEPARATOR.join(
        f"{name(code or None)} {n}" for code, n in counts.most_common()
    )


def _rounded(hours: float | None) -> float | None:
    """Return hours to one decimal."""
    return round(hours, 1) if hours is not None else None


def _numbers(record: DeputyRecord) -> str:
    """Return the numbers of a deputy's items, the first ones when there are many."""
    listed = " ".join(record.numbers)
    more = record.submitted - len(record.numbers)
    return listed + texts.XLSX_MORE_ITEMS.format(count=more) if more > 0 else listed


def deputy_values(record: DeputyRecord, names: Names) -> tuple[object, ...]:
    """Return a deputy's cells, in the order of the headers."""
    return (
        record.name,
        record.level,
        record.district,
        record.submitted,
        record.closed,
        record.answered_in_time,
        record.ratings[Rating.SATISFIED],
        record.ratings[Rating.BASIC],
        record.ratings[Rating.UNSATISFIED],
        record.recurrences,
        _rounded(record.median_ack_hours),
        _rounded(record.median_answer_hours),
        _counted(record.by_topic, names.topic),
        _counted(record.by_department, names.department),
        _numbers(record),
    )


def _summary_sheet(book: Any, summary: Summary, names: Names) -> None:
    """Write the pilot summary's figures and tables (the numbers of `deputybot summary`)."""
    sheet = book.add_worksheet(texts.XLSX_SHEETS["summary"])
    bold = book.add_format({"bold": True})
    share = book.add_format({"num_format": "0.0%"})
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 14)
    sheet.write_string(0, 0, texts.XLSX_SUMMARY_TITLE.format(period=period_label(summary)), bold)
    figures: dict[str, float | None] = {
        "received": summary.received,
        "closed": summary.closed,
        "response": summary.response_rate,
        "resolution": summary.resolution_rate,
        "satisfaction": summary.satisfaction_rate,
        "median_ack": _rounded(summary.median_ack_hours),
        "median_answer": _rounded(summary.median_answer_hours),
    }
    line = 2
    for key, label in texts.XLSX_SUMMARY_FIGURES:
        sheet.write_string(line, 0, label)
        value = figures[key]
        if value is not None:
            is_rate = key in texts.SUMMARY_RATE_NAMES
            sheet.write_number(line, 1, value, share if is_rate else None)
        line += 1
    tables: dict[str, list[tuple[str, float]]] = {
        "topic": [(names.topic(c or None), n) for c, n in summary.by_topic.items()],
        "department": [(names.department(c or None), n) for c, n in summary.by_department.items()],
        "district": list(summary.by_district.items()),
        "level": list(summary.by_level.items()),
        "rating": [(texts.RATINGS[r], summary.ratings[r]) for r in Rating],
        "overdue": [(o.tracking_no, round(o.hours, 1)) for o in summary.overdue],
    }
    for key, rows in tables.items():
        line += 1
        for column, title in enumerate(texts.XLSX_SUMMARY_TABLES[key]):
            sheet.write_string(line, column, title, bold)
        for label, count in rows:
            line += 1
            sheet.write_string(line, 0, label)
            sheet.write_number(line, 1, count)
        line += 1


async def write_workbook(
    session: AsyncSession,
    target: Path | IO[bytes],
    *,
    flt: LedgerFilter,
    scope: Scope,
    summary: Summary,
    names: Names,
    now: datetime,
) -> Written:
    """Write the four sheets of the items in the filter and scope; return the row counts."""
    import xlsxwriter  # a command's import: the idle bot does not carry it

    tz = summary.tz
    options = {"constant_memory": True, "in_memory": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(target, options)
    try:
        ledger = _Sheet(book, texts.XLSX_SHEETS["ledger"], texts.XLSX_LEDGER_HEADERS, LEDGER_WIDTHS)
        async for row in ledger_stream(session, flt, scope, now):
            ledger.add(ledger_values(row, names, tz))
        ledger.finish()
        events = _Sheet(book, texts.XLSX_SHEETS["events"], texts.XLSX_EVENT_HEADERS, EVENT_WIDTHS)
        async for event in event_stream(session, flt, scope, now):
            events.add(
                (
                    event.number,
                    _local(event.at, tz),
                    texts.EVENTS.get(event.kind, event.kind),
                    texts.ROLES.get(event.actor_role, event.actor_role),
                    texts.STATUS.get(event.from_status or "", event.from_status),
                    texts.STATUS.get(event.to_status or "", event.to_status),
                    names.department(event.department) if event.department else None,
                    event.note,
                    texts.RATINGS[event.rating] if event.rating else None,
                )
            )
        events.finish()
        _summary_sheet(book, summary, names)
        deputies = _Sheet(
            book, texts.XLSX_SHEETS["deputies"], texts.XLSX_DEPUTY_HEADERS, DEPUTY_WIDTHS
        )
        async for record in deputy_records(session, flt, scope, now):
            deputies.add(deputy_values(record, names))
        deputies.finish()
    finally:
        book.close()
    return Written(ledger.rows, events.rows, deputies.rows)
