"""The inbox: Telegram updates stored before their offset is confirmed, processed once each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import texts
from bot.clock import Clock, SystemClock
from bot.db.models import InboxUpdate, Member
from bot.db.sessions import Sessions, dialect_name
from bot.db.types import UTCDateTime
from bot.services import outbox

# Inbox times are the machine's (retries must come due in real time); outbox rows the bot's.
WALL = SystemClock()
# Attempts before an update that keeps failing is set aside, and the wait before each retry.
RETRY_DELAYS = (timedelta(seconds=0.2), timedelta(seconds=1), timedelta(seconds=4))


@dataclass(frozen=True)
class DueUpdate:
    """A stored update that may be processed now: the oldest pending one of its chat."""

    update_id: int
    chat_key: int | None


def chat_key(update: dict[str, Any]) -> int | None:
    """Return the chat an update belongs to (its order key), or None when it has none."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


class Inbox:
    """Stores fetched updates and hands them out in order per chat, each to one worker."""

    def __init__(self, sessions: Sessions, clock: Clock, admin_ids: frozenset[int]) -> None:
        self._sessions = sessions
        self._clock = clock
        self._admin_ids = admin_ids

    async def store(self, updates: list[dict[str, Any]]) -> int:
        """Insert updates not seen before in one transaction; return how many were new."""
        if not updates:
            return 0
        now = WALL.now()
        rows = [
            {
                "update_id": int(u["update_id"]),
                "chat_key": chat_key(u),
                # ASCII-escaped, so NULs and lone surrogates are stored as text, not refused.
                "payload": json.dumps(u, ensure_ascii=True, separators=(",", ":")),
                "status": "pending",
                "attempts": 0,
                "received_at": now,
                "next_attempt_at": now,
            }
            for u in updates
        ]
        async with self._sessions.begin() as session:
            dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
            statement = dialect.insert(InboxUpdate).values(rows).on_conflict_do_nothing()
            result = await session.execute(statement)
        return max(int(getattr(result, "rowcount", 0) or 0), 0)

    async def due(self, *, limit: int) -> list[DueUpdate]:
        """Return the oldest pending update of each chat whose turn has come."""
        async with self._sessions() as session:
            rows = (await session.execute(DUE, {"now": WALL.now(), "limit": limit})).all()
        return [DueUpdate(int(r.update_id), r.chat_key) for r in rows]

    async def take(self, session: AsyncSession, update_id: int) -> dict[str, Any] | None:
        """Lock a pending update for this unit of work; None if another worker has it."""
        payload = (await session.execute(TAKE, {"id": update_id})).scalar_one_or_none()
        if payload is None:
            return None
        data: dict[str, Any] = json.loads(payload)
        return data

    async def done(self, session: AsyncSession, update_id: int) -> None:
        """Mark an update processed, in the unit of work of its effects; keep only its id."""
        await session.execute(DONE, {"id": update_id, "at": WALL.now()})

    async def failed(self, due: DueUpdate, error: BaseException) -> bool:
        """Record a failed attempt; return True when the update is set aside for good."""
        now = WALL.now()
        reason = type(error).__name__[:200]
        async with self._sessions.begin() as session:
            row = await session.get(InboxUpdate, due.update_id, with_for_update=True)
            if row is None or row.status != "pending":
                return False
            row.attempts += 1
            row.last_error = reason
            if row.attempts <= len(RETRY_DELAYS):
                row.next_attempt_at = now + RETRY_DELAYS[row.attempts - 1]
                return False
            row.status, row.done_at = "failed", now
            if due.chat_key is not None and await self._may_write(session, due.chat_key):
                outbox.send(
                    session, self._clock.now(), chat_id=due.chat_key, text=texts.UPDATE_FAILED
                )
            return True

    async def _may_write(self, session: AsyncSession, chat_id: int) -> bool:
        """Return whether the chat is an administrator's or a member's (never a stranger's)."""
        if chat_id in self._admin_ids:
            return True
        query = select(Member.id).where(Member.telegram_id == chat_id, Member.revoked_at.is_(None))
        return (await session.execute(query)).first() is not None

    async def depth(self) -> tuple[int, datetime | None]:
        """Return how many updates wait and when the oldest of them arrived."""
        query = select(func.count(), func.min(InboxUpdate.received_at)).where(
            InboxUpdate.status == "pending"
        )
        async with self._sessions() as session:
            count, oldest = (await session.execute(query)).one()
        return int(count or 0), oldest

    async def failed_count(self) -> int:
        """Return how many updates were set aside after failing."""
        query = select(func.count()).where(InboxUpdate.status == "failed")
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)


# The statements every update runs, built once (bound per call).
_EARLIER = aliased(InboxUpdate)
EARLIER_PENDING = exists().where(
    and_(
        _EARLIER.status == "pending",
        _EARLIER.chat_key == InboxUpdate.chat_key,
        _EARLIER.update_id < InboxUpdate.update_id,
    )
)
DUE = (
    select(InboxUpdate.update_id, InboxUpdate.chat_key)
    .where(
        InboxUpdate.status == "pending",
        InboxUpdate.next_attempt_at <= bindparam("now", type_=UTCDateTime()),
        ~EARLIER_PENDING,
    )
    .order_by(InboxUpdate.update_id)
    .limit(bindparam("limit"))
)
TAKE = (
    select(InboxUpdate.payload)
    .where(
        InboxUpdate.update_id == bindparam("id"),
        InboxUpdate.status == "pending",
        ~EARLIER_PENDING,
    )
    .with_for_update(skip_locked=True)
)
DONE = (
    update(InboxUpdate)
    .where(InboxUpdate.update_id == bindparam("id"))
    .values(
        status="done", done_at=bindparam("at", type_=UTCDateTime()), payload=None, chat_key=None
    )
    .execution_options(synchronize_session=False)
)
