"""Composition root: build the Application and wire handlers to services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.clock import Clock, SystemClock
from bot.context import BotApplication, BotContext, BotData
from bot.runtime.connector import Connector
from bot.runtime.lease import lease_for
from bot.runtime.runtime import Runtime
from bot.runtime.sender import SEND_READ_TIMEOUT
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from bot.wiring import build_services, run_due_jobs
from handlers import access, admin, buttons, desk, errors, lookups, messages, screen

logger = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    clock: Clock | None = None,
    routing: RoutingHolder | None = None,
) -> BotApplication:
    """Build the bot: settings in, a ready-to-run Application out.

    There is no PTB Updater: updates are fetched into the inbox by the elected poller and
    processed from there (bot/runtime), so nothing is confirmed to Telegram before it is stored.
    """
    context_types = ContextTypes(bot_data=BotData)
    application = (
        ApplicationBuilder()
        .token(token or settings.token or "")
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(context_types)
        .rate_limiter(AIORateLimiter(max_retries=0))
        .read_timeout(SEND_READ_TIMEOUT)
        .updater(None)
        .post_init(_post_init(settings, clock or SystemClock(), routing))
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    _register_handlers(application)
    return application


def _register_handlers(application: BotApplication) -> None:
    """Register handlers in order: screening, commands, buttons, text, everything else."""
    private = filters.ChatType.PRIVATE
    # Before anything else: text a database cannot store (NUL, lone surrogates) is refused.
    application.add_handler(TypeHandler(Update, screen.screen), group=-1)
    # Commands; each handler checks the caller against bot.domain.permissions.COMMANDS.
    for name, callback in (
        ("start", access.start),
        ("help", access.help_command),
        ("invite", access.invite),
        ("new", messages.new_command),
        ("cancel", messages.cancel_command),
        ("mine", lookups.mine),
        ("status", lookups.status),
        ("triage", lookups.triage),
        ("record", lookups.record),
        ("revoke", admin.revoke),
        ("reload", admin.reload_routing),
        ("keyword", admin.keyword),
        ("learn", admin.learn),
        ("summary", admin.summary),
        ("web", desk.web),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    # Inline buttons: each stands for a domain action, checked against bot.domain.rules.TABLE.
    application.add_handler(CallbackQueryHandler(admin.learn_button, pattern=rf"^{cb.LEARN}:"))
    application.add_handler(CallbackQueryHandler(buttons.button))
    # Free text: awaited input first, then a deputy's new concern.
    text = filters.UpdateType.MESSAGE & private & filters.TEXT
    application.add_handler(MessageHandler(text & ~filters.COMMAND, messages.text_message))
    application.add_handler(MessageHandler(text & filters.COMMAND, messages.unknown_command))
    # A photo with a caption is a concern too.
    photo = filters.UpdateType.MESSAGE & private & filters.PHOTO
    application.add_handler(MessageHandler(photo, messages.photo_message))
    # Stickers, voice, files and the rest.
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & private & ~filters.TEXT, messages.other_message)
    )
    application.add_error_handler(errors.on_error)


def _post_init(
    settings: Settings, clock: Clock, routing: RoutingHolder | None
) -> Callable[[BotApplication], Coroutine[Any, Any, None]]:
    """Return the hook that opens the database, builds services and starts the sender."""

    async def post_init(application: BotApplication) -> None:
        """Open resources once the bot has reached Telegram."""
        bot_data: BotData = application.bot_data
        services = await build_services(settings, clock, routing)
        bot_data.services = services
        runtime = Runtime(
            application,
            services,
            lease_for(services.engine),
            stall_seconds=settings.poll_stall_seconds,
        )
        bot_data.runtime = runtime
        runtime.connector = Connector(services, settings, application.bot)
        await _default_commands(application)
        await services.menus.sync_admins(settings.admin_ids)
        runtime.start_sender()
        runtime.connector.start()
        if application.job_queue is not None:
            _schedule(application.job_queue)

    return post_init


def _schedule(job_queue: JobQueue[BotContext]) -> None:
    """Register the recurring jobs; each derives what is due from the database."""
    job_queue.run_repeating(_sweep, interval=SWEEP_EVERY, first=timedelta(seconds=5), name="sweep")
    job_queue.run_repeating(_reload_routing, interval=timedelta(seconds=30), name="reload-routing")
    job_queue.run_repeating(_flush_pages, interval=timedelta(minutes=1), name="page-errors")
    job_queue.run_repeating(_learn, interval=timedelta(seconds=10), name="learn")
    job_queue.run_repeating(
        _prune, interval=timedelta(hours=6), first=timedelta(minutes=2), name="retention"
    )


async def _default_commands(application: BotApplication) -> None:
    """Set everyone's default command menu; a failure here only waits for the next start."""
    try:
        await application.bot.set_my_commands(
            [BotCommand(n, d) for n, d in texts.COMMANDS["default"]]
        )
    except TelegramError as exc:
        logger.warning("default command menu not set: %s", type(exc).__name__)


async def _post_stop(application: BotApplication) -> None:
    """Let the sender finish the row in flight, then stop it."""
    if application.bot_data._runtime is not None:
        await application.bot_data.runtime.stop_sender()


async def _post_shutdown(application: BotApplication) -> None:
    """Close the database."""
    bot_data: BotData = application.bot_data
    bot_data.runtime = None
    if bot_data._services is not None:
        await bot_data.services.engine.dispose()
        bot_data.services = None


async def _sweep(context: BotContext) -> None:
    """Issue due reminders and digests (idempotent: derived from the database)."""
    await run_due_jobs(context.bot_data.services)


async def _flush_pages(context: BotContext) -> None:
    """Tell administrators how often a paged error happened again."""
    await context.bot_data.runtime.pager.flush()


async def _learn(context: BotContext) -> None:
    """Run a learning an administrator asked for with /learn (in a child process)."""
    await context.bot_data.services.learning.run_pending()


async def _prune(context: BotContext) -> None:
    """Delete delivered messages and handled-update keys past the retention period."""
    await context.bot_data.services.retention.prune()


async def _reload_routing(context: BotContext) -> None:
    """Swap in the routing file when it changed on disk; tell admins if it is refused."""
    services = context.bot_data.services
    problems = await asyncio.to_thread(services.routing.reload_if_changed)
    if problems is None:
        return
    if problems:
        report = "\n".join(str(p) for p in problems[:20])
        for admin_id in sorted(services.deps.admin_ids):
            await services.outbox.tell(admin_id, texts.RELOAD_REFUSED.format(problems=report))
        return
    logger.info("routing file reloaded")
