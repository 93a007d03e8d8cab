"""The Excel export on a seeded database: four sheets, real dates, filters, scopes, refusals."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot import texts
from bot.cli.export import add_commands, run_export
from bot.clock import ManualClock
from bot.db.sessions import Sessions
from bot.desk.ledger import (
    EVERYTHING,
    LedgerFilter,
    Scope,
    item_for,
    ledger_page,
    ledger_stream,
    scope_of,
)
from bot.desk.record import deputy_record
from bot.domain.states import Rating, Role
from bot.services.actors import Actor, MemberView
from bot.settings import Settings
from tests.bot.test_summary import END, NOW, SEEDS, START, TZ, summarize
from tests.bot.test_summary import sessions as sessions  # the seeded database fixture
from tests.conftest import ROUTING

TOPIC, DEPARTMENT = "城乡建设", "住房和城乡建设局"
WEEK = ("--from", "2026-12-07", "--to", "2026-12-13")
IN_PERIOD = {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A9", "A10", "A11", "A12"}


def settings_for(database_url: str) -> Settings:
    """Return settings that point at the test database and the shipped routing file."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        DEPUTYBOT_DATABASE_URL=database_url,
        DEPUTYBOT_ROUTING=str(ROUTING),
    )


def workbooks(folder: Path) -> list[Path]:
    """Return every workbook (or part of one) below a folder."""
    return [path for path in folder.rglob("*") if ".xlsx" in path.name]


async def export(database_url: str, *argv: str) -> int:
    """Run `deputybot export` with these arguments as of NOW."""
    settings = settings_for(database_url)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"), settings)
    args = parser.parse_args(["export", *argv])
    return await run_export(settings, args, clock=ManualClock(NOW))


