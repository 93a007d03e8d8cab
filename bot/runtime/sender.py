"""Deliver outbox rows through the Bot API: each row once, each chat in order, none stuck."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import TelegramError

from bot.callbacks import Buttons
from bot.runtime.delivery import Outcome, Verdict, classify
from bot.services.deliveries import Deliveries, OutboxJob
from bot.services.outbox import Outbox

logger = logging.getLogger(__name__)

# Timeouts of a call that sends: long enough that a slow answer is still heard (a call that
# timed out after sending is retried, and may then arrive twice).
SEND_READ_TIMEOUT = 20.0


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """Turn stored button rows into an inline keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


class OutboxSender:
    """Runs in the background of the bot and drains the outbox, a few chats at a time."""

    def __init__(
        self,
        bot: Bot,
        outbox: Outbox,
        deliveries: Deliveries,
        *,
        poll_seconds: float = 2.0,
        concurrency: int = 4,
    ) -> None:
        self._bot = bot
        self._concurrency = concurrency
        self._outbox = outbox
        self._deliveries = deliveries
        self._poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._pause = 0.0
        self.counts: dict[str, int] = {}

    def start(self) -> None:
        """Start the delivery loop."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, grace: float = 30.0) -> None:
        """Finish the row in flight, then stop (cancel if it takes longer than `grace`)."""
        self._stopping = True
        self._outbox.kick()
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
                logger.warning("outbox delivery round failed: %r", exc)
                delivered = 0
            if self._stopping:
                return
            if self._pause:
                pause, self._pause = self._pause, 0.0
                await self._outbox.wait(pause)
            elif not delivered:
                await self._outbox.wait(self._poll_seconds)

    async def deliver_due(self, limit: int = 20) -> int:
        """Deliver one batch of due rows, a few chats at a time; return progress.

        The batch holds at most one row per chat (the next one), so sending its rows at the
        same time keeps every chat in order; the rate limiter keeps the pace Telegram allows.
        """
        self._pause = 0.0
        lanes = asyncio.Semaphore(self._concurrency)

        async def one(row_id: int) -> int:
            async with lanes:
                if self._stopping or self._pause:
                    return 0  # stopping, or the Bot API is away: try the others later
                job = await self._deliveries.lease(row_id)
                return await self._deliver(job) if job is not None else 0

        rows = await self._deliveries.candidates(limit)
        return sum(await asyncio.gather(*(one(row_id) for row_id in rows)))

    async def drain(self, rounds: int = 100_000) -> None:
        """Deliver until nothing is due (for the CLI and tests)."""
        for _ in range(rounds):
            if not await self.deliver_due():
                return

    async def _deliver(self, job: OutboxJob) -> int:
        """Make one call and record its outcome, the lease renewed until both are done."""
        done = asyncio.Event()
        renewal = asyncio.create_task(self._renew(job.id, done))
        try:
            outcome, message_id = await self._attempt(job)
            self.counts[outcome.verdict.value] = self.counts.get(outcome.verdict.value, 0) + 1
            await self._record(job, outcome, message_id)
        finally:
            done.set()  # never cancelled in the middle of a database call
            await renewal
        # Anything but a retry moves the chat on: its next row (or the card sent anew) is due.
        return 0 if outcome.verdict in (Verdict.RETRY, Verdict.HOLD) else 1

    async def _attempt(self, job: OutboxJob) -> tuple[Outcome, int | None]:
        """Make the call; turn a failure into an outcome."""
        try:
            message_id = await self._call(job)
        except TelegramError as exc:
            outcome = classify(exc, op=job.op, attempts=job.attempts)
            log = logger.warning if outcome.verdict is not Verdict.RETRY else logger.info
            log("outbox row %s: %s (%s)", job.id, outcome.verdict.value, outcome.reason)
            if outcome.outage:
                self._pause = outcome.delay.total_seconds()
            return outcome, None
        except Exception as exc:  # a row this code cannot turn into a call
            logger.exception("outbox row %s cannot be sent", job.id)
            return Outcome(Verdict.FAILED, f"{type(exc).__name__}: {exc}"[:200]), None
        return Outcome(Verdict.SENT, "sent"), message_id

    async def _record(self, job: OutboxJob, outcome: Outcome, message_id: int | None) -> None:
        """Write the outcome, retrying while the database is away (the call is not repeated)."""
        delay = 0.5
        while True:
            try:
                await self._write(job, outcome, message_id)
                return
            except Exception as exc:
                if self._stopping:
                    logger.error("outbox row %s: outcome not recorded: %r", job.id, exc)
                    return
                logger.warning("outbox row %s: cannot record outcome yet: %r", job.id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _write(self, job: OutboxJob, outcome: Outcome, message_id: int | None) -> None:
        """Store one outcome."""
        deliveries = self._deliveries
        match outcome.verdict:
            case Verdict.SENT:
                await deliveries.sent(job, message_id)
            case Verdict.DONE:
                await deliveries.sent(job, job.message_id)
            case Verdict.FAILED:
                await deliveries.failed(job, outcome.reason)
            case Verdict.RESEND:
                await deliveries.resend(job, outcome.reason)
            case Verdict.HOLD:
                await deliveries.hold(job, outcome.reason, outcome.delay)
            case Verdict.RETRY:
                await deliveries.retry(job, outcome.reason, outcome.delay)

    async def _renew(self, row_id: int, done: asyncio.Event) -> None:
        """Keep the lease of the row in flight until its outcome is recorded."""
        interval = self._deliveries.lease_time.total_seconds() / 3
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), interval)
            if done.is_set():
                return
            try:
                await self._deliveries.renew(row_id)
            except Exception as exc:
                logger.warning("outbox row %s: cannot renew lease: %r", row_id, exc)

    async def _call(self, job: OutboxJob) -> int | None:
        """Perform the call an outbox row describes."""
        markup = keyboard(job.payload.get("buttons"))
        timeout = SEND_READ_TIMEOUT
        if job.op == "send":
            message = await self._bot.send_message(
                job.chat_id, job.text or "", reply_markup=markup, read_timeout=timeout
            )
            return message.message_id
        if job.op == "edit":
            assert job.message_id is not None
            await self._bot.edit_message_text(
                job.text or "",
                chat_id=job.chat_id,
                message_id=job.message_id,
                reply_markup=markup,
                read_timeout=timeout,
            )
            return job.message_id
        if job.op == "photo":
            stored = job.payload.get("png")
            picture = base64.b64decode(stored) if stored else job.payload["file_id"]
            message = await self._bot.send_photo(
                job.chat_id, photo=picture, caption=job.payload.get("caption"), read_timeout=60
            )
            return message.message_id
        if job.op == "commands":
            commands = [BotCommand(name, text) for name, text in job.payload["commands"]]
            scope = BotCommandScopeChat(job.chat_id)
            if commands:
                await self._bot.set_my_commands(commands, scope=scope)
            else:
                await self._bot.delete_my_commands(scope=scope)
            return None
        raise ValueError(f"unknown outbox op {job.op!r}")
