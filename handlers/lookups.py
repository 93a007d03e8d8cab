"""/mine, /status and /triage."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.services.errors import Refused
from handlers.common import actor_of, tell


async def mine(update: Update, context: BotContext) -> None:
    """List the user's items (by role)."""
    actor = await actor_of(update, context)
    if actor is None or update.effective_chat is None:
        return
    if actor.role == "stranger":
        await tell(update, context, actor, texts.STRANGER)
        return
    await context.bot_data.services.queries.mine(actor, chat_id=update.effective_chat.id)


async def status(update: Update, context: BotContext) -> None:
    """Show one item's full history."""
    actor = await actor_of(update, context)
    if actor is None or update.effective_chat is None:
        return
    if actor.role == "stranger":
        await tell(update, context, actor, texts.STRANGER)
        return
    number = " ".join(context.args or [])
    try:
        await context.bot_data.services.queries.status(
            actor, number=number, chat_id=update.effective_chat.id
        )
    except Refused as refusal:
        await tell(update, context, actor, refusal.text)


async def triage(update: Update, context: BotContext) -> None:
    """Resend the triage queue to an administrator."""
    actor = await actor_of(update, context)
    if actor is None or update.effective_chat is None:
        return
    try:
        await context.bot_data.services.queries.triage(actor, chat_id=update.effective_chat.id)
    except Refused as refusal:
        await tell(update, context, actor, refusal.text if actor.member else texts.STRANGER)
