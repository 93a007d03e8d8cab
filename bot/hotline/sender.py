"""Deliver the 12345 queue: each request once, each item's requests in order, none dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.hotline.client import HotlineClient, Outcome, Verdict
from bot.services.hotline_deliveries import HotlineDeliveries, HotlineJob
from bot.services.hotline_queue import HotlineQueue

logger = logging.getLogger(__name__)


class HotlineSender:
    """Runs in the background of the bot and drains the queue, a few items at a time."""

    def __init__(
        self,
        client: HotlineClient,
        queue: HotlineQueue,
        deliveries: HotlineDeliveries,
        *,
        poll_seconds: float = 2.0,
        concurrency: int = 4,
    ) -> None:
        self._client = client
        self._queue = queue
        self._deliveries = deliveries
        self._poll_seconds = poll_seconds
        self._concurrency = concurrency
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._pause = 0.0
        self.counts: dict[str, int] = {}

    def start(self) -> None:
        """Start the delivery loop."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="hotline-sender")

    async def stop(self, grace: float = 15.0) -> None:
        """Finish the requests in flight, then stop (cancel after `grace`)."""
        self._stopping = True
        self._queue.kick()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        await self._client.close()

    async def _run(self) -> None:
        """Deliver due requests, then wait to be kicked or for the next poll."""
        while not self._stopping:
            try:
                delivered = await self.deliver_due()
            except Exception as exc:
                logger.warning("hotline delivery round failed: %r", exc)
                delivered = 0
            if self._stopping:
                return
            if self._pause:
                pause, self._pause = self._pause, 0.0
                await self._queue.wait(pause)
            elif not delivered:
                await self._queue.wait(self._poll_seconds)

    async def deliver_due(self, limit: int = 20) -> int:
        """Deliver one batch (at most one request per item); return how many went."""
        self._pause = 0.0
        lanes = asyncio.Semaphore(self._concurrency)

        async def one(row_id: int) -> int:
            async with lanes:
                if self._stopping or self._pause:
                    return 0  # stopping, or the platform is away: the others wait too
                job = await self._deliveries.lease(row_id)
                return await self._deliver(job) if job is not None else 0

        rows = await self._deliveries.candidates(limit)
        return sum(await asyncio.gather(*(one(row_id) for row_id in rows)))

    async def drain(self, rounds: int = 1000) -> None:
        """Deliver until nothing is due (for the CLI and tests)."""
        for _ in range(rounds):
            if not await self.deliver_due():
                return

    async def _deliver(self, job: HotlineJob) -> int:
        """Make one request and record its outcome, the lease renewed meanwhile."""
        done = asyncio.Event()
        renewal = asyncio.create_task(self._renew(job.id, done))
        try:
            outcome = await self._client.deliver(
                job.kind, job.code, job.body, job.key, job.attempts
            )
            self.counts[outcome.verdict.value] = self.counts.get(outcome.verdict.value, 0) + 1
            if outcome.outage:
                self._pause = outcome.delay.total_seconds()
            if outcome.verdict is not Verdict.SENT:
                logger.warning(
                    "hotline request %s (%s): %s %s",
                    job.id,
                    job.kind.value,
                    outcome.verdict.value,
                    outcome.reason,
                )
            await self._record(job, outcome)
        finally:
            done.set()
            await renewal
        return 0 if outcome.verdict is Verdict.RETRY else 1

    async def _record(self, job: HotlineJob, outcome: Outcome) -> None:
        """Write the outcome, retrying while the database is away (the call is not repeated)."""
        delay = 0.5
        while True:
            try:
                match outcome.verdict:
                    case Verdict.SENT:
                        await self._deliveries.sent(job)
                    case Verdict.FAILED:
                        await self._deliveries.failed(job, outcome.reason)
                    case Verdict.RETRY:
                        await self._deliveries.retry(job, outcome.reason, outcome.delay)
                return
            except Exception as exc:
                if self._stopping:
                    logger.error("hotline request %s: outcome not recorded: %r", job.id, exc)
                    return
                logger.warning("hotline request %s: cannot record outcome yet: %r", job.id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _renew(self, row_id: int, done: asyncio.Event) -> None:
        """Keep the lease of the request in flight until its outcome is recorded."""
        interval = self._deliveries.lease_time.total_seconds() / 3
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), interval)
            if done.is_set():
                return
            try:
                await self._deliveries.renew(row_id)
            except Exception as exc:
                logger.warning("hotline request %s: cannot renew lease: %r", row_id, exc)
