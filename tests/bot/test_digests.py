"""The daily digest, built for every handler at once: the same messages, each sent once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import callbacks as cb
from bot import texts
from bot.clock import ManualClock
from bot.context import Services
from bot.db.models import Digest, Item, Member, OutboxMessage
from bot.services import cards, digests
from bot.settings import Settings
from bot.wiring import build_services

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 9, 9, 30, tzinfo=CST)  # a Wednesday, after 09:00
HOUSING = (301, 302)  # active handlers of housing; 303 is revoked
ECOLOGY = 304  # a handler whose department has nothing open
URBAN = 305  # already had today's digest
SUPERVISOR = 306


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """Wire the services on a migrated database at Wednesday 09:30."""
    settings = Settings(DEPUTYBOT_DATABASE_URL=database_url, _env_file=None)  # type: ignore[call-arg]
    built = await build_services(settings, ManualClock(NOW))
    yield built
    await built.engine.dispose()


def _member(telegram_id: int, role: str, department: str | None, **extra: object) -> Member:
    """Describe one bound person."""
    return Member(
        telegram_id=telegram_id,
        role=role,
        name=f"人{telegram_id}",
        department=department,
        joined_at=NOW - timedelta(days=30),
        invite_code=f"code-{telegram_id}",
        **extra,
    )


async def seed(services: Services) -> list[int]:
    """Store the people and items; return housing's open items, most urgent first."""
    async with services.deps.sessions.begin() as session:
        deputy = _member(101, "deputy", None, level="县", district="K8县")
        session.add(deputy)
        for telegram_id in HOUSING:
            session.add(_member(telegram_id, "handler", "housing"))
        session.add(_member(303, "handler", "housing", revoked_at=NOW - timedelta(days=1)))
        session.add(_member(ECOLOGY, "handler", "ecology"))
        session.add(_member(URBAN, "handler", "urban"))
        session.add(_member(SUPERVISOR, "supervisor", "housing"))
        session.add(Digest(kind="daily", chat_id=URBAN, period=NOW.date().isoformat(), at=NOW))
        await session.flush()
        rows: list[tuple[Item, datetime | None]] = []
        for n in range(14):
            routed = n % 3 != 0
            due = None if n == 5 else NOW + timedelta(hours=(n * 7) % 30 - 12)
            item = Item(
                tracking_no=f"261209-{n + 1:04d}",
                status="routed" if routed else "acknowledged",
                deputy_id=deputy.id,
                source_chat_id=101,
                source_message_id=n,
                text=f"诉求{n}",
                department="housing" if n < 12 else "urban",
                created_at=NOW - timedelta(days=1),
                ack_due_at=due if routed else NOW - timedelta(hours=30),
                answer_due_at=NOW + timedelta(days=3) if routed else due,
                urgent=n % 4 == 0,
            )
            session.add(item)
            rows.append((item, due))
        closed = Item(
            tracking_no="261209-0099", status="closed", deputy_id=deputy.id, source_chat_id=101,
            source_message_id=99, text="已办结", department="ecology", created_at=NOW,
        )  # fmt: skip
        session.add(closed)
        await session.flush()
    housing = [(due, item.id) for item, due in rows if item.department == "housing"]
    # Both backends put an item without a deadline first or last; the test leaves it out.
    return [item_id for due, item_id in sorted(h for h in housing if h[0] is not None)]


async def queued(services: Services) -> list[OutboxMessage]:
    """Return the queued messages in order."""
    async with services.deps.sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        return list((await session.execute(query)).scalars())


async def test_each_handler_with_work_gets_the_departments_items_once(
    services: Services,
) -> None:
    ordered = await seed(services)

    assert await services.digests.daily_due(NOW) == len(HOUSING)
    assert await services.digests.daily_due(NOW + timedelta(hours=1)) == 0

    rows = await queued(services)
    assert [row.chat_id for row in rows] == list(HOUSING)
    name = cards.department_name(services.deps.config, "housing")
    header = texts.DIGEST_HEADER.format(department=name, count=12)
    for row in rows:
        assert row.text == header
        assert row.payload == rows[0].payload
    buttons = rows[0].payload["buttons"]
    assert len(buttons) == digests.DIGEST_ITEMS
    data = [button[0][1] for button in buttons]
    without_deadline = [d for d in data if d not in {cb.make(cb.OPEN, i) for i in ordered}]
    assert len(without_deadline) <= 1  # first on SQLite, past the tenth on PostgreSQL
    dated = [d for d in data if d not in without_deadline]
    assert dated == [cb.make(cb.OPEN, i) for i in ordered][: len(dated)]
    labels = [button[0][0] for button in buttons]
    assert sum(label.startswith(texts.URGENT_TAG) for label in labels) >= 1
    assert all("｜" in label for label in labels)


async def test_before_nine_and_in_quiet_hours_nothing_is_sent(services: Services) -> None:
    await seed(services)
    assert await services.digests.daily_due(NOW.replace(hour=8, minute=59)) == 0
    assert await services.digests.daily_due(NOW.replace(hour=23)) == 0
    assert await queued(services) == []


async def test_two_instances_at_once_send_each_digest_once(
    services: Services, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(services)
    monkeypatch.setattr(digests, "BATCH", 1)  # interleave the two as much as possible
    settings = Settings(DEPUTYBOT_DATABASE_URL=database_url, _env_file=None)  # type: ignore[call-arg]
    other = await build_services(settings, ManualClock(NOW))
    try:
        sent = await asyncio.gather(services.digests.daily_due(NOW), other.digests.daily_due(NOW))
    finally:
        await other.engine.dispose()
    assert sum(sent) == len(HOUSING)
    assert sorted(row.chat_id for row in await queued(services)) == list(HOUSING)
    async with services.deps.sessions() as session:
        recorded = await session.scalar(select(func.count()).select_from(Digest))
    assert recorded == len(HOUSING) + 1  # and URBAN's from before
