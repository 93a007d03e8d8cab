"""Deliver the 12345 queue: each request once, each item's requests in order, none dropped."""

from __future__ import annotations

import logging

from bot.hotline.client import HotlineClient, Outcome, Verdict
from bot.runtime.leased import LeasedSender
from bot.services.hotline_deliveries import HotlineDeliveries, HotlineJob
from bot.services.hotline_queue import HotlineQueue

logger = logging.getLogger(__name__)


class HotlineSender(LeasedSender[HotlineJob, Outcome]):
    """Runs in the background of the bot and drains the queue, a few items at a time."""

    name = "hotline-sender"
    row_label = "hotline request"

    def __init__(
        self,
        client: HotlineClient,
        queue: HotlineQueue,
        deliveries: HotlineDeliveries,
        *,
        poll_seconds: float = 2.0,
        concurrency: int = 4,
    ) -> None:
        super().__init__(deliveries, queue, poll_seconds=poll_seconds, concurrency=concurrency)
        self._client = client
        self._deliveries = deliveries

    async def stop(self, grace: float = 15.0) -> None:
        """Finish the requests in flight, stop, and close the client."""
        await super().stop(grace)
        await self._client.close()

    async def lease(self, row_id: int) -> HotlineJob | None:
        """Lease one request."""
        return await self._deliveries.lease(row_id)

    def verdict(self, outcome: Outcome) -> str:
        """Return the outcome's name."""
        return outcome.verdict.value

    def progressed(self, outcome: Outcome) -> bool:
        """Anything but a retry moves the item on."""
        return outcome.verdict is not Verdict.RETRY

    async def attempt(self, job: HotlineJob) -> Outcome:
        """Make one request (the client turns every failure into an outcome)."""
        outcome = await self._client.deliver(job.kind, job.code, job.body, job.key, job.attempts)
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
        return outcome

    async def write(self, job: HotlineJob, outcome: Outcome) -> None:
        """Store one outcome."""
        match outcome.verdict:
            case Verdict.SENT:
                await self._deliveries.sent(job)
            case Verdict.FAILED:
                await self._deliveries.failed(job, outcome.reason)
            case Verdict.RETRY:
                await self._deliveries.retry(job, outcome.reason, outcome.delay)
