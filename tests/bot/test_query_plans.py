"""Every query an everyday operation runs is served by an index, never a scan of history.

The statements are captured while the real services work, then explained: on SQLite a plan
may SEARCH a table or SCAN a partial index of live rows, never SCAN a history table; on
PostgreSQL, with sequential scans priced out, no plan may still fall back to one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.scale_seed import NOW, seed
from bot.clock import ManualClock
from bot.context import Services
from bot.desk.ledger import LedgerFilter, item_for, ledger_page, photo_of, scope_of
from bot.desk.web.ledger_view import filter_of
from bot.domain.rules import Action
from bot.domain.states import Status
from bot.services.acting import Act
from bot.services.actors import Actor
from bot.services.routing import RoutingHolder
from bot.services.summary import compute_summary
from bot.settings import Settings
from bot.wiring import build_services

HISTORY = ("items", "item_events", "outbox", "inbox", "card_messages", "handled_messages")
# Partial indexes hold only live rows, so scanning one is not scanning history.
LIVE = ("ix_outbox_pending_order", "ix_outbox_pending_chat", "ix_inbox_pending")


@pytest.fixture
async def services(database_url: str, routing: RoutingHolder) -> AsyncIterator[Services]:
    """Seed a database with history and a month of live work."""
    settings = Settings(  # type: ignore[call-arg]
        DEPUTYBOT_DATABASE_URL=database_url, DEPUTYBOT_ADMIN_IDS="900", _env_file=None
    )
    built = await build_services(settings, ManualClock(NOW), routing)
    await seed(built, 3_000)
    yield built
    await built.engine.dispose()


async def _statements(
    engine: AsyncEngine, work: Callable[[], Awaitable[object]]
) -> list[tuple[str, Any]]:
    """Run the work and return the SELECT statements it sent, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await work()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    return seen


async def _plan(engine: AsyncEngine, statement: str, parameters: Any) -> list[str]:
    """Explain one captured statement on its backend."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        if engine.dialect.name == "sqlite":
            cursor = await driver.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return [str(row[-1]) for row in await cursor.fetchall()]
        await driver.execute("SET enable_seqscan = off")
        rows = await driver.fetch(f"EXPLAIN {statement}", *parameters)
        await driver.execute("RESET enable_seqscan")
        return [str(row[0]) for row in rows]


def _scans_history(plan: list[str]) -> list[str]:
    """Return the plan lines that read a whole history table."""
    bad = []
    for line in plan:
        sqlite_scan = re.search(r"\bSCAN (\w+)", line)
        if sqlite_scan and sqlite_scan.group(1) in HISTORY and not any(i in line for i in LIVE):
            bad.append(line)
        pg_scan = re.search(r"Seq Scan on (\w+)", line)
        if pg_scan and pg_scan.group(1) in HISTORY:
            bad.append(line)
    return bad


async def _ledger(services: Services, actor: Actor, flt: LedgerFilter) -> object:
    """Read one page of the ledger as the actor."""
    async with services.deps.sessions() as session:
        return await ledger_page(session, flt, scope_of(actor), NOW)


async def _item(services: Services, actor: Actor, number: str) -> object:
    """Read one item's page as the actor."""
    async with services.deps.sessions() as session:
        return await item_for(session, number, scope_of(actor), NOW)


async def _photo(services: Services, actor: Actor, number: str) -> object:
    """Look up one item's photo as the actor."""
    async with services.deps.sessions() as session:
        return await photo_of(session, number, scope_of(actor))


async def test_everyday_operations_read_live_rows_through_indexes(services: Services) -> None:
    admin = await services.actors.resolve(900)
    handler = await services.actors.resolve(201)
    deputy = await services.actors.resolve(101)
    first_routed = text("SELECT min(id) FROM items WHERE status = 'routed'")
    async with services.deps.sessions() as session:
        routed = (await session.execute(first_routed)).scalar_one()
    month, tz, sessions = NOW.replace(day=1), services.deps.tz, services.deps.sessions

    async def concern() -> None:
        await services.intake.receive(deputy, chat_id=101, message_id=9_999_999, text="路灯坏了")

    operations: dict[str, Callable[[], Awaitable[object]]] = {
        "claim": lambda: services.deliveries.candidates(20),
        "acknowledge": lambda: services.acting(Act(Action.ACKNOWLEDGE, routed, handler, 201, 1)),
        "admin /mine": lambda: services.queries.mine(admin, chat_id=900),
        "handler /mine": lambda: services.queries.mine(handler, chat_id=201),
        "triage": lambda: services.queries.triage(admin, chat_id=900),
        "concern": concern,
        "sweep": lambda: services.reminders.sweep(NOW),
        "inbox": lambda: services.inbox.due(limit=8),
        "summary": lambda: compute_summary(sessions, start=month, end=NOW, now=NOW, tz=tz),
        "ledger page": lambda: _ledger(services, admin, LedgerFilter(start=month, descending=True)),
        "filtered page": lambda: _ledger(
            services, handler, LedgerFilter(start=month, status=Status.ROUTED, sort="deadline")
        ),
        "an item": lambda: _item(services, handler, f"S{3_000 + 50:09d}"),
        "an item's photo": lambda: _photo(services, handler, f"S{3_000 + 50:09d}"),
        # The desk's pages as GET /desk/ledger reads them: without a period, the last 30 days.
        "desk first page": lambda: _ledger(services, admin, filter_of({}, NOW, tz)),
        "desk handler's page": lambda: _ledger(services, handler, filter_of({}, NOW, tz)),
        "desk department and status": lambda: _ledger(
            services, admin, filter_of({"department": "housing", "status": "routed"}, NOW, tz)
        ),
        "desk search": lambda: _ledger(services, admin, filter_of({"search": "第4000处"}, NOW, tz)),
        "desk overdue only": lambda: _ledger(services, admin, filter_of({"overdue": "1"}, NOW, tz)),
        "desk handler's overdue": lambda: _ledger(
            services, handler, filter_of({"overdue": "1"}, NOW, tz)
        ),
        "/record": lambda: services.records.record(deputy, who="", chat_id=101),
    }
    failures = []
    for name, work in operations.items():
        for statement, parameters in await _statements(services.engine, work):
            for line in _scans_history(await _plan(services.engine, statement, parameters)):
                failures.append(f"{name}: {line} <- {statement[:120]}")
    assert failures == []
