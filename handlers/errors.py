"""The one error handler: log, roll the update back for a retry, page admins about the rest."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError

from bot.context import BotContext
from bot.db.sessions import current_unit

logger = logging.getLogger(__name__)

KEEP_ERRORS = 100


async def on_error(update: object, context: BotContext) -> None:
    """Fail the update's unit of work (it is retried, then set aside), or page about a job."""
    error = context.error
    if error is None:
        return
    context.bot_data.errors.append(error)
    del context.bot_data.errors[:-KEEP_ERRORS]
    unit = current_unit()
    if isinstance(update, Update) and unit is not None:
        # Rolled back and retried by the inbox; admins are paged if it keeps failing.
        logger.warning("update %s failed", update.update_id, exc_info=error)
        unit.fail(error)
        return
    logger.warning("background error: %s", error, exc_info=not isinstance(error, NetworkError))
    if context.bot_data._runtime is not None and not isinstance(error, NetworkError):
        await context.bot_data.runtime.pager.page(type(error).__name__)
