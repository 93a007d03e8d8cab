"""Helpers every handler uses: who is talking, and how to reply."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.services.actors import Actor


async def actor_of(update: Update, context: BotContext) -> Actor | None:
    """Resolve the sender of the update, checked against the database and settings."""
    user = update.effective_user
    if user is None:
        return None
    return await context.bot_data.services.actors.resolve(user.id)


async def tell(update: Update, context: BotContext, actor: Actor, text: str) -> None:
    """Reply through the outbox to a known user, directly to a stranger (nothing stored)."""
    chat = update.effective_chat
    if chat is None:
        return
    if actor.role == "stranger":
        if update.effective_message is not None:
            await update.effective_message.reply_text(text)
        return
    await context.bot_data.services.outbox.tell(chat.id, text)
