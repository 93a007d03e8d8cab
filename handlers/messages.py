"""Free text and other messages: awaited input, a new concern, or a hint."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.domain.permissions import Command
from bot.domain.states import Role
from bot.services.errors import Refused
from handlers.common import actor_of, attempt, permitted, tell


async def text_message(update: Update, context: BotContext) -> None:
    """Use the text as awaited input, else as a deputy's new concern."""
    actor = await actor_of(update, context)
    message = update.effective_message
    if actor is None or message is None:
        return
    if actor.role is Role.STRANGER:
        await tell(update, context, actor, texts.STRANGER)
        return
    services = context.bot_data.services
    text, chat_id, message_id = message.text or "", message.chat_id, message.message_id
    try:
        if await services.inputs.consume(actor, text=text, chat_id=chat_id, message_id=message_id):
            return
        if actor.may(Command.CONCERN):
            await services.intake.receive(actor, text=text, chat_id=chat_id, message_id=message_id)
            return
    except Refused as refusal:
        await tell(update, context, actor, refusal.text)
        return
    hint = texts.ADMIN_TEXT_HINT if actor.is_admin else texts.HANDLER_TEXT_HINT
    await tell(update, context, actor, hint)


async def other_message(update: Update, context: BotContext) -> None:
    """Answer stickers, voice, files and the like: text (or a captioned photo) only."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    await tell(
        update,
        context,
        actor,
        texts.TEXT_ONLY if actor.member or actor.is_admin else texts.STRANGER,
    )


async def photo_message(update: Update, context: BotContext) -> None:
    """Take a photo with a caption as a deputy's concern; ask for a caption otherwise."""
    actor = await actor_of(update, context)
    message = update.effective_message
    if actor is None or message is None:
        return
    if not actor.may(Command.CONCERN):
        await tell(
            update,
            context,
            actor,
            texts.STRANGER if actor.role is Role.STRANGER else texts.TEXT_ONLY,
        )
        return
    if not (message.caption or "").strip() or not message.photo:
        await tell(update, context, actor, texts.PHOTO_NEEDS_CAPTION)
        return
    intake = context.bot_data.services.intake
    call = intake.receive(
        actor,
        chat_id=message.chat_id,
        message_id=message.message_id,
        text=message.caption or "",
        photo_file_id=message.photo[-1].file_id,
    )
    await attempt(update, context, actor, call)


async def new_command(update: Update, context: BotContext) -> None:
    """Prompt a deputy for a new concern."""
    if (who := await permitted(update, context, Command.NEW)) is None:
        return
    await tell(update, context, who[0], texts.NEW_PROMPT)


async def cancel_command(update: Update, context: BotContext) -> None:
    """Forget the input the bot was waiting for."""
    if (who := await permitted(update, context, Command.CANCEL_INPUT)) is None:
        return
    actor, chat_id = who
    await context.bot_data.services.workflow.cancel_input(actor, chat_id=chat_id)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know with the role's help."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    await tell(update, context, actor, texts.HELP.get(actor.role, texts.STRANGER))
