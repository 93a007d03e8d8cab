"""Refuse, before any other handler, text that no database can store."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.context import BotContext
from handlers.common import actor_of, tell


def unstorable(text: str | None) -> bool:
    """Return whether the text holds a NUL or a lone surrogate (PostgreSQL refuses both)."""
    if not text:
        return False
    return "\x00" in text or any(0xD800 <= ord(char) <= 0xDFFF for char in text)


async def screen(update: Update, context: BotContext) -> None:
    """Answer such a message clearly and stop: nothing else sees it, nothing is stored."""
    message = update.message
    if message is None or not (unstorable(message.text) or unstorable(message.caption)):
        return
    actor = await actor_of(update, context)
    if actor is not None:
        await tell(update, context, actor, texts.BAD_TEXT)
    raise ApplicationHandlerStop
