"""Start and stop a running bot in order, and survive Telegram being away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot.web.server import BindFailed

if TYPE_CHECKING:
    from bot.context import BotApplication
    from bot.runtime.connector import Connector

logger = logging.getLogger(__name__)

CONNECT_BACKOFF_MAX = 10.0
EXIT_TOKEN_REJECTED = 1
EXIT_POLLER_STALLED = 3
EXIT_HTTP_UNAVAILABLE = 4
EXIT_WEBHOOK_REFUSED = 5


class TokenRejected(Exception):
    """Telegram refused the bot token at start-up (401/404)."""


class StoppedWhileStarting(Exception):
    """A stop signal came before Telegram could be reached."""


class WebhookRefused(Exception):
    """Telegram refused DEPUTYBOT_WEBHOOK_URL (setWebhook answered 400 or 403)."""


async def connect(
    application: BotApplication,
    *,
    stop: asyncio.Event | None = None,
    backoff_max: float = CONNECT_BACKOFF_MAX,
) -> None:
    """Initialise the application, retrying with back-off while Telegram is unreachable."""
    stop = stop or asyncio.Event()
    delay = 1.0
    while not stop.is_set():
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise TokenRejected("Telegram rejected the bot token (401/404 from getMe)") from None
        except TelegramError as exc:
            logger.warning(
                "Telegram unreachable at start-up (%s); retrying in %.0f s",
                type(exc).__name__,
                delay,
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, backoff_max)
    raise StoppedWhileStarting


async def register_webhook(
    connector: Connector,
    bot: Bot,
    *,
    stop: asyncio.Event | None = None,
    backoff_max: float = CONNECT_BACKOFF_MAX,
) -> None:
    """Call setWebhook, retrying with back-off while Telegram is unreachable."""
    stop = stop or asyncio.Event()
    delay = 1.0
    while not stop.is_set():
        try:
            await connector.set_webhook(bot)
            return
        except InvalidToken:
            raise TokenRejected(
                "Telegram rejected the bot token (401/404 from setWebhook)"
            ) from None
        except (BadRequest, Forbidden) as exc:
            raise WebhookRefused(f"Telegram refused the webhook ({exc.message})") from None
        except RetryAfter as exc:
            retry = exc.retry_after
            delay = float(retry if isinstance(retry, int) else retry.total_seconds())
            logger.warning("setWebhook throttled; retrying in %.0f s", delay)
        except TelegramError as exc:
            logger.warning("setWebhook failed (%s); retrying in %.0f s", type(exc).__name__, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, backoff_max)
    raise StoppedWhileStarting


@asynccontextmanager
async def polling(
    application: BotApplication,
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
    stop: asyncio.Event | None = None,
    http: tuple[str, int] | None = None,
) -> AsyncIterator[None]:
    """Run the bot inside an already running event loop until the block ends.

    Order: reach Telegram, open the database and start the senders (post_init), start the
    job queue, the HTTP server (when `http` gives host and port), setWebhook (webhook mode),
    then the inbox workers and the poller (polling mode). The webhook is never deleted here:
    Telegram keeps the updates while we restart. Stopping goes the other way: no more HTTP
    requests and no more fetching, the updates in flight finish, jobs stop, the senders finish
    their rows (post_stop).
    """
    await connect(application, stop=stop)
    if application.post_init is not None:
        await application.post_init(application)
    try:
        await application.start()
        runtime = application.bot_data.runtime
        connector = runtime.connector
        webhook = connector is not None and connector.webhook
        try:
            if http is not None:
                assert connector is not None
                await connector.serve(*http, on_update=runtime.processor.kick)
            if webhook:
                assert connector is not None
                if http is None:
                    raise BindFailed("webhook mode needs the HTTP server")
                await register_webhook(connector, application.bot, stop=stop)
        except BaseException:
            if connector is not None:
                await connector.stop_serving()
            await _stop(application)
            raise
        runtime.start_intake(
            poll_timeout=poll_timeout, poll_interval=poll_interval, webhook=webhook
        )
        try:
            yield
        finally:
            if runtime.connector is not None:
                await runtime.connector.stop_serving()
            await runtime.stop_intake()
            await _stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _stop(application: BotApplication) -> None:
    """Stop the application's job queue, then let the senders finish (post_stop)."""
    await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)


async def serve(
    application: BotApplication, *, poll_timeout: int = 10, http: tuple[str, int] | None = None
) -> int:
    """Run until stopped: 0 on SIGINT/SIGTERM, else the EXIT_* code of what ended it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with polling(application, poll_timeout=poll_timeout, stop=stop, http=http):
            fatal = application.bot_data.runtime.fatal
            stopped = asyncio.ensure_future(_signalled(stop))
            await asyncio.wait([stopped, fatal], return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopped
            if fatal.done():
                logger.error("stopping: %s", fatal.result())
                return EXIT_POLLER_STALLED
            logger.info("stopping on signal")
    except TokenRejected as exc:
        logger.error("%s; check TELEGRAM_BOT_TOKEN", exc)
        return EXIT_TOKEN_REJECTED
    except BindFailed as exc:
        logger.error("%s; check DEPUTYBOT_HTTP_LISTEN", exc)
        return EXIT_HTTP_UNAVAILABLE
    except WebhookRefused as exc:
        logger.error("%s; check DEPUTYBOT_WEBHOOK_URL", exc)
        return EXIT_WEBHOOK_REFUSED
    except StoppedWhileStarting:
        logger.info("stopped before Telegram could be reached")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return 0


async def _signalled(stop: asyncio.Event) -> str:
    """Wait for a stop signal."""
    await stop.wait()
    return "signal"
