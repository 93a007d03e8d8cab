"""The sender against the local Bot API: no failure blocks a chat, no slow call is taken over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from telegram import Bot

from bot.clock import ManualClock
from bot.db.models import ChatHold, OutboxMessage
from bot.db.sessions import Sessions
from bot.fake_telegram import FakeTelegram
from bot.runtime.sender import OutboxSender
from bot.services import deliveries, outbox
from bot.services.deliveries import Deliveries
from bot.services.outbox import Outbox
from tests.bot.conftest import ADMIN, CHAT

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _sender(
    bot: Bot, sessions: Sessions, clock: ManualClock, lease: timedelta = deliveries.LEASE
) -> OutboxSender:
    """Build a sender whose administrators are told about blocked chats."""
    box = Deliveries(sessions, clock, frozenset({ADMIN}), lease=lease)
    return OutboxSender(bot, Outbox(sessions, clock), box)


async def _rows(sessions: Sessions) -> list[tuple[str, str, str | None]]:
    """Return (op, status, last error) of every outbox row, in order."""
    async with sessions() as session:
        query = select(OutboxMessage.op, OutboxMessage.status, OutboxMessage.last_error)
        rows = (await session.execute(query.order_by(OutboxMessage.id))).all()
        return [(op, status, error) for op, status, error in rows]


async def test_an_edit_of_a_deleted_card_sends_the_card_anew(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    sender = _sender(bot, sessions, clock)
    async with sessions.begin() as session:
        outbox.send(session, clock.now(), chat_id=CHAT, text="卡片")
    await sender.drain()
    card = telegram.chat(CHAT)[0]
    telegram.user_deletes(CHAT, card.message_id)
    async with sessions.begin() as session:
        buttons = [[("签收", "ack:1")]]
        outbox.edit(
            session,
            clock.now(),
            chat_id=CHAT,
            message_id=card.message_id,
            text="新卡片",
            buttons=buttons,
        )
        outbox.send(session, clock.now(), chat_id=CHAT, text="下一条")
    await sender.drain()
    visible = telegram.chat(CHAT)
    assert [m.text for m in visible] == ["新卡片", "下一条"]
    assert visible[0].buttons() == ["签收"]
    assert [(op, status) for op, status, _ in await _rows(sessions)] == [
        ("send", "sent"),
        ("send", "sent"),
        ("send", "sent"),
    ]


async def test_a_message_that_can_never_go_is_failed_and_the_chat_goes_on(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    sender = _sender(bot, sessions, clock)
    telegram.fail_next(
        "sendMessage", error_code=400, description="Bad Request: message is too long"
    )
    async with sessions.begin() as session:
        outbox.send(session, clock.now(), chat_id=CHAT, text="第一条")
        outbox.send(session, clock.now(), chat_id=CHAT, text="第二条")
    await sender.drain()
    assert [m.text for m in telegram.chat(CHAT)] == ["第二条"]
    assert await _rows(sessions) == [
        ("send", "failed", "400: Message is too long"),
        ("send", "sent", None),
    ]


async def test_texts_over_the_limit_are_split_or_clipped_before_queueing(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    sender = _sender(bot, sessions, clock)
    long_text = "\n".join(f"第{n}行：" + "说明" * 40 for n in range(200))
    async with sessions.begin() as session:
        outbox.send(session, clock.now(), chat_id=CHAT, text=long_text, buttons=[[("好", "ack:1")]])
    await sender.drain()
    parts = telegram.chat(CHAT)
    assert len(parts) > 1
    assert "".join(m.text for m in parts).replace("\n", "") == long_text.replace("\n", "")
    assert [bool(m.buttons()) for m in parts] == [False] * (len(parts) - 1) + [True]
    async with sessions.begin() as session:
        outbox.edit(
            session, clock.now(), chat_id=CHAT, message_id=parts[0].message_id, text=long_text
        )
    await sender.drain()
    edited = telegram.chat(CHAT)[0].text
    assert len(edited) <= 4096
    assert edited.endswith("（内容过长，已截断）")


async def test_a_user_who_blocked_the_bot_is_held_and_admins_are_told_once(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    sender = _sender(bot, sessions, clock)
    telegram.block(CHAT)
    async with sessions.begin() as session:
        for n in range(3):
            outbox.send(session, clock.now(), chat_id=CHAT, text=f"消息{n}")
    for _ in range(3):
        await sender.drain()
        clock.advance(timedelta(hours=1))
    notes = [m.text for m in telegram.chat(ADMIN)]
    assert len(notes) == 1
    assert "屏蔽" in notes[0]
    telegram.unblock(CHAT)
    clock.advance(timedelta(hours=1))
    await sender.drain()
    assert [m.text for m in telegram.chat(CHAT)] == ["消息0", "消息1", "消息2"]
    async with sessions() as session:
        assert await session.get(ChatHold, CHAT) is None


async def test_a_slow_call_keeps_its_lease_and_is_never_sent_twice(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    lease = timedelta(seconds=0.6)
    clock = ManualClock(START)
    chats = [CHAT + n for n in range(1, 5)]
    for chat in chats:
        telegram.add_user(chat, f"用户{chat}")
    async with sessions.begin() as session:
        for n in range(8):
            outbox.send(session, clock.now(), chat_id=chats[n % 4], text=f"消息{n}")
    telegram.slow_calls("sendMessage", 1.0, times=2)
    first = _sender(bot, sessions, clock, lease)
    second = _sender(bot, sessions, clock, lease)
    await asyncio.gather(first.drain(), second.drain())
    assert sorted(m.text for m in telegram.messages) == sorted(f"消息{n}" for n in range(8))


async def test_an_answer_that_comes_late_but_within_the_timeout_is_not_sent_again(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    sender = _sender(bot, sessions, clock)
    telegram.late_answers("sendMessage", 6.0, times=1)
    async with sessions.begin() as session:
        outbox.send(session, clock.now(), chat_id=CHAT, text="迟到的回答")
    await sender.drain()
    assert [m.text for m in telegram.chat(CHAT)] == ["迟到的回答"]
    assert await _rows(sessions) == [("send", "sent", None)]


async def test_stopping_finishes_the_row_in_flight(
    sessions: Sessions, telegram: FakeTelegram, bot: Bot
) -> None:
    clock = ManualClock(START)
    box = Outbox(sessions, clock)
    sender = OutboxSender(bot, box, Deliveries(sessions, clock, frozenset()))
    telegram.slow_calls("sendMessage", 0.5, times=1)
    async with sessions.begin() as session:
        outbox.send(session, clock.now(), chat_id=CHAT, text="进行中")
        outbox.send(session, clock.now(), chat_id=CHAT, text="留到下次")
    sender.start()
    await asyncio.sleep(0.2)
    await sender.stop()
    assert [m.text for m in telegram.chat(CHAT)] == ["进行中"]
    assert [status for _, status, _ in await _rows(sessions)] == ["sent", "pending"]
