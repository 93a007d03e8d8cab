"""The sender's side of the 12345 queue: short leases, in order per item, every outcome kept.

Times here are the machine's (retries and leases must come due in real time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import aliased

from bot import texts
from bot.clock import SystemClock
from bot.db.models import HotlineMessage
from bot.db.sessions import Sessions
from bot.db.types import UTCDateTime
from bot.domain.hotline import Outbound
from bot.services import outbox

LEASE = timedelta(seconds=10)
WALL = SystemClock()


@dataclass(frozen=True)
class HotlineJob:
    """A leased request, detached from its session."""

    id: int
    item_id: int
    kind: Outbound
    code: str
    body: dict[str, Any]
    key: str
    attempts: int


class HotlineDeliveries:
    """Hands due requests to senders and records how each attempt went."""

    def __init__(
        self, sessions: Sessions, admin_ids: frozenset[int], *, lease: timedelta = LEASE
    ) -> None:
        self._sessions = sessions
        self._admin_ids = admin_ids
        self.lease_time = lease

    async def candidates(self, limit: int = 20) -> list[int]:
        """Return due requests that are the next of their item and leased by nobody."""
        params = {"wall": WALL.now(), "limit": limit}
        async with self._sessions() as session:
            return [int(i) for i in (await session.execute(CANDIDATES, params)).scalars()]

    async def lease(self, row_id: int) -> HotlineJob | None:
        """Lease one request; None when another sender has it or it is done."""
        wall = WALL.now()
        params = {"row": row_id, "wall": wall, "until": wall + self.lease_time}
        async with self._sessions.begin() as session:
            row = (await session.execute(LEASE_ROW, params)).first()
        if row is None:
            return None
        return HotlineJob(
            row.id, row.item_id, Outbound(row.kind), row.code, row.body, row.key, row.attempts
        )

    async def renew(self, row_id: int) -> None:
        """Extend the lease of a request still in flight."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(HotlineMessage)
                .where(HotlineMessage.id == row_id, HotlineMessage.status == "pending")
                .values(claimed_until=WALL.now() + self.lease_time)
            )

    async def sent(self, job: HotlineJob) -> None:
        """Record a request the platform accepted (or already had: a repeat)."""
        await self._finish(job, "sent", None)

    async def retry(self, job: HotlineJob, reason: str, delay: timedelta) -> None:
        """Record a failed attempt and when to try again (the item's later requests wait)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(HotlineMessage)
                .where(HotlineMessage.id == job.id)
                .values(
                    next_attempt_at=WALL.now() + delay, claimed_until=None, last_error=reason[:300]
                )
            )

    async def failed(self, job: HotlineJob, reason: str) -> None:
        """Set aside a request the platform refused; tell the administrators."""
        async with self._sessions.begin() as session:
            await self._close(session, job, "failed", reason)
            note = texts.HOTLINE_REFUSED.format(no=job.code, kind=job.kind.value, reason=reason)
            for admin_id in sorted(self._admin_ids):
                outbox.send(session, WALL.now(), chat_id=admin_id, text=note, item_id=job.item_id)

    async def _finish(self, job: HotlineJob, status: str, reason: str | None) -> None:
        """Close a request in a transaction of its own."""
        async with self._sessions.begin() as session:
            await self._close(session, job, status, reason)

    @staticmethod
    async def _close(session: Any, job: HotlineJob, status: str, reason: str | None) -> None:
        """Close a request as sent or failed."""
        await session.execute(
            update(HotlineMessage)
            .where(HotlineMessage.id == job.id)
            .values(
                status=status,
                sent_at=WALL.now(),
                claimed_until=None,
                last_error=reason[:300] if reason else None,
            )
        )


# The statements the sender runs for every request, built once (bound per call).
_WALL = bindparam("wall", type_=UTCDateTime())
_EARLIER = aliased(HotlineMessage)
# Due, not leased, and no earlier request of the same item still pending: each item's
# requests reach the platform in the order they were made.
DELIVERABLE = (
    HotlineMessage.status == "pending",
    HotlineMessage.next_attempt_at <= _WALL,
    HotlineMessage.claimed_until.is_(None) | (HotlineMessage.claimed_until < _WALL),
    ~exists().where(
        _EARLIER.item_id == HotlineMessage.item_id,
        _EARLIER.status == "pending",
        _EARLIER.id < HotlineMessage.id,
    ),
)
CANDIDATES = (
    select(HotlineMessage.id)
    .where(*DELIVERABLE)
    .order_by(HotlineMessage.id)
    .limit(bindparam("limit"))
)
LEASE_ROW = (
    update(HotlineMessage)
    .where(HotlineMessage.id == bindparam("row"), *DELIVERABLE)
    .values(
        claimed_until=bindparam("until", type_=UTCDateTime()),
        attempts=HotlineMessage.attempts + 1,
    )
    .returning(
        HotlineMessage.id,
        HotlineMessage.item_id,
        HotlineMessage.kind,
        HotlineMessage.code,
        HotlineMessage.body,
        HotlineMessage.key,
        HotlineMessage.attempts,
    )
    .execution_options(synchronize_session=False)
)
