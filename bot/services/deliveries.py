"""The sender's side of the outbox: short per-row leases, and what each attempt came to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import texts
from bot.clock import Clock, SystemClock
from bot.db.models import CardMessage, ChatHold, Member, OutboxMessage
from bot.db.sessions import Sessions, dialect_name
from bot.db.types import UTCDateTime
from bot.domain.states import CardKind
from bot.services import outbox

# A lease is short and renewed while the call is in flight, so a dead sender's row is taken
# over within seconds, and a slow call is never taken over while it is still being made.
LEASE = timedelta(seconds=6)
WALL = SystemClock()


@dataclass(frozen=True)
class OutboxJob:
    """A leased outbox row, detached from its session."""

    id: int
    op: str
    chat_id: int
    message_id: int | None
    text: str | None
    payload: dict[str, Any]
    attempts: int
    item_id: int | None = None


class Deliveries:
    """Hands due rows to senders one at a time, and records how each attempt went."""

    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        admin_ids: frozenset[int],
        *,
        lease: timedelta = LEASE,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._admin_ids = admin_ids
        self.lease_time = lease

    async def candidates(self, limit: int = 20) -> list[int]:
        """Return due rows that are the next of their chat and leased by nobody."""
        params = {"now": self._clock.now(), "wall": WALL.now(), "limit": limit}
        async with self._sessions() as session:
            return [int(i) for i in (await session.execute(CANDIDATES, params)).scalars()]

    async def lease(self, row_id: int) -> OutboxJob | None:
        """Lease one row for this sender; None when another sender has it or it went out."""
        wall = WALL.now()
        params = {
            "row": row_id,
            "now": self._clock.now(),
            "wall": wall,
            "until": wall + self.lease_time,
        }
        async with self._sessions.begin() as session:
            row = (await session.execute(LEASE_ROW, params)).first()
        if row is None:
            return None
        return OutboxJob(
            row.id,
            row.op,
            row.chat_id,
            row.message_id,
            row.text,
            row.payload,
            row.attempts,
            row.item_id,
        )

    async def renew(self, row_id: int) -> None:
        """Extend the lease of a row whose call is still in flight."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    OutboxMessage.status == "pending",
                    OutboxMessage.claimed_until.is_not(None),
                )
                .values(claimed_until=WALL.now() + self.lease_time)
            )

    async def sent(self, job: OutboxJob, message_id: int | None) -> None:
        """Record a delivered row so it is never sent again; the chat is writable again."""
        async with self._sessions.begin() as session:
            await self._finish(session, job.id, "sent", None, sent_message_id=message_id)
            if job.attempts > 1:  # only a row that was retried can have held its chat
                await session.execute(delete(ChatHold).where(ChatHold.chat_id == job.chat_id))
            card = job.payload.get("card")
            if message_id is not None and job.item_id is not None and (card or job.op == "edit"):
                await self._remember_card(session, job, message_id)

    async def _remember_card(self, session: AsyncSession, job: OutboxJob, message_id: int) -> None:
        """Note which card a delivered message now is (none: an edit replaced the card)."""
        card = job.payload.get("card")
        now = self._clock.now()
        this_message = (CardMessage.chat_id == job.chat_id, CardMessage.message_id == message_id)
        if card is None:
            await session.execute(
                update(CardMessage)
                .where(*this_message, CardMessage.retired_at.is_(None))
                .values(retired_at=now)
            )
            return
        assert job.item_id is not None
        dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
        remember = dialect.insert(CardMessage).values(
            item_id=job.item_id,
            chat_id=job.chat_id,
            message_id=message_id,
            kind=CardKind(card),
            at=now,
        )
        excluded = remember.excluded
        await session.execute(
            remember.on_conflict_do_update(
                index_elements=[CardMessage.chat_id, CardMessage.message_id],
                set_={"kind": excluded.kind, "at": excluded.at, "retired_at": None},
            )
        )

    async def failed(self, job: OutboxJob, reason: str) -> None:
        """Record a row that can never be delivered; it no longer holds up its chat."""
        async with self._sessions.begin() as session:
            await self._finish(session, job.id, "failed", reason)

    async def retry(self, job: OutboxJob, reason: str, delay: timedelta) -> None:
        """Record a failed attempt and when to try again."""
        async with self._sessions.begin() as session:
            await self._again(session, job.id, reason, delay)

    async def resend(self, job: OutboxJob, reason: str) -> None:
        """Turn an edit of a message that is gone into a new message with the same card."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == job.id)
                .values(op="send", message_id=None, last_error=reason, claimed_until=None)
            )
            await session.execute(
                update(CardMessage)
                .where(CardMessage.chat_id == job.chat_id, CardMessage.message_id == job.message_id)
                .values(retired_at=self._clock.now())
            )

    async def hold(self, job: OutboxJob, reason: str, delay: timedelta) -> None:
        """Keep a blocked chat's rows for later; tell the administrators the first time."""
        async with self._sessions.begin() as session:
            await self._again(session, job.id, reason, delay)
            dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
            statement = (
                dialect.insert(ChatHold)
                .values(chat_id=job.chat_id, reason=reason[:200], since=self._clock.now())
                .on_conflict_do_nothing()
            )
            if (await session.execute(statement)).rowcount:  # type: ignore[attr-defined]
                await self._report_hold(session, job.chat_id, reason)

    async def _report_hold(self, session: AsyncSession, chat_id: int, reason: str) -> None:
        """Queue one note about a blocked chat to every other administrator."""
        member = (
            await session.execute(select(Member).where(Member.telegram_id == chat_id))
        ).scalar_one_or_none()
        if member is not None:
            who = f"{texts.ROLES.get(member.role, '')} {member.name}"
        elif chat_id in self._admin_ids:
            who = f"{texts.ROLES['admin']} {chat_id}"
        else:
            who = str(chat_id)
        note = texts.CHAT_HELD_ADMIN.format(who=who, reason=reason)
        for admin_id in sorted(self._admin_ids - {chat_id}):
            outbox.send(session, self._clock.now(), chat_id=admin_id, text=note)

    async def _again(
        self, session: AsyncSession, row_id: int, reason: str, delay: timedelta
    ) -> None:
        """Release a row's lease and set its next attempt."""
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                next_attempt_at=self._clock.now() + delay,
                claimed_until=None,
                last_error=reason[:500],
            )
        )

    async def _finish(
        self,
        session: AsyncSession,
        row_id: int,
        status: str,
        reason: str | None,
        *,
        sent_message_id: int | None = None,
    ) -> None:
        """Close a row as sent or failed."""
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                status=status,
                sent_at=self._clock.now(),
                sent_message_id=sent_message_id,
                claimed_until=None,
                last_error=reason,
            )
        )


