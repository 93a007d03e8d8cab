"""Helpers every handler uses: who is talking, and how to reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError

from bot import texts
from bot.context import BotContext
from bot.db.sessions import after_commit
from bot.domain.permissions import Command
from bot.domain.states import Role
from bot.services.actors import Actor
from bot.services.errors import Refused

logger = logging.getLogger(__name__)


async def actor_of(update: Update, context: BotContext) -> Actor | None:
    """Resolve the sender of the update, checked against the database and settings.

    A stranger over the rate limit (a few updates a minute) gets None: ignored, quietly.
    """
    user = update.effective_user
    if user is None:
        return None
    actor = await context.bot_data.services.actors.resolve(user.id)
    if actor.role == "stranger" and not context.bot_data.strangers.allow(user.id):
        return None
    return actor


async def tell(update: Update, context: BotContext, actor: Actor, text: str) -> None:
    """Reply through the outbox to a known user, directly to a stranger (nothing stored).

    A stranger's reply goes out after the update is committed (actor_of limits how often).
    """
    chat = update.effective_chat
    if chat is None:
        return
    if actor.role == "stranger":
        message = update.effective_message
        if message is not None:
            await after_commit(lambda: _reply_quietly(message, text))
        return
    await context.bot_data.services.outbox.tell(chat.id, text)


async def answer_button(query: CallbackQuery, text: str) -> None:
    """Answer a button press once the press's effects are committed (best effort)."""

    async def answer() -> None:
        """Stop the button's spinner; a failure only leaves it spinning."""
        try:
            await query.answer(text)
        except TelegramError as exc:
            logger.info("button not answered: %s", type(exc).__name__)

    await after_commit(answer)


async def _reply_quietly(message: Message, text: str) -> None:
    """Reply directly; a failure is logged, never raised."""
    try:
        await message.reply_text(text)
    except TelegramError as exc:
        logger.info("reply to a stranger not sent: %s", type(exc).__name__)


async def permitted(
    update: Update, context: BotContext, command: Command
) -> tuple[Actor, int] | None:
    """Resolve the sender and chat; anyone the command table does not allow is told no."""
    actor = await actor_of(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return None
    if not actor.may(command):
        refusal = texts.STRANGER if actor.role is Role.STRANGER else texts.NOT_ALLOWED
        await tell(update, context, actor, refusal)
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
