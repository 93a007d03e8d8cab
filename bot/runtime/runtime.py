"""The background parts of a running bot, built once the services exist."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from telegram.ext import Application

from bot.runtime.connector import Connector
from bot.runtime.lease import PollerLease
from bot.runtime.pager import ErrorPager
from bot.runtime.poller import Poller
from bot.runtime.processor import InboxProcessor
from bot.runtime.sender import OutboxSender
from bot.services.inbox import DueUpdate

if TYPE_CHECKING:
    from bot.context import Services

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0


class Runtime:
    """Poller, inbox workers, sender, heartbeat and error pager of one bot process."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        services: Services,
        lease: PollerLease,
        *,
        workers: int = 8,
        stall_seconds: float = 180.0,
    ) -> None:
        self._application = application
        self._services = services
        self._lease = lease
        self._stall = stall_seconds
        self.sender = OutboxSender(application.bot, services.outbox, services.deliveries)
        self.pager = ErrorPager(self._tell_admins)
        self.processor = InboxProcessor(
            application,
            services.inbox,
            services.deps.sessions,
            on_give_up=self._gave_up,
            workers=workers,
        )
        self.poller: Poller | None = None
        self.connector: Connector | None = None  # set in post_init (it needs the settings)
        self._webhook = False
        self.fatal: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._beat = asyncio.Event()

    def start_sender(self) -> None:
        """Start delivering the outbox."""
        self.sender.start()

    async def stop_sender(self) -> None:
        """Finish the rows in flight and stop delivering (to Telegram and to the platform)."""
        await self.sender.stop()
        if self.connector is not None:
            await self.connector.stop()

    def start_intake(
        self, *, poll_timeout: int = 10, poll_interval: float = 0.0, webhook: bool = False
    ) -> None:
        """Start the inbox workers, the heartbeat and (unless Telegram pushes) the poller."""
        self._webhook = webhook
        self.processor.start()
        self._tasks = [asyncio.create_task(self._heartbeat(), name="heartbeat")]
        if webhook:
            return
        self.poller = Poller(
            self._application.bot,
            self._services.inbox,
            self._lease,
            on_stored=self.processor.kick,
            on_change=self._beat.set,
            timeout=poll_timeout,
            interval=poll_interval,
            stall_seconds=self._stall,
        )
        self._tasks.append(asyncio.create_task(self._poll(self.poller), name="poller"))

    async def stop_intake(self, grace: float = 15.0) -> None:
        """Stop fetching at once, then let the updates in flight finish."""
        if self.poller is not None:
            self.poller.stop()
        self._stopping.set()
        self._beat.set()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=grace)
            for task in late:  # a last resort: nothing should take this long
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks = []
        await self._lease.release()
        await self.processor.stop()
        with contextlib.suppress(Exception):
            await self._services.instances.stopped()

    async def _poll(self, poller: Poller) -> None:
        """Run the poller; a stalled or broken poller ends the process (a supervisor restarts)."""
        try:
            await poller.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.error("poller stopped: %s", exc)
            if not self.fatal.done():
                self.fatal.set_result(str(exc))

    async def _heartbeat(self) -> None:
        """Report this instance every few seconds until intake stops."""
        while not self._stopping.is_set():
            state = self.poller.state if self.poller else None
            try:
                await self._services.instances.beat(
                    polling=bool(state and state.leading),
                    last_poll_ok=state.last_ok_at if state else None,
                    poll_error=state.last_error if state else None,
                    mode="webhook" if self._webhook else "poll",
                )
            except Exception as exc:
                logger.warning("heartbeat not recorded: %r", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._beat.wait(), HEARTBEAT_SECONDS)
            self._beat.clear()

    async def _gave_up(self, row: DueUpdate, error: BaseException) -> None:
        """Page the administrators about an update that kept failing."""
        await self.pager.page(type(error).__name__)

    async def _tell_admins(self, text: str) -> None:
        """Queue a note to every administrator."""
        outbox = self._services.outbox
        for admin_id in sorted(self._services.deps.admin_ids):
            await outbox.tell(admin_id, text)
