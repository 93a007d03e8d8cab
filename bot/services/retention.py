"""Delete what is only kept for delivery and de-duplication; items and events are never deleted."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from bot.clock import Clock, SystemClock
from bot.db.models import HandledMessage, InboxUpdate, Instance, OutboxMessage
from bot.db.sessions import Sessions

logger = logging.getLogger(__name__)

BATCH = 5_000
WALL = SystemClock()
INSTANCES_KEPT = timedelta(days=1)


class Retention:
    """Prunes delivered messages, handled updates and old heartbeats past a retention age."""

    def __init__(self, sessions: Sessions, clock: Clock, days: int) -> None:
        self._sessions = sessions
        self._clock = clock
        self._age = timedelta(days=days)

    async def prune(self) -> dict[str, int]:
        """Delete in small batches; return how many rows of each kind went."""
        now, wall = self._clock.now(), WALL.now()
        counts = {
            "outbox": await self._batches(
                OutboxMessage,
                OutboxMessage.id,
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at < now - self._age,
            ),
            "inbox": await self._batches(
                InboxUpdate,
                InboxUpdate.update_id,
                InboxUpdate.status == "done",
                InboxUpdate.received_at < wall - self._age,
            ),
            "handled_messages": await self._handled(now - self._age),
            "instances": await self._batches(
                Instance, Instance.id, Instance.seen_at < wall - INSTANCES_KEPT
            ),
        }
        if any(counts.values()):
            logger.info("retention pruned %s", counts)
        return counts

    async def _batches(self, table: Any, key: Any, *conditions: Any) -> int:
        """Delete matching rows a batch per transaction, so no lock is held for long."""
        total = 0
        while True:
            chosen = select(key).where(*conditions).limit(BATCH).scalar_subquery()
            async with self._sessions.begin() as session:
                result = await session.execute(delete(table).where(key.in_(chosen)))
            deleted = int(getattr(result, "rowcount", 0) or 0)
            total += deleted
            if deleted < BATCH:
                return total

    async def _handled(self, before: datetime) -> int:
        """Delete handled-message keys older than `before`."""
        async with self._sessions.begin() as session:
            result = await session.execute(delete(HandledMessage).where(HandledMessage.at < before))
        return int(getattr(result, "rowcount", 0) or 0)
