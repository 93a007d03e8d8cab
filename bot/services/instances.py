"""Heartbeats of running bot processes, for `deputybot health` and the operators."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime

from sqlalchemy import delete

from bot.clock import SystemClock
from bot.db.models import Instance
from bot.db.sessions import Sessions

WALL = SystemClock()


class Instances:
    """Records that this process is alive, whether it polls, and how polling goes."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self.id = uuid.uuid4().hex[:12]
        self._started = WALL.now()

    async def beat(
        self,
        *,
        polling: bool,
        last_poll_ok: datetime | None,
        poll_error: str | None,
        mode: str = "poll",
    ) -> None:
        """Write this instance's heartbeat."""
        now = WALL.now()
        async with self._sessions.begin() as session:
            row = await session.get(Instance, self.id)
            if row is None:
                row = Instance(
                    id=self.id,
                    host=socket.gethostname()[:128],
                    pid=os.getpid(),
                    started_at=self._started,
                    seen_at=now,
                )
                session.add(row)
            row.seen_at, row.polling, row.mode = now, polling, mode
            row.last_poll_ok_at, row.last_poll_error = last_poll_ok, poll_error
            row.stopped_at = None

    async def stopped(self) -> None:
        """Record a clean stop."""
        async with self._sessions.begin() as session:
            row = await session.get(Instance, self.id)
            if row is not None:
                row.stopped_at, row.polling = WALL.now(), False

    async def forget_before(self, moment: datetime) -> int:
        """Delete heartbeats of processes not seen since `moment`."""
        async with self._sessions.begin() as session:
            result = await session.execute(delete(Instance).where(Instance.seen_at < moment))
        return int(getattr(result, "rowcount", 0) or 0)
