"""/mine, /status, /triage and /record."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.domain.permissions import Command
from handlers.common import attempt, permitted


async def mine(update: Update, context: BotContext) -> None:
    """List the user's items (by role)."""
    if (who := await permitted(update, context, Command.MINE)) is None:
        return
    actor, chat_id = who
    await context.bot_data.services.queries.mine(actor, chat_id=chat_id)


async def status(update: Update, context: BotContext) -> None:
    """Show one item's full history."""
    if (who := await permitted(update, context, Command.STATUS)) is None:
        return
    actor, chat_id = who
    number = " ".join(context.args or [])
    queries = context.bot_data.services.queries
    await attempt(update, context, actor, queries.status(actor, number=number, chat_id=chat_id))


async def triage(update: Update, context: BotContext) -> None:
    """Resend the triage queue to an administrator."""
    if (who := await permitted(update, context, Command.TRIAGE)) is None:
        return
    actor, chat_id = who
    await attempt(
        update, context, actor, context.bot_data.services.queries.triage(actor, chat_id=chat_id)
    )


async def record(update: Update, context: BotContext) -> None:
    """Tell a deputy their record (履职档案), or an administrator the deputy named."""
    if (who := await permitted(update, context, Command.RECORD)) is None:
        return
    actor, chat_id = who
    asked = " ".join(context.args or [])
    records = context.bot_data.services.records
    await attempt(update, context, actor, records.record(actor, who=asked, chat_id=chat_id))
