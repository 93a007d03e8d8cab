"""Fetch updates from Telegram into the inbox; an update's offset is confirmed only once stored."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.runtime.lease import PollerLease
from bot.services.inbox import Inbox

logger = logging.getLogger(__name__)


class PollerStalled(Exception):
    """The poller has not fetched from Telegram for too long; a supervisor should restart us."""


@dataclass
class PollerState:
    """What the heartbeat reports about polling."""

    leading: bool = False
    last_ok: float | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    fetched: int = 0


class Poller:
    """Long-polls getUpdates while this instance holds the lease, storing before confirming.

    Telegram forgets updates below the offset of the next getUpdates call; the offset moves
    past a batch only after the batch is committed to the inbox, so a crash at any moment
    leaves every update either stored or still waiting at Telegram.
    """

    def __init__(
        self,
        bot: Bot,
        inbox: Inbox,
        lease: PollerLease,
        *,
        on_stored: Callable[[], None],
        on_change: Callable[[], None] = lambda: None,
        timeout: int = 10,
        interval: float = 0.0,
        standby_seconds: float = 2.0,
        stall_seconds: float = 180.0,
    ) -> None:
        self._bot = bot
        self._inbox = inbox
        self._lease = lease
        self._on_stored = on_stored
        self._on_change = on_change
        self._timeout = timeout
        self._interval = interval
        self._standby = standby_seconds
        self._stall = stall_seconds
        self.state = PollerState()
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Future[tuple[Update, ...]] | None = None

    def stop(self) -> None:
        """End the loop: a long poll in flight is abandoned, a batch being stored is finished."""
        self._stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()

    async def run(self) -> None:
        """Stand by until elected, then poll until stopped; raise PollerStalled when stuck."""
        try:
            while not self._stopping.is_set():
                if await self._try_lease():
                    self.state.leading = True
                    logger.info("this instance polls Telegram")
                    self._on_change()
                    await self._poll_while_leading()
                    self.state.leading = False
                    self._on_change()
                await self._pause(self._standby)
        finally:
            self.state.leading = False
            await self._lease.release()

    async def _try_lease(self) -> bool:
        """Try to take the lease; a database error means not now."""
        try:
            return await self._lease.acquire()
        except Exception as exc:
            logger.warning("cannot take the poller lease: %s", type(exc).__name__)
            return False

    async def _poll_while_leading(self) -> None:
        """Fetch, store, confirm, until stopped or the lease is lost."""
        offset: int | None = None
        failures = 0
        started = time.monotonic()
        self.state.last_ok = self.state.last_ok_at = None
        while not self._stopping.is_set():
            if not await self._lease.check():
                return
            self._fetch = asyncio.ensure_future(
                self._bot.get_updates(
                    offset=offset, timeout=self._timeout, allowed_updates=Update.ALL_TYPES
                )
            )
            try:
                updates = await self._fetch
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    return
                raise
            except (TelegramError, OSError) as exc:
                if _webhook_is_set(exc) and await self._switch_to_polling():
                    continue
                failures += 1
                self.state.last_error = _describe(exc)
                since = self.state.last_ok or started
                if time.monotonic() - since > self._stall:
                    seconds = f"{self._stall:.0f} s"
                    raise PollerStalled(
                        f"no successful getUpdates for {seconds} ({self.state.last_error})"
                    ) from None
                await self._pause(_backoff(exc, failures))
                continue
            finally:
                self._fetch = None
            if failures or self.state.last_ok is None:
                self._on_change()  # polling works (again): say so in the next heartbeat
            failures = 0
            self.state.last_ok, self.state.last_error = time.monotonic(), None
            self.state.last_ok_at = datetime.now(UTC)
            if updates and await self._store([u.to_dict() for u in updates]):
                offset = max(u.update_id for u in updates) + 1
            if self._interval:
                await self._pause(self._interval)

    async def _switch_to_polling(self) -> bool:
        """Delete a webhook left set at Telegram (the bot ran in webhook mode before)."""
        try:
            await self._bot.delete_webhook()
        except TelegramError as exc:
            logger.warning("cannot delete the webhook to poll: %s", type(exc).__name__)
            return False
        logger.info("a webhook was set at Telegram: deleted, polling instead")
        return True

    async def _store(self, updates: list[dict[str, object]]) -> bool:
        """Commit a batch to the inbox; False (offset kept) when the database refused it."""
        try:
            await self._inbox.store(updates)
        except Exception as exc:
            logger.warning("cannot store %d updates, will fetch them again: %r", len(updates), exc)
            await self._pause(1.0)
            return False
        self.state.fetched += len(updates)
        self._on_stored()
        return True

    async def _pause(self, seconds: float) -> None:
        """Sleep, waking early when stopped."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _backoff(exc: BaseException, failures: int) -> float:
    """Return how long to wait after a failed getUpdates."""
    if isinstance(exc, RetryAfter):
        retry = exc.retry_after
        return float(retry if isinstance(retry, int) else retry.total_seconds())
    if isinstance(exc, Conflict):
        return 2.0
    return float(min(2 ** min(failures - 1, 4), 15))


def _webhook_is_set(exc: BaseException) -> bool:
    """Tell whether getUpdates was refused because a webhook is set."""
    return isinstance(exc, Conflict) and "webhook" in str(exc).lower()


def _describe(exc: BaseException) -> str:
    """Describe a polling failure in one short line, without anything secret."""
    if isinstance(exc, InvalidToken):
        return "InvalidToken (401/404 from the Bot API)"
    return f"{type(exc).__name__}: {exc}"[:200]
