"""/start with an invite code, /help, and admin /invite."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.domain.permissions import Command
from bot.services.errors import Refused
from handlers.common import actor_of, permitted, tell


async def start(update: Update, context: BotContext) -> None:
    """Bind an account with an invite code, or greet a known user."""
    actor = await actor_of(update, context)
    if actor is None or update.effective_chat is None:
        return
    code = context.args[0] if context.args else ""
    if code and actor.member is None:
        try:
            await context.bot_data.services.invites.redeem(
                code=code, telegram_id=actor.telegram_id, chat_id=update.effective_chat.id
            )
        except Refused as refusal:
            await tell(update, context, actor, refusal.text)
        context.bot_data.services.outbox.kick()
        return
    if actor.role == "stranger":
        await tell(update, context, actor, texts.STRANGER)
        return
    name = actor.member.name if actor.member else texts.ROLES["admin"]
    greeting = texts.WELCOME_BACK.format(name=name, role=texts.ROLES[actor.role])
    await tell(update, context, actor, f"{greeting}\n\n{texts.HELP[actor.role]}")


async def help_command(update: Update, context: BotContext) -> None:
    """Show what the user's role can do."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    await tell(update, context, actor, texts.HELP.get(actor.role, texts.STRANGER))


async def invite(update: Update, context: BotContext) -> None:
    """Create an invite code (administrators only)."""
    if (who := await permitted(update, context, Command.INVITE)) is None:
        return
    actor, _ = who
    services = context.bot_data.services
    args = context.args or []
    departments = "、".join(d.code for d in services.routing.current.config.departments)
    by = f"admin:{actor.telegram_id}"
    try:
        if len(args) == 4 and args[0] == "deputy":
            view = await services.invites.create_deputy(
                name=args[1], level=args[2], district=args[3], by=by
            )
        elif len(args) == 3 and args[0] in ("handler", "supervisor"):
            view = await services.invites.create_handler(
                department=args[1], name=args[2], by=by, role=args[0]
            )
        else:
            raise Refused(texts.INVITE_USAGE.format(departments=departments))
    except Refused as refusal:
        await tell(update, context, actor, refusal.text)
        return
    link = f"https://t.me/{context.bot.username}?start={view.code}"
    expires = view.expires_at.astimezone(services.deps.tz).strftime("%Y-%m-%d %H:%M")
    await tell(
        update,
        context,
        actor,
        texts.INVITE_CREATED.format(
            code=view.code, who=view.description, expires=expires, link=link
        ),
    )
