"""Inline button presses, one callback per action; every press is checked server-side."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot import callbacks as cb
from bot import texts
from bot.context import BotContext, Services
from bot.services.actors import Actor
from bot.services.errors import Refused
from handlers.common import actor_of, answer_button

Action = Callable[[Services, Actor, cb.Callback, int, int], Awaitable[str | None]]


async def _submit(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Submit a draft."""
    return await s.intake.submit(a, item_id=c.item_id, chat_id=chat, message_id=msg)


async def _reclassify(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Show the topic picker."""
    await s.intake.show_topics(a, item_id=c.item_id, chat_id=chat, message_id=msg)
    return None


async def _topic(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Pick a topic."""
    await s.intake.choose_topic(
        a, item_id=c.item_id, topic=c.argument, chat_id=chat, message_id=msg
    )
    return None


async def _to_triage(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Leave the topic to an administrator."""
    await s.intake.choose_topic(a, item_id=c.item_id, topic="", chat_id=chat, message_id=msg)
    return None


async def _cancel(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Cancel a draft."""
    await s.intake.cancel(a, item_id=c.item_id, chat_id=chat, message_id=msg)
    return None


async def _ack(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Acknowledge an item."""
    await s.workflow.acknowledge(a, item_id=c.item_id, chat_id=chat, message_id=msg)
    return texts.TOAST_ACKED


def _asker(purpose: str) -> Action:
    """Build an action that waits for the user's next text."""

    async def ask(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
        """Ask for the text."""
        await s.workflow.ask(a, item_id=c.item_id, purpose=purpose, chat_id=chat)
        return None

    return ask


async def _rate(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Rate an answer."""
    await s.workflow.rate(a, item_id=c.item_id, rating=c.argument, chat_id=chat)
    return None


async def _route(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Reroute a triage item."""
    name = await s.workflow.reroute(
        a, item_id=c.item_id, department=c.argument, chat_id=chat, message_id=msg
    )
    return texts.ADMIN_REROUTED.format(no="", department=name).strip()


async def _urgent(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Toggle a draft's urgency."""
    await s.intake.toggle_urgent(a, item_id=c.item_id, chat_id=chat, message_id=msg)
    return None


async def _open(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Open an item from the daily digest."""
    await s.workflow.open_item(a, item_id=c.item_id, chat_id=chat)
    return None


async def _approve(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Decide on an extension request."""
    await s.extensions.decide(
        a, item_id=c.item_id, approve=c.argument == "yes", chat_id=chat, message_id=msg
    )
    return None


async def _lookback(s: Services, a: Actor, c: cb.Callback, chat: int, msg: int) -> str | None:
    """Answer the 30-day look back."""
    await s.lookback.answer(
        a, item_id=c.item_id, recurred=c.argument == "again", chat_id=chat, message_id=msg
    )
    return None


ACTIONS: dict[str, Action] = {
    cb.SUBMIT: _submit,
    cb.RECLASSIFY: _reclassify,
    cb.TOPIC: _topic,
    cb.TRIAGE_DRAFT: _to_triage,
    cb.CANCEL: _cancel,
    cb.ACK: _ack,
    cb.RETURN: _asker("return"),
    cb.ANSWER: _asker("answer"),
    cb.PROGRESS: _asker("progress"),
    cb.RATE: _rate,
    cb.ROUTE: _route,
    cb.URGENT: _urgent,
    cb.OPEN: _open,
    cb.EXTEND: _asker("extension"),
    cb.APPROVE: _approve,
    cb.LOOKBACK: _lookback,
}


async def button(update: Update, context: BotContext) -> None:
    """Dispatch a press to its action; stale, forged or foreign presses do nothing."""
    query = update.callback_query
    if query is None:
        return
    parsed = cb.parse(query.data)
    actor = await actor_of(update, context)
    message = query.message
    if parsed is None or actor is None or message is None or actor.role == "stranger":
        if (
            actor is None
            or actor.role != "stranger"
            or context.bot_data.strangers.allow(actor.telegram_id)
        ):
            await answer_button(query, texts.STALE_BUTTON)
        return
    try:
        toast = await ACTIONS[parsed.action](
            context.bot_data.services, actor, parsed, message.chat.id, message.message_id
        )
    except Refused as refusal:
        await answer_button(query, refusal.text)
        return
    await answer_button(query, toast or texts.TOAST_OK)
