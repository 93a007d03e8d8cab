"""Helpers every handler uses: who is talking, and how to reply."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.services.actors import Actor
from bot.services.errors import Refused


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


async def known(update: Update, context: BotContext) -> tuple[Actor, int] | None:
    """Resolve the sender and chat; a stranger is told how to get an invite and gets None."""
    actor = await actor_of(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return None
    if actor.role == "stranger":
        await tell(update, context, actor, texts.STRANGER)
        return None
    return actor, chat.id


async def attempt(
    update: Update, context: BotContext, actor: Actor, call: Awaitable[object]
) -> None:
    """Await a service call; a refusal is told to the user instead."""
    try:
        await call
    except Refused as refusal:
        await tell(update, context, actor, refusal.text)
