"""The desk's workbook: 台账, 事件, 汇总 and 代表履职, streamed row by row into an .xlsx file.

XlsxWriter in constant-memory mode writes each row out as soon as the next one starts, so a
year of a province takes as little memory as a week; it is imported only when a workbook is
made, so the bot does not carry it while idle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
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
from bot.services.summary_text import Names, counts_line, period_label

DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_ROWS = 1_048_575  # a worksheet's rows below its header
LEDGER_WIDTHS = (14, 17, 10, 6, 12, 12, 16, 8, 8, 17, 17, 17, 8, 10, 40, 8, 8, 14, 60)
EVENT_WIDTHS = (14, 17, 10, 10, 8, 8, 16, 40, 8)
DEPUTY_WIDTHS = (10, 6, 12, 6, 6, 8, 6, 8, 6, 8, 12, 12, 30, 30, 40)


@dataclass(frozen=True)
class Written:
    """How many rows each sheet got."""

    items: int
    events: int
    deputies: int


class RowSheet:
    """Rows of one kind: a bold frozen header, widths, real dates, a filter.

    A sheet holds 1,048,576 rows; more continue on a sheet of the same name with a number.
    """

    def __init__(
        self,
        book: Any,
        name: str,
        headers: Sequence[str],
        widths: Sequence[int],
        limit: int = MAX_ROWS,
    ):
        self._book, self._name, self._headers, self._widths = book, name, headers, widths
        self._limit = limit
        self._dates = book.add_format({"num_format": DATE_FORMAT})
        self._header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self._parts = 0
        self._sheet = self._start()
        self._line = 0  # rows on the current sheet
        self.rows = 0  # rows in all

    def _start(self) -> Any:
        """Open the next sheet of this kind, with its header."""
        self._parts += 1
        title = self._name if self._parts == 1 else f"{self._name}（{self._parts}）"
        sheet = self._book.add_worksheet(title)
        for column, (text, width) in enumerate(zip(self._headers, self._widths, strict=True)):
            sheet.set_column(column, column, width)
            sheet.write_string(0, column, text, self._header)
        sheet.freeze_panes(1, 0)
        return sheet

    def add(self, values: Sequence[object]) -> None:
        """Append one row (datetimes as Excel dates, None as an empty cell)."""
        if self._line == self._limit:
            self._filter()
            self._sheet, self._line = self._start(), 0
        self._line += 1
        self.rows += 1
        sheet, line = self._sheet, self._line
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(line, column, value, self._dates)
            elif isinstance(value, int | float):
                sheet.write_number(line, column, value)
            else:
                sheet.write_string(line, column, str(value))

    def _filter(self) -> None:
        """Turn the filter on over the current sheet's rows."""
        self._sheet.autofilter(0, 0, max(self._line, 1), len(self._headers) - 1)

    def finish(self) -> None:
        """Turn the filter on over the last sheet's rows."""
        self._filter()


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
        row.ack_late_hours,
        row.answer,
        texts.RATINGS[row.rating] if row.rating else None,
        row.reopened,
        row.recurrence_of,
        row.text,
    )


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
        record.median_ack_hours,
        record.median_answer_hours,
        counts_line(record.by_topic, lambda code: names.topic(code or None)),
        counts_line(record.by_department, lambda code: names.department(code or None)),
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
        "median_ack": summary.median_ack_hours,
        "median_answer": summary.median_answer_hours,
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
    summary: Summary | None,
    names: Names,
    now: datetime,
    tz: ZoneInfo,
) -> Written:
    """Write the sheets of the items in the filter and scope (汇总 when given); count rows."""
    import xlsxwriter  # a command's import: the idle bot does not carry it

    options = {"constant_memory": True, "in_memory": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(target, options)
    try:
        sheets = texts.XLSX_SHEETS
        ledger = RowSheet(book, sheets["ledger"], texts.XLSX_LEDGER_HEADERS, LEDGER_WIDTHS)
        async for row in ledger_stream(session, flt, scope, now):
            ledger.add(ledger_values(row, names, tz))
        ledger.finish()
        events = RowSheet(book, texts.XLSX_SHEETS["events"], texts.XLSX_EVENT_HEADERS, EVENT_WIDTHS)
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
        if summary is not None:
            _summary_sheet(book, summary, names)
        deputies = RowSheet(
            book, texts.XLSX_SHEETS["deputies"], texts.XLSX_DEPUTY_HEADERS, DEPUTY_WIDTHS
        )
        async for record in deputy_records(session, flt, scope, now):
            deputies.add(deputy_values(record, names))
        deputies.finish()
    finally:
        await asyncio.to_thread(book.close)  # zipping a big workbook must not stall the bot
    return Written(ledger.rows, events.rows, deputies.rows)