# The statements the sender runs for every message, built once (bound per call).
_NOW = bindparam("now", type_=UTCDateTime())
_WALL = bindparam("wall", type_=UTCDateTime())
_EARLIER = aliased(OutboxMessage)
# Due, not leased, first of its chat. A row held for the morning (quiet hours, never tried)
# does not hold up the rows after it; a row waiting to be retried does, so a chat always
# reads its messages in order.
DELIVERABLE = (
    OutboxMessage.status == "pending",
    OutboxMessage.next_attempt_at <= _NOW,
    OutboxMessage.claimed_until.is_(None) | (OutboxMessage.claimed_until < _WALL),
    ~exists().where(
        _EARLIER.chat_id == OutboxMessage.chat_id,
        _EARLIER.status == "pending",
        _EARLIER.id < OutboxMessage.id,
        (_EARLIER.attempts > 0) | (_EARLIER.next_attempt_at <= _NOW),
    ),
)
CANDIDATES = (
    select(OutboxMessage.id)
    .where(*DELIVERABLE)
    .order_by(OutboxMessage.priority, OutboxMessage.id)
    .limit(bindparam("limit"))
)
LEASE_ROW = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("row"), *DELIVERABLE)
    .values(
        claimed_until=bindparam("until", type_=UTCDateTime()),
        attempts=OutboxMessage.attempts + 1,
    )
    .returning(
        OutboxMessage.id,
        OutboxMessage.op,
        OutboxMessage.chat_id,
        OutboxMessage.message_id,
        OutboxMessage.text,
        OutboxMessage.payload,
        OutboxMessage.attempts,
        OutboxMessage.item_id,
    )
    .execution_options(synchronize_session=False)
)
