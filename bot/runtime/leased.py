"""The loop both senders share: lease due rows of a durable queue, deliver, record, repeat.

A sender takes a batch of candidates (at most one row per chat or item, the next one, so
delivering them at once keeps each in order), leases each row before its call, renews the
lease while the call is in flight, and records the outcome even while the database is away,
without repeating the call. What a call is and what its outcome means is the subclass's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Generic, Protocol, TypeVar

logger = logging.getLogger(__name__)


class Job(Protocol):
    """A leased row: all the loop needs is its id."""

    @property
    def id(self) -> int:
        """Return the row's id."""
        ...


class Leases(Protocol):
    """The queue's sender side: candidates, leases and their renewal."""

    lease_time: timedelta

    async def candidates(self, limit: int) -> list[int]:
        """Return the ids of rows that may be leased now."""
        ...

    async def renew(self, row_id: int) -> None:
        """Extend the lease of a row in flight."""
        ...


class Wakeup(Protocol):
    """What wakes a sender: a kick when rows are queued, else a timeout."""

    def kick(self) -> None:
        """Wake the sender now."""
        ...

    async def wait(self, seconds: float) -> None:
        """Sleep until kicked or for so many seconds."""
        ...


J = TypeVar("J", bound=Job)
R = TypeVar("R")


class LeasedSender(ABC, Generic[J, R]):
    """Drains a queue in the background, a few rows at a time; `R` is a call's outcome."""

    name = "sender"  # the task's name
    row_label = "row"  # how log lines name a row

    def __init__(
        self, leases: Leases, wakeup: Wakeup, *, poll_seconds: float, concurrency: int
    ) -> None:
        self._leases = leases
        self._wakeup = wakeup
        self._poll_seconds = poll_seconds
        self._concurrency = concurrency
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._pause = 0.0  # set by a call that found the other side away
        self.counts: dict[str, int] = {}

    @abstractmethod
    async def lease(self, row_id: int) -> J | None:
        """Lease one row; None when another sender has it or it is done."""

    @abstractmethod
    async def attempt(self, job: J) -> R:
        """Make the row's call; turn any failure into an outcome."""

    @abstractmethod
    def verdict(self, outcome: R) -> str:
        """Return the outcome's name, for the counts."""

    @abstractmethod
    def progressed(self, outcome: R) -> bool:
        """Tell whether the outcome moves the row's chat or item on (a retry does not)."""

    @abstractmethod
    async def write(self, job: J, outcome: R) -> None:
        """Store one outcome."""

    def start(self) -> None:
        """Start the delivery loop."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self, grace: float = 30.0) -> None:
        """Finish the rows in flight, then stop (cancel if it takes longer than `grace`)."""
        self._stopping = True
        self._wakeup.kick()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        """Deliver due rows, then wait to be kicked or for the next poll."""
        while not self._stopping:
            try:
                delivered = await self.deliver_due()
            except Exception as exc:
                logger.warning("%s delivery round failed: %r", self.name, exc)
                delivered = 0
            if self._stopping:
                return
            if self._pause:
                pause, self._pause = self._pause, 0.0
                await self._wakeup.wait(pause)
            elif not delivered:
                await self._wakeup.wait(self._poll_seconds)

    async def deliver_due(self, limit: int = 20) -> int:
        """Deliver one batch of due rows, a few at a time; return how many moved on."""
        self._pause = 0.0
        lanes = asyncio.Semaphore(self._concurrency)

        async def one(row_id: int) -> int:
            async with lanes:
                if self._stopping or self._pause:
                    return 0  # stopping, or the other side is away: try the others later
                job = await self.lease(row_id)
                return await self._deliver(job) if job is not None else 0

        rows = await self._leases.candidates(limit)
        return sum(await asyncio.gather(*(one(row_id) for row_id in rows)))

    async def drain(self, rounds: int = 100_000) -> None:
        """Deliver until nothing is due (for the CLI and tests)."""
        for _ in range(rounds):
            if not await self.deliver_due():
                return

    async def _deliver(self, job: J) -> int:
        """Make one call and record its outcome, the lease renewed until both are done."""
        done = asyncio.Event()
        renewal = asyncio.create_task(self._renew(job.id, done))
        try:
            outcome = await self.attempt(job)
            name = self.verdict(outcome)
            self.counts[name] = self.counts.get(name, 0) + 1
            await self._record(job, outcome)
        finally:
            done.set()  # never cancelled in the middle of a database call
            await renewal
        return 1 if self.progressed(outcome) else 0

    async def _record(self, job: J, outcome: R) -> None:
        """Write the outcome, retrying while the database is away (the call is not repeated)."""
        delay = 0.5
        while True:
            try:
                await self.write(job, outcome)
                return
            except Exception as exc:
                if self._stopping:
                    logger.error("%s %s: outcome not recorded: %r", self.row_label, job.id, exc)
                    return
                logger.warning("%s %s: cannot record outcome yet: %r", self.row_label, job.id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _renew(self, row_id: int, done: asyncio.Event) -> None:
        """Keep the lease of the row in flight until its outcome is recorded."""
        interval = self._leases.lease_time.total_seconds() / 3
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), interval)
            if done.is_set():
                return
            try:
                await self._leases.renew(row_id)
            except Exception as exc:
                logger.warning("%s %s: cannot renew lease: %r", self.row_label, row_id, exc)
