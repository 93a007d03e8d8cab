"""/web: a one-time sign-in link to the desk."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.domain.permissions import Command
from handlers.common import permitted


async def web(update: Update, context: BotContext) -> None:
    """Send the member a sign-in link valid for 10 minutes."""
    if (who := await permitted(update, context, Command.WEB)) is None:
        return
    actor, chat_id = who
    services = context.bot_data.services
    await services.desk.send_link(actor.telegram_id, chat_id=chat_id)
    services.deps.outbox.kick()
