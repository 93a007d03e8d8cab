"""Deliver outbox rows through the Bot API: each row once, each chat in order, none stuck."""

from __future__ import annotations

import base64
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
from bot.runtime.leased import LeasedSender
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


Attempt = tuple[Outcome, int | None]  # how a call went, and the message it made


class OutboxSender(LeasedSender[OutboxJob, Attempt]):
    """Runs in the background of the bot and drains the outbox, a few chats at a time.

    A batch holds at most one row per chat (the next one), so sending its rows at the same
    time keeps every chat in order; the rate limiter keeps the pace Telegram allows.
    """

    name = "outbox-sender"
    row_label = "outbox row"

    def __init__(
        self,
        bot: Bot,
        outbox: Outbox,
        deliveries: Deliveries,
        *,
        poll_seconds: float = 2.0,
        concurrency: int = 4,
    ) -> None:
        super().__init__(deliveries, outbox, poll_seconds=poll_seconds, concurrency=concurrency)
        self._bot = bot
        self._deliveries = deliveries

    async def lease(self, row_id: int) -> OutboxJob | None:
        """Lease one outbox row."""
        return await self._deliveries.lease(row_id)

    def verdict(self, outcome: Attempt) -> str:
        """Return the outcome's name."""
        return outcome[0].verdict.value

    def progressed(self, outcome: Attempt) -> bool:
        """Anything but a retry or a hold moves the chat on (its next row is due)."""
        return outcome[0].verdict not in (Verdict.RETRY, Verdict.HOLD)

    async def attempt(self, job: OutboxJob) -> Attempt:
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

    async def write(self, job: OutboxJob, outcome: Attempt) -> None:
        """Store one outcome."""
        deliveries = self._deliveries
        result, message_id = outcome
        match result.verdict:
            case Verdict.SENT:
                await deliveries.sent(job, message_id)
            case Verdict.DONE:
                await deliveries.sent(job, job.message_id)
            case Verdict.FAILED:
                await deliveries.failed(job, result.reason)
            case Verdict.RESEND:
                await deliveries.resend(job, result.reason)
            case Verdict.HOLD:
                await deliveries.hold(job, result.reason, result.delay)
            case Verdict.RETRY:
                await deliveries.retry(job, result.reason, result.delay)

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
