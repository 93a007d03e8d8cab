"""Process stored updates: chats in parallel, each chat in order, each update exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.db.sessions import Sessions
from bot.services.inbox import DueUpdate, Inbox

logger = logging.getLogger(__name__)

OnGiveUp = Callable[[DueUpdate, BaseException], Awaitable[None]]


class InboxProcessor:
    """Runs stored updates through the PTB Application, one unit of work per update.

    The update is taken (row-locked on PostgreSQL, under the write lock on SQLite), handled
    and marked done in one transaction with everything it changed and queued, so a crash at
    any point leaves it to be processed again from the start, and never twice.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        inbox: Inbox,
        sessions: Sessions,
        *,
        on_give_up: OnGiveUp,
        workers: int = 8,
        idle_seconds: float = 1.0,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._sessions = sessions
        self._on_give_up = on_give_up
        self._workers = workers
        self._idle = idle_seconds
        self._busy: dict[int | None, asyncio.Task[None]] = {}
        self._busy_ids: set[int] = set()
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.processed = 0

    def start(self) -> None:
        """Start taking updates from the inbox."""
        self._task = asyncio.create_task(self._run(), name="inbox-processor")

    def kick(self) -> None:
        """Wake the loop: updates were stored."""
        self._wakeup.set()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking updates and let the ones in flight finish (then cancel them)."""
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None
        running = [t for t in self._busy.values() if not t.done()]
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _run(self) -> None:
        """Hand due updates to workers, one chat per worker; wait when there is nothing."""
        while not self._stopping:
            started = 0
            free = self._workers - len(self._busy)
            if free > 0:
                try:
                    due = await self._inbox.due(limit=free + len(self._busy))
                except Exception as exc:
                    logger.warning("cannot read the inbox: %r", exc)
                    due = []
                for row in due:
                    if free <= 0:
                        break
                    if row.update_id in self._busy_ids or _busy_chat(row, self._busy):
                        continue
                    self._spawn(row)
                    free -= 1
                    started += 1
            if not started:
                await self._wait()

    def _spawn(self, row: DueUpdate) -> None:
        """Start a worker for one update."""
        key = row.chat_key if row.chat_key is not None else -row.update_id
        task = asyncio.create_task(self._process(row), name=f"update-{row.update_id}")
        self._busy[key] = task
        self._busy_ids.add(row.update_id)

        def finished(_: asyncio.Task[None]) -> None:
            self._busy.pop(key, None)
            self._busy_ids.discard(row.update_id)
            self._wakeup.set()

        task.add_done_callback(finished)

    async def _wait(self) -> None:
        """Sleep until kicked, a worker finishes, or the idle poll."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), self._idle)
        self._wakeup.clear()

    async def _process(self, row: DueUpdate) -> None:
        """Take, handle and mark one update done in one unit of work."""
        try:
            async with self._sessions.unit() as unit:
                data = await self._inbox.take(unit.session, row.update_id)
                if data is None:
                    return
                update = Update.de_json(data, self._application.bot)
                await self._application.process_update(update)
                if unit.failure is None:
                    await self._inbox.done(unit.session, row.update_id)
            self.processed += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._failed(row, exc)

    async def _failed(self, row: DueUpdate, exc: BaseException) -> None:
        """Count the attempt; page the administrators when the update is set aside."""
        cause = exc.__cause__ or exc
        logger.warning("update %s failed: %s", row.update_id, type(cause).__name__)
        try:
            gave_up = await self._inbox.failed(row, cause)
        except Exception as db_error:
            logger.warning("cannot record the failure of update %s: %r", row.update_id, db_error)
            await asyncio.sleep(1.0)
            return
        if gave_up:
            await self._on_give_up(row, cause)


def _busy_chat(row: DueUpdate, busy: dict[int | None, asyncio.Task[None]]) -> bool:
    """Return whether a worker already serves the update's chat."""
    return row.chat_key is not None and row.chat_key in busy
