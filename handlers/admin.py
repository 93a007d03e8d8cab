"""Administrator commands that change how the bot routes: /reload."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import texts
from bot.context import BotContext
from handlers.common import actor_of, attempt, known, tell


async def reload_routing(update: Update, context: BotContext) -> None:
    """Reload the routing file by swapping; a bad file is refused and reported line by line."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    if not actor.is_admin:
        await tell(update, context, actor, texts.NOT_ALLOWED if actor.member else texts.STRANGER)
        return
    services = context.bot_data.services
    problems = await asyncio.to_thread(services.routing.reload)
    if problems:
        report = "\n".join(str(problem) for problem in problems[:20])
        await tell(update, context, actor, texts.RELOAD_REFUSED.format(problems=report))
        return
    config = services.routing.current.config
    services.invites.set_departments({d.code: d.name for d in config.departments})
    await tell(
        update,
        context,
        actor,
        texts.RELOAD_DONE.format(topics=len(config.topics), departments=len(config.departments)),
    )


async def summary(update: Update, context: BotContext) -> None:
    """Send the pilot summary of the last week or month (administrators only)."""
    if (who := await known(update, context)) is None:
        return
    actor, chat_id = who
    period = (context.args or ["week"])[0]
    reports = context.bot_data.services.reports
    await attempt(update, context, actor, reports.on_demand(actor, chat_id=chat_id, period=period))
