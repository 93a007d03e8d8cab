"""Administrator commands: /reload, /keyword, /learn (and its buttons), /summary, /revoke."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import callbacks as cb
from bot import texts
from bot.context import BotContext
from bot.domain.permissions import Command
from bot.services.errors import Refused
from handlers.common import actor_of, answer_button, attempt, permitted, tell


async def reload_routing(update: Update, context: BotContext) -> None:
    """Reload the routing file by swapping; a bad file is refused and reported line by line."""
    if (who := await permitted(update, context, Command.RELOAD)) is None:
        return
    actor, _ = who
    services = context.bot_data.services
    problems = await asyncio.to_thread(services.routing.reload)
    if problems:
        report = "\n".join(str(problem) for problem in problems[:20])
        await tell(update, context, actor, texts.RELOAD_REFUSED.format(problems=report))
        return
    config = services.routing.current.config
    await tell(
        update,
        context,
        actor,
        texts.RELOAD_DONE.format(topics=len(config.topics), departments=len(config.departments)),
    )


async def keyword(update: Update, context: BotContext) -> None:
    """Add, reweigh or remove one routing keyword, then reload (administrators only)."""
    if (who := await permitted(update, context, Command.KEYWORD)) is None:
        return
    actor, _ = who
    try:
        text = await context.bot_data.services.routing_edits.keyword(actor, context.args or [])
    except Refused as refusal:
        text = refusal.text
    await tell(update, context, actor, text)


async def learn(update: Update, context: BotContext) -> None:
    """Learn keywords from the corrections; the proposal comes back with 应用 / 放弃."""
    if (who := await permitted(update, context, Command.LEARN)) is None:
        return
    actor, chat_id = who
    learning = context.bot_data.services.learning
    try:
        text = await learning.request(actor, chat_id, context.args or [])
    except Refused as refusal:
        text = refusal.text
    await tell(update, context, actor, text)


async def learn_button(update: Update, context: BotContext) -> None:
    """Apply or discard a /learn proposal (administrators only, once)."""
    query = update.callback_query
    parsed = cb.parse(query.data if query else None)
    actor = await actor_of(update, context)
    if query is None or actor is None:
        return
    if parsed is None or not actor.may(Command.LEARN) or parsed.argument not in ("yes", "no"):
        await answer_button(query, texts.STALE_BUTTON)
        return
    learning = context.bot_data.services.learning
    try:
        text = await learning.decide(actor, parsed.item_id, parsed.argument == "yes")
    except Refused as refusal:
        await answer_button(query, refusal.text)
        return
    await answer_button(query, texts.TOAST_OK)
    await tell(update, context, actor, text)


async def summary(update: Update, context: BotContext) -> None:
    """Send the pilot summary of the last week or month (administrators only)."""
    if (who := await permitted(update, context, Command.SUMMARY)) is None:
        return
    actor, chat_id = who
    period = (context.args or ["week"])[0]
    reports = context.bot_data.services.reports
    await attempt(update, context, actor, reports.on_demand(actor, chat_id=chat_id, period=period))


async def revoke(update: Update, context: BotContext) -> None:
    """List the bound members, or revoke one by number (administrators only)."""
    if (who := await permitted(update, context, Command.REVOKE)) is None:
        return
    actor, _ = who
    members = context.bot_data.services.members
    args = context.args or []
    number = _number(args[0]) if len(args) == 1 else None
    try:
        if not args:
            text = await members.roster(by=actor)
        elif number is not None:
            text = (await members.revoke(number, by=actor)).report()
        else:
            raise Refused(texts.REVOKE_USAGE)
    except Refused as refusal:
        text = refusal.text
    await tell(update, context, actor, text)


def _number(text: str) -> int | None:
    """Read a member number like 12 or #12."""
    try:
        return int(text.removeprefix("#"))
    except ValueError:
        return None
