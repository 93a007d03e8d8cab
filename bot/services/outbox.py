"""The outbox: Bot API calls written in the same transaction as the change that caused them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import Buttons
from bot.clock import Clock
from bot.db.models import OutboxMessage
from bot.db.sessions import Sessions, current_unit
from bot.domain.states import CardKind
from bot.services import fit

# Replies to a person go before digests, reminders and summaries (each chat stays in order).
PRIORITY_PERSON = 0
PRIORITY_BULK = 1


def send(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    text: str,
    buttons: Buttons | None = None,
    item_id: int | None = None,
    not_before: datetime | None = None,
    card: CardKind | None = None,
    bulk: bool = False,
) -> None:
    """Queue a message to a chat, held until `not_before` if given (quiet hours).

    A text over Telegram's limit goes out as several messages, the buttons on the last; a
    `card` (a message with buttons about an item) is remembered once delivered. A `bulk`
    message (a digest, a reminder, a summary) waits behind replies to people, never in front.
    """
    parts = fit.split(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        payload = {"buttons": buttons, "card": card} if last else {"buttons": None}
        _add(session, now, "send", chat_id, None, part, payload, item_id, not_before, bulk)


def edit(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    message_id: int,
    text: str,
    buttons: Buttons | None = None,
    item_id: int | None = None,
    card: CardKind | None = None,
) -> None:
    """Queue an edit of a message the bot sent; no buttons removes the keyboard."""
    payload = {"buttons": buttons, "card": card}
    _add(session, now, "edit", chat_id, message_id, fit.clip(text), payload, item_id)


def photo(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    png: bytes | None = None,
    file_id: str | None = None,
    caption: str | None = None,
    item_id: int | None = None,
    bulk: bool = False,
) -> None:
    """Queue a picture to a chat: PNG bytes (the summary chart) or a Telegram file id."""
    payload: dict[str, Any] = {"caption": fit.clip(caption, fit.CAPTION_LIMIT) if caption else None}
    if png is not None:
        payload["png"] = base64.b64encode(png).decode("ascii")
    else:
        payload["file_id"] = file_id
    _add(session, now, "photo", chat_id, None, None, payload, item_id, bulk=bulk)


def document(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    data: bytes,
    filename: str,
    caption: str | None = None,
    bulk: bool = False,
) -> None:
    """Queue a file to a chat (a week's workbook: tens of kilobytes, kept in the row)."""
    payload: dict[str, Any] = {
        "data": base64.b64encode(data).decode("ascii"),
        "filename": filename,
        "caption": fit.clip(caption, fit.CAPTION_LIMIT) if caption else None,
    }
    _add(session, now, "document", chat_id, None, None, payload, None, bulk=bulk)


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
    bulk: bool = False,
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
            priority=PRIORITY_BULK if bulk else PRIORITY_PERSON,
        )
    )


class Outbox:
    """Queues standalone messages and wakes the sender when rows were committed."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._wakeup = asyncio.Event()

    def kick(self) -> None:
        """Wake the sender once the rows just queued are committed."""
        unit = current_unit()
        if unit is not None:
            unit.after_commit(self._wakeup.set)
        else:
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
