"""The one error handler: log with traceback, remember for tests, tell admins briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError

from bot import texts
from bot.context import BotContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure and queue a short note to the administrators."""
    error = context.error
    if error is None:
        return
    context.bot_data.errors.append(error)
    if not isinstance(update, Update):
        # Polling or a job, not a user's update: PTB retries; log it, do not page the admins.
        logger.warning("background error: %s", error, exc_info=not isinstance(error, NetworkError))
        return
    logger.error("error while handling update %s", update.update_id, exc_info=error)
    try:
        services = context.bot_data.services
    except RuntimeError:
        return
    note = texts.INTERNAL_ERROR_ADMIN.format(error=type(error).__name__)
    for admin_id in sorted(services.deps.admin_ids):
        await services.outbox.tell(admin_id, note)