async def test_the_workbook_has_four_sheets_with_the_stored_numbers(
    sessions: Sessions, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "台账.xlsx"
    assert await export(database_url, *WEEK, str(target)) == 0
    assert "已导出 11 件诉求" in capsys.readouterr().out
    book = load_workbook(target)
    assert book.sheetnames == ["台账", "事件", "汇总", "代表履职"]
    ledger = book["台账"]
    header = [c.value for c in ledger[1]]
    assert header == list(texts.XLSX_LEDGER_HEADERS)
    assert ledger.freeze_panes == "A2"
    assert ledger.auto_filter.ref == f"A1:S{ledger.max_row}"
    rows = {r[0]: r for r in ledger.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == IN_PERIOD
    a1 = rows["A1"]
    assert isinstance(a1[1], datetime)  # a real date, in local time
    assert a1[1] == START.astimezone(TZ).replace(tzinfo=None).replace(hour=1)
    assert a1[12] == 0  # closed (the seeds keep no answer time)
    assert (a1[5], a1[6], a1[8], a1[2], a1[3]) == (TOPIC, DEPARTMENT, "已办结", "代表1", "市")
    assert rows["A7"][17] == "P1"  # a recurrence names the earlier item
    # A12 is open, due at +100 h, and NOW is +170 h: 70 h late is the 3rd day begun.
    assert rows["A12"][12] == 3
    summary = await summarize(sessions)
    waiting = {o.tracking_no: o.hours for o in summary.overdue}
    # Routed and not acknowledged in time: the hours the summary lists, in the same column.
    assert {no: row[13] for no, row in rows.items() if row[13] is not None} == {
        no: hours for no, hours in waiting.items() if no in ("A4", "A9")
    }
    assert rows["A4"][13] == 136.0  # acknowledgement due at +34 h, NOW is +170 h
    events = list(book["事件"].iter_rows(min_row=2, values_only=True))
    in_period_events = sum(len(s.events) for s in SEEDS if s.no in IN_PERIOD)
    assert len(events) == in_period_events
    assert {e[2] for e in events} == {
        texts.EVENTS[k] for k in ("acknowledged", "answered", "rated", "reopened")
    }
    figures = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert figures["收到诉求（件）"] == summary.received == 11
    assert figures["已办结（件）"] == summary.closed
    deputies = {r[0]: r for r in book["代表履职"].iter_rows(min_row=2, values_only=True)}
    assert set(deputies) == {"代表1", "代表2", "代表3"}
    assert sum(r[3] for r in deputies.values()) == 11


async def test_one_department_only(sessions: Sessions, database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "housing.xlsx"
    argv = (*WEEK, "--department", "housing", str(target))
    assert await export(database_url, *argv) == 0
    ledger = load_workbook(target)["台账"]
    numbers = {r[0] for r in ledger.iter_rows(min_row=2, values_only=True)}
    assert numbers == {"A1", "A2", "A7"}


async def test_a_bad_department_or_period_writes_nothing(
    sessions: Sessions, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.xlsx"
    argv = (*WEEK, "--department", "nope", str(target))
    assert await export(database_url, *argv) == 2
    assert "没有代码为 nope 的承办部门" in capsys.readouterr().out
    assert (
        await export(database_url, "--from", "2026-12-13", "--to", "2026-12-07", str(target)) == 2
    )
    assert "结束日期不能早于开始日期" in capsys.readouterr().out
    missing = tmp_path / "no-such-folder" / "x.xlsx"
    assert await export(database_url, *WEEK, str(missing)) == 2
    assert "无法写入" in capsys.readouterr().out
    assert workbooks(tmp_path) == []


def actor(role: Role, member_id: int = 1, department: str | None = None) -> Actor:
    """Return an actor of a role (a member unless admin or stranger)."""
    if role is Role.ADMIN:
        return Actor(1, True, None)
    if role is Role.STRANGER:
        return Actor(2, False, None)
    view = MemberView(
        id=member_id, telegram_id=1000 + member_id, role=role, name="某人",
        level=None, district=None, department=department,
    )  # fmt: skip
    return Actor(1000 + member_id, False, view)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (actor(Role.ADMIN), IN_PERIOD),
        (actor(Role.HANDLER, 9, "housing"), {"A1", "A2", "A7"}),
        (actor(Role.SUPERVISOR, 9, "ecology"), {"A3", "A4", "A9"}),
        (actor(Role.DEPUTY, 2), {"A3", "A7", "A9"}),
        (actor(Role.STRANGER), set()),
    ],
    ids=["admin", "handler", "supervisor", "deputy", "stranger"],
)
async def test_each_role_sees_its_own_part_of_the_ledger(
    sessions: Sessions, who: Actor, expected: set[str]
) -> None:
    flt = LedgerFilter(start=START, end=END)
    async with sessions() as session:
        rows = [row async for row in ledger_stream(session, flt, scope_of(who), NOW)]
    assert {row.number for row in rows} == expected


async def test_a_deputys_record_counts_from_the_columns(sessions: Sessions) -> None:
    flt = LedgerFilter(start=START, end=END)
    async with sessions() as session:
        record = await deputy_record(session, 2, flt, NOW)
        nobody = await deputy_record(session, 99, flt, NOW)
        overdue = [r.number async for r in ledger_stream(
            session, LedgerFilter(start=START, end=END, overdue_only=True), EVERYTHING, NOW
        )]  # fmt: skip
    assert nobody is None
    assert record is not None
    assert (record.submitted, record.recurrences) == (3, 1)
    assert sorted(record.numbers) == ["A3", "A7", "A9"]
    assert dict(record.by_department) == {"ecology": 2, "housing": 1}
    assert record.ratings[Rating.SATISFIED] == 0
    assert set(overdue) == {"A3", "A4", "A9", "A12"}  # open past the answer deadline
    assert Scope(nothing=True).condition() is not None


def week(**choices: Any) -> LedgerFilter:
    """Return a filter of the seeded week with these choices."""
    return LedgerFilter(start=START, end=END, **choices)


async def test_a_ledger_page_pages_sorts_and_searches_on_the_server(sessions: Sessions) -> None:
    async with sessions() as session:
        first = await ledger_page(
            session, LedgerFilter(start=START, end=END, per_page=4), EVERYTHING, NOW
        )
        last = await ledger_page(
            session, LedgerFilter(start=START, end=END, per_page=4, page=99), EVERYTHING, NOW
        )
        newest = await ledger_page(
            session,
            LedgerFilter(start=START, end=END, descending=True, per_page=2),
            EVERYTHING,
            NOW,
        )
        found = await ledger_page(session, LedgerFilter(search="A1"), EVERYTHING, NOW)
        wild = await ledger_page(session, LedgerFilter(search="%"), EVERYTHING, NOW)
        district = await ledger_page(
            session,
            LedgerFilter(start=START, end=END, district="雨花区", level="省"),
            EVERYTHING,
            NOW,
        )
    assert (first.total, first.pages, first.page) == (11, 3, 1)
    assert [r.number for r in first.rows] == ["A1", "A2", "A3", "A4"]
    assert (last.page, len(last.rows)) == (3, 3)  # a page past the end shows the last one
    assert [r.number for r in newest.rows] == ["A11", "A10"]
    assert {r.number for r in found.rows} == {"A1", "A10", "A11", "A12"}
    assert wild.total == 0  # `%` is a character to find, not a wildcard
    assert {r.number for r in district.rows} == {"A4", "A5", "A10", "A11"}


async def test_an_item_is_shown_only_within_scope(sessions: Sessions) -> None:
    async with sessions() as session:
        mine = await item_for(session, "A2", scope_of(actor(Role.HANDLER, 9, "housing")), NOW)
        theirs = await item_for(session, "A3", scope_of(actor(Role.HANDLER, 9, "housing")), NOW)
        missing = await item_for(session, "ZZZ", EVERYTHING, NOW)
    assert theirs is None
    assert missing is None
    assert mine is not None
    assert mine.row.number == "A2"
    assert [e.kind for e in mine.events][:3] == ["acknowledged", "answered", "rated"]
    assert len(mine.events) == 7


def test_rows_past_a_sheets_limit_continue_on_a_numbered_sheet(tmp_path: Path) -> None:
    import xlsxwriter

    from bot.desk.excel import RowSheet

    target = tmp_path / "long.xlsx"
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = RowSheet(book, "事件", ("编号",), (10,), limit=3)
    for n in range(7):
        sheet.add((f"N{n}",))
    sheet.finish()
    book.close()
    read = load_workbook(target)
    assert read.sheetnames == ["事件", "事件（2）", "事件（3）"]
    cells = [[r[0] for r in read[name].iter_rows(values_only=True)] for name in read.sheetnames]
    assert cells == [["编号", "N0", "N1", "N2"], ["编号", "N3", "N4", "N5"], ["编号", "N6"]]
    assert sheet.rows == 7
