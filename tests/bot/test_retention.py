"""Retention: only what is kept for delivery and de-duplication goes, and only when old."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock, SystemClock
from bot.db.models import HandledMessage, InboxUpdate, Instance, OutboxMessage
from bot.db.sessions import Sessions
from bot.services import retention
from bot.services.retention import Retention

NOW = SystemClock().now()
OLD = NOW - timedelta(days=40)


def _outbox(status: str, at: datetime) -> OutboxMessage:
    """An outbox row created and (if sent) sent at `at`."""
    return OutboxMessage(
        op="send", chat_id=1, text="t", payload={}, status=status, attempts=1,
        created_at=at, next_attempt_at=at, sent_at=at if status != "pending" else None,
    )  # fmt: skip


def _inbox(update_id: int, status: str, at: datetime) -> InboxUpdate:
    """An inbox row received at `at`."""
    return InboxUpdate(
        update_id=update_id, status=status, attempts=0, received_at=at, next_attempt_at=at
    )


async def _count(sessions: Sessions, model: type[object]) -> int:
    """Count the rows of a table."""
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_prune_keeps_recent_pending_and_failed_rows(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)
    async with sessions.begin() as session:
        session.add_all([_outbox("sent", OLD) for _ in range(5)])
        session.add_all([_outbox("sent", NOW), _outbox("pending", OLD), _outbox("failed", OLD)])
        session.add_all([_inbox(1, "done", OLD), _inbox(2, "done", NOW)])
        session.add_all([_inbox(3, "pending", OLD), _inbox(4, "failed", OLD)])
        session.add_all(
            [
                HandledMessage(chat_id=1, message_id=1, at=OLD),
                HandledMessage(chat_id=1, message_id=2, at=NOW),
            ]
        )
        session.add(
            Instance(id="gone", host="h", pid=1, started_at=OLD, seen_at=OLD, polling=False)
        )
    pruned = await Retention(sessions, ManualClock(NOW), days=30).prune()
    assert pruned == {"outbox": 5, "inbox": 1, "handled_messages": 1, "instances": 1}
    assert await _count(sessions, OutboxMessage) == 3
    assert await _count(sessions, InboxUpdate) == 3
    assert await _count(sessions, HandledMessage) == 1
    assert await _count(sessions, Instance) == 0
    assert await Retention(sessions, ManualClock(NOW), days=30).prune() == dict.fromkeys(
        ("outbox", "inbox", "handled_messages", "instances"), 0
    )
