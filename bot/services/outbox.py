"""The outbox: Bot API calls written in the same transaction as the change that caused them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.callbacks import Buttons
from bot.clock import Clock
from bot.db.models import OutboxMessage

LEASE = timedelta(seconds=60)


def send(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    text: str,
    buttons: Buttons | None = None,
    item_id: int | None = None,
    not_before: datetime | None = None,
) -> None:
    """Queue a message to a chat, held until `not_before` if given (quiet hours)."""
    _add(session, now, "send", chat_id, None, text, {"buttons": buttons}, item_id, not_before)


def edit(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    message_id: int,
    text: str,
    buttons: Buttons | None = None,
    item_id: int | None = None,
) -> None:
    """Queue an edit of a message the bot sent; no buttons removes the keyboard."""
    _add(session, now, "edit", chat_id, message_id, text, {"buttons": buttons}, item_id)


def photo(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    png: bytes | None = None,
    file_id: str | None = None,
    caption: str | None = None,
    item_id: int | None = None,
) -> None:
    """Queue a picture to a chat: PNG bytes (the summary chart) or a Telegram file id."""
    payload: dict[str, Any] = {"caption": caption}
    if png is not None:
        payload["png"] = base64.b64encode(png).decode("ascii")
    else:
        payload["file_id"] = file_id
    _add(session, now, "photo", chat_id, None, None, payload, item_id)


def set_commands(
    session: AsyncSession, now: datetime, *, chat_id: int, commands: list[tuple[str, str]]
) -> None:
    """Queue a setMyCommands call scoped to one chat."""
    _add(session, now, "commands", chat_id, None, None, {"commands": commands}, None)


def _add(
    session: AsyncSession,
    now: datetime,
    op: str,
    chat_id: int,
    message_id: int | None,
    text: str | None,
    payload: dict[str, Any],
    item_id: int | None,
    not_before: datetime | None = None,
) -> None:
    """Add one outbox row to the session."""
    session.add(
        OutboxMessage(
            op=op,
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            payload=payload,
            item_id=item_id,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=max(now, not_before) if not_before else now,
        )
    )


@dataclass(frozen=True)
class OutboxJob:
    """A claimed outbox row, detached from its session."""

    id: int
    op: str
    chat_id: int
    message_id: int | None
    text: str | None
    payload: dict[str, Any]
    attempts: int


class Outbox:
    """Claims due rows for a sender and records how each attempt went."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._wakeup = asyncio.Event()

    def kick(self) -> None:
        """Wake the sender: new rows were committed."""
        self._wakeup.set()

    async def wait(self, seconds: float) -> None:
        """Sleep until kicked or the timeout passes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()

    async def tell(self, chat_id: int, text: str) -> None:
        """Queue one standalone message in its own transaction and wake the sender."""
        async with self._sessions.begin() as session:
            send(session, self._clock.now(), chat_id=chat_id, text=text)
        self.kick()

    async def set_admin_commands(self, chat_id: int, commands: list[tuple[str, str]]) -> None:
        """Queue the administrators' command menu."""
        async with self._sessions.begin() as session:
            set_commands(session, self._clock.now(), chat_id=chat_id, commands=commands)
        self.kick()

    async def claim(self, limit: int = 20) -> list[OutboxJob]:
        """Lease due rows, the oldest per chat only, so each chat keeps its order.

        A row held for the morning (quiet hours, never tried yet) does not hold up the rows
        after it; a row waiting to be retried does.
        """
        now = self._clock.now()
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.status == "pending",
            earlier.id < OutboxMessage.id,
            (earlier.attempts > 0) | (earlier.next_attempt_at <= now),
        )
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now),
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
        async with self._sessions.begin() as session:
            rows = list((await session.execute(query)).scalars())
            for row in rows:
                row.claimed_until = now + LEASE
                row.attempts += 1
            return [
                OutboxJob(r.id, r.op, r.chat_id, r.message_id, r.text, r.payload, r.attempts)
                for r in rows
            ]

    async def mark_sent(self, job_id: int, message_id: int | None) -> None:
        """Record a delivered row so it is never sent again."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == job_id)
                .values(
                    status="sent",
                    sent_at=self._clock.now(),
                    sent_message_id=message_id,
                    claimed_until=None,
                    last_error=None,
                )
            )

    async def mark_retry(self, job_id: int, error: str, delay: timedelta) -> None:
        """Record a failed attempt and when to try again."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == job_id)
                .values(
                    next_attempt_at=self._clock.now() + delay,
                    claimed_until=None,
                    last_error=error[:500],
                )
            )

    async def pending_count(self) -> int:
        """Return how many rows still wait to be delivered."""
        async with self._sessions() as session:
            query = select(func.count()).select_from(OutboxMessage)
            return int(await session.scalar(query.where(OutboxMessage.status == "pending")) or 0)

    async def due_count(self) -> int:
        """Return how many rows wait to be delivered now (not those held for later)."""
        async with self._sessions() as session:
            query = (
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= self._clock.now(),
                )
            )
            return int(await session.scalar(query) or 0)
