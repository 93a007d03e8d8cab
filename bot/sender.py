"""Delivers outbox rows through the Bot API, retrying until each one succeeds once."""

from __future__ import annotations

import asyncio
import base64
import logging
from contextlib import suppress
from datetime import timedelta

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.callbacks import Buttons
from bot.services.outbox import Outbox, OutboxJob

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=30)
PERMANENT_BACKOFF = timedelta(hours=1)


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
    """Runs in the background of the bot and drains the outbox."""

    def __init__(self, bot: Bot, outbox: Outbox, *, poll_seconds: float = 2.0) -> None:
        self._bot = bot
        self._outbox = outbox
        self._poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the delivery loop."""
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop the delivery loop after the row in flight."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        """Deliver due rows, then wait to be kicked or for the next poll."""
        while True:
            try:
                delivered = await self.deliver_due()
            except Exception:
                logger.exception("outbox delivery round failed")
                delivered = 0
            if not delivered:
                await self._outbox.wait(self._poll_seconds)

    async def deliver_due(self) -> int:
        """Deliver one batch of due rows; return how many went out."""
        jobs = await self._outbox.claim()
        sent = 0
        for job in jobs:
            sent += await self._deliver(job)
        return sent

    async def drain(self, rounds: int = 100_000) -> None:
        """Deliver until nothing is due (for the CLI and tests)."""
        for _ in range(rounds):
            if not await self.deliver_due():
                return

    async def _deliver(self, job: OutboxJob) -> int:
        """Make one Bot API call and record the outcome."""
        try:
            message_id = await self._call(job)
        except RetryAfter as exc:
            await self._outbox.mark_retry(job.id, f"429: {exc.message}", _seconds(exc.retry_after))
            return 0
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                await self._outbox.mark_sent(job.id, job.message_id)
                return 1
            logger.warning("outbox row %s refused: %s", job.id, exc.message)
            await self._outbox.mark_retry(job.id, f"400: {exc.message}", PERMANENT_BACKOFF)
            return 0
        except Forbidden as exc:
            logger.warning("outbox row %s forbidden: %s", job.id, exc.message)
            await self._outbox.mark_retry(job.id, f"403: {exc.message}", PERMANENT_BACKOFF)
            return 0
        except (NetworkError, TelegramError) as exc:
            delay = min(timedelta(seconds=2 ** min(job.attempts, 11)), MAX_BACKOFF)
            logger.info("outbox row %s will retry in %s: %s", job.id, delay, exc)
            await self._outbox.mark_retry(job.id, f"network: {exc}", delay)
            return 0
        await self._outbox.mark_sent(job.id, message_id)
        return 1

    async def _call(self, job: OutboxJob) -> int | None:
        """Perform the call an outbox row describes."""
        markup = keyboard(job.payload.get("buttons"))
        if job.op == "send":
            message = await self._bot.send_message(job.chat_id, job.text or "", reply_markup=markup)
            return message.message_id
        if job.op == "edit":
            assert job.message_id is not None
            await self._bot.edit_message_text(
                job.text or "", chat_id=job.chat_id, message_id=job.message_id, reply_markup=markup
            )
            return job.message_id
        if job.op == "photo":
            stored = job.payload.get("png")
            picture = base64.b64decode(stored) if stored else job.payload["file_id"]
            message = await self._bot.send_photo(
                job.chat_id, photo=picture, caption=job.payload.get("caption")
            )
            return message.message_id
        if job.op == "commands":
            commands = [BotCommand(name, text) for name, text in job.payload["commands"]]
            await self._bot.set_my_commands(commands, scope=BotCommandScopeChat(job.chat_id))
            return None
        raise ValueError(f"unknown outbox op {job.op!r}")


def _seconds(value: int | timedelta) -> timedelta:
    """Normalise PTB's retry_after to a timedelta."""
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
