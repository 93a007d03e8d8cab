"""The HTTP server, and the 12345 platform's sender and poll, of one bot process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import Bot, Update

from bot.desk.web.auth import auth_router
from bot.desk.web.ledger_view import ledger_router
from bot.desk.web.photo_view import photo_router
from bot.desk.web.record_view import record_router
from bot.desk.web.summary_view import summary_router
from bot.desk.web.triage_view import triage_router
from bot.hotline.client import HotlineClient
from bot.hotline.sender import HotlineSender
from bot.services.hotline_reports import open_work_orders
from bot.settings import Settings
from bot.web.app import build_web_app
from bot.web.hotline import hotline_router
from bot.web.media import media_router
from bot.web.open311 import open311_router
from bot.web.server import WebServer
from bot.web.webhook import webhook_router

if TYPE_CHECKING:
    from bot.context import Services

logger = logging.getLogger(__name__)
DESK_PAGES = (summary_router, triage_router, record_router)


class Connector:
    """Starts what talks HTTP: the sender to the platform, its poll, the server."""

    def __init__(self, services: Services, settings: Settings, bot: Bot) -> None:
        self._services = services
        self._settings = settings
        self._bot = bot
        self.client: HotlineClient | None = None
        self.sender: HotlineSender | None = None
        url, app_id, secret = settings.hotline_url, settings.hotline_app_id, settings.hotline_secret
        if url and app_id and secret:
            self.client = HotlineClient(url, app_id, secret.get_secret_value())
            self.sender = HotlineSender(self.client, services.hotline, services.hotline_deliveries)
        self.web: WebServer | None = None
        self._poll: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering to the platform, and polling it when configured."""
        if self.sender is not None:
            self.sender.start()
        if self.client is not None and self._settings.hotline_poll_seconds > 0:
            self._poll = asyncio.create_task(self._poll_loop(), name="hotline-poll")

    @property
    def webhook(self) -> bool:
        """Tell whether Telegram pushes updates to this server instead of being polled."""
        return self._settings.webhook_url is not None

    async def serve(
        self,
        host: str,
        port: int,
        *,
        on_update: Callable[[], None] = lambda: None,
    ) -> int:
        """Start the HTTP server; return the port it listens on."""
        settings = self._settings
        secret = settings.hotline_secret.get_secret_value() if settings.hotline_secret else None
        routers = [hotline_router(self._services.hotline_reports, settings.hotline_app_id, secret)]
        routers.append(open311_router(self._services.open311))
        if secret:
            open311 = self._services.open311
            routers.append(media_router(secret, open311.photo_of, self._download))
        if settings.webhook_secret is not None:
            token = settings.webhook_secret.get_secret_value()
            routers.append(webhook_router(self._services.inbox, token, on_update))
        desk = self._services.desk
        actors = self._services.actors
        routers.append(auth_router(desk, actors, secure=desk.secure))
        deps = self._services.deps
        routers.append(
            ledger_router(desk, actors, deps.sessions, deps.clock, lambda: deps.config, deps.tz)
        )
        routers += [factory(self._services) for factory in DESK_PAGES]
        routers.append(photo_router(self._services, self._download))
        self.web = WebServer(build_web_app(routers), host, port)
        return await self.web.start()

    async def _download(self, file_id: str) -> bytes:
        """Fetch a photo from Telegram."""
        file = await self._bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def set_webhook(self, bot: Bot) -> None:
        """Ask Telegram to push updates to DEPUTYBOT_WEBHOOK_URL (kept while we restart)."""
        settings = self._settings
        assert settings.webhook_url is not None
        assert settings.webhook_secret is not None
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
            # One push at a time: a chat's updates are stored in the order Telegram sent them.
            max_connections=1,
        )
        logger.info("Telegram pushes updates to the webhook")

    async def stop_serving(self) -> None:
        """Stop taking HTTP requests (first, so nothing arrives while the rest stops)."""
        if self.web is not None:
            await self.web.stop()
            self.web = None

    async def stop(self) -> None:
        """Stop the poll and let the sender finish the requests in flight."""
        if self._poll is not None:
            self._poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll
            self._poll = None
        if self.sender is not None:
            await self.sender.stop()

    async def poll_once(self) -> int:
        """Read the events of every open work order and apply them; return how many."""
        assert self.client is not None
        applied = 0
        for code in await open_work_orders(self._services.deps):
            try:
                events = await self.client.events(code)
            except Exception as exc:
                logger.warning("hotline poll of %s failed: %s", code, type(exc).__name__)
                continue
            for event in events:
                result = await self._services.hotline_reports.apply(event)
                applied += result.code not in ("duplicate",)
        return applied

    async def _poll_loop(self) -> None:
        """Poll the platform every DEPUTYBOT_HOTLINE_POLL_SECONDS."""
        while True:
            await asyncio.sleep(self._settings.hotline_poll_seconds)
            try:
                await self.poll_once()
            except Exception as exc:
                logger.warning("hotline poll round failed: %r", exc)
