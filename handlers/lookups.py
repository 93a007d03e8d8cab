"""/mine, /status and /triage."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from handlers.common import attempt, known


async def mine(update: Update, context: BotContext) -> None:
    """List the user's items (by role)."""
    if (who := await known(update, context)) is None:
        return
    actor, chat_id = who
    await context.bot_data.services.queries.mine(actor, chat_id=chat_id)


async def status(update: Update, context: BotContext) -> None:
    """Show one item's full history."""
    if (who := await known(update, context)) is None:
        return
    actor, chat_id = who
    number = " ".join(context.args or [])
    queries = context.bot_data.services.queries
    await attempt(update, context, actor, queries.status(actor, number=number, chat_id=chat_id))


async def triage(update: Update, context: BotContext) -> None:
    """Resend the triage queue to an administrator."""
    if (who := await known(update, context)) is None:
        return
    actor, chat_id = who
    await attempt(
        update, context, actor, context.bot_data.services.queries.triage(actor, chat_id=chat_id)
    )
