"""The outbox and its sender against the local Bot API: retries, order, exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.clock import ManualClock
from bot.db.models import OutboxMessage
from bot.db.sessions import Sessions
from bot.fake_telegram import FakeTelegram
from bot.runtime.sender import OutboxSender
from bot.services import outbox
from bot.services.deliveries import Deliveries
from bot.services.outbox import Outbox
from tests.bot.conftest import CHAT

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def _queue(sessions: Sessions, clock: ManualClock, *texts: str) -> None:
    """Queue messages to the test chat in one transaction."""
    async with sessions.begin() as session:
        for text in texts:
            outbox.send(session, clock.now(), chat_id=CHAT, text=text)


async def _statuses(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        query = select(OutboxMessage.status).order_by(OutboxMessage.id)
        return list((await session.execute(query)).scalars())


@pytest.mark.parametrize(
    ("error_code", "retry_after", "wait"),
    [
        pytest.param(429, 7, timedelta(seconds=7), id="429-honours-retry-after"),
        pytest.param(500, None, timedelta(seconds=1), id="500-backs-off"),
        pytest.param(502, None, timedelta(seconds=1), id="502-backs-off"),
        pytest.param(403, None, timedelta(hours=1), id="403-blocked-held-not-dropped"),
    ],
)
async def test_failed_send_is_retried_once_due(
    sessions: Sessions,
    telegram: FakeTelegram,
    bot: Bot,
    error_code: int,
    retry_after: int | None,
    wait: timedelta,
) -> None:
    clock = ManualClock(START)
    box = Outbox(sessions, clock)
    sender = OutboxSender(bot, box, Deliveries(sessions, clock, frozenset()))
    await _queue(sessions, clock, "第一条", "第二条")
    telegram.fail_next(
        "sendMessage",
        error_code=error_code,
        retry_after=retry_after,
        description="Forbidden: bot was blocked by the user" if error_code == 403 else None,
    )
    await sender.drain()
    assert [m.text for m in telegram.chat(CHAT)] == []
    assert await _statuses(sessions) == ["pending", "pending"]
    clock.advance(wait - timedelta(seconds=1))
    await sender.drain()
    assert telegram.chat(CHAT) == []
    clock.advance(timedelta(seconds=1))
    await sender.drain()
    assert [m.text for m in telegram.chat(CHAT)] == ["第一条", "第二条"]
    assert await _statuses(sessions) == ["sent", "sent"]
    await sender.drain()
    assert len(telegram.calls_of("sendMessage")) == 3


async def test_edit_that_changes_nothing_counts_as_done(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    box = Outbox(sessions, clock)
    sender = OutboxSender(bot, box, Deliveries(sessions, clock, frozenset()))
    await _queue(sessions, clock, "卡片")
    await sender.drain()
    message = telegram.chat(CHAT)[0]
    async with sessions.begin() as session:
        for _ in range(2):
            outbox.edit(
                session, clock.now(), chat_id=CHAT, message_id=message.message_id, text="已提交"
            )
    await sender.drain()
    assert await _statuses(sessions) == ["sent", "sent", "sent"]
    assert telegram.chat(CHAT)[0].text == "已提交"


async def test_two_senders_deliver_each_row_once(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    chats = [CHAT + i for i in range(1, 11)]
    for chat in chats:
        telegram.add_user(chat, f"用户{chat}")
    async with sessions.begin() as session:
        for i in range(60):
            outbox.send(session, clock.now(), chat_id=chats[i % 10], text=f"消息{i}")
    first = OutboxSender(bot, Outbox(sessions, clock), Deliveries(sessions, clock, frozenset()))
    second = OutboxSender(bot, Outbox(sessions, clock), Deliveries(sessions, clock, frozenset()))
    await asyncio.gather(first.drain(), second.drain())
    texts = [m.text for m in telegram.messages]
    assert sorted(texts) == sorted(f"消息{i}" for i in range(60))
    for chat in chats:
        in_chat = [int((m.text or "")[2:]) for m in telegram.chat(chat)]
        assert in_chat == sorted(in_chat)
