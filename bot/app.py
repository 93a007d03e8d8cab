"""Composition root: build the Application and wire handlers to services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.clock import Clock, SystemClock
from bot.context import BotApplication, BotContext, BotData
from bot.sender import OutboxSender
from bot.settings import Settings
from bot.wiring import build_services, run_due_jobs
from classifier import ClassifierHolder
from handlers import access, admin, buttons, errors, lookups, messages

logger = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    clock: Clock | None = None,
    routing: ClassifierHolder | None = None,
) -> BotApplication:
    """Build the bot: settings in, a ready-to-run Application out."""
    context_types = ContextTypes(bot_data=BotData)
    application = (
        ApplicationBuilder()
        .token(token or settings.token or "")
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(context_types)
        .rate_limiter(AIORateLimiter(max_retries=0))
        .post_init(_post_init(settings, clock or SystemClock(), routing))
        .post_shutdown(_post_shutdown)
        .build()
    )
    _register_handlers(application)
    return application


def _register_handlers(application: BotApplication) -> None:
    """Register handlers in order: commands, buttons, text, everything else."""
    private = filters.ChatType.PRIVATE
    # Commands, each checking the caller's role in the service it calls.
    for name, callback in (
        ("start", access.start),
        ("help", access.help_command),
        ("invite", access.invite),
        ("new", messages.new_command),
        ("cancel", messages.cancel_command),
        ("mine", lookups.mine),
        ("status", lookups.status),
        ("triage", lookups.triage),
        ("reload", admin.reload_routing),
        ("summary", admin.summary),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    # Inline buttons: one pattern for all actions, dispatched by action table.
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
    settings: Settings, clock: Clock, routing: ClassifierHolder | None
) -> Callable[[BotApplication], Coroutine[Any, Any, None]]:
    """Return the hook that opens the database, builds services and starts the sender."""

    async def post_init(application: BotApplication) -> None:
        """Open resources once the bot is initialised."""
        bot_data: BotData = application.bot_data
        services = await build_services(settings, clock, routing)
        bot_data.settings = settings
        bot_data.services = services
        await application.bot.set_my_commands(
            [BotCommand(n, d) for n, d in texts.COMMANDS["default"]]
        )
        for admin_id in sorted(settings.admin_ids):
            await services.outbox.set_admin_commands(admin_id, texts.COMMANDS["admin"])
        sender = OutboxSender(application.bot, services.outbox)
        bot_data.sender = sender
        sender.start()
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                _sweep, interval=SWEEP_EVERY, first=timedelta(seconds=5), name="sweep"
            )
            application.job_queue.run_repeating(
                _reload_routing, interval=timedelta(seconds=30), name="reload-routing"
            )

    return post_init


async def _post_shutdown(application: BotApplication) -> None:
    """Stop the sender and close the database."""
    bot_data: BotData = application.bot_data
    if bot_data.sender is not None:
        await bot_data.sender.stop()
    if bot_data._services is not None:
        await bot_data.services.engine.dispose()
        bot_data.services = None


@asynccontextmanager
async def polling(
    application: BotApplication,
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
) -> AsyncIterator[None]:
    """Run the application the way run_polling does, inside an already running event loop."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    try:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, poll_interval=poll_interval, timeout=poll_timeout
        )
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _sweep(context: BotContext) -> None:
    """Issue due reminders and digests (idempotent: derived from the database)."""
    await run_due_jobs(context.bot_data.services)


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
    services.invites.set_departments(
        {d.code: d.name for d in services.routing.current.config.departments}
    )
    logger.info("routing file reloaded")
