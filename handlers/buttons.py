"""Inline button presses: each maps to one domain action, checked and carried out server-side."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from telegram import Update

from bot import callbacks as cb
from bot import texts
from bot.context import BotContext
from bot.domain.rules import Action
from bot.services.acting import Act
from bot.services.errors import Refused
from handlers.common import actor_of, answer_button

# callback code -> action, or per argument (rate:satisfied, apv:yes, ...).
BUTTONS: Mapping[str, Action | Mapping[str, Action]] = MappingProxyType(
    {
        cb.SUBMIT: Action.SUBMIT,
        cb.RECLASSIFY: Action.SHOW_TOPICS,
        cb.TOPIC: Action.PICK_TOPIC,
        cb.TRIAGE_DRAFT: Action.PICK_TOPIC,
        cb.CANCEL: Action.CANCEL,
        cb.URGENT: Action.TOGGLE_URGENT,
        cb.ACK: Action.ACKNOWLEDGE,
        cb.RETURN: Action.RETURN,
        cb.ANSWER: Action.ANSWER,
        cb.PROGRESS: Action.PROGRESS,
        cb.RATE: {
            "satisfied": Action.RATE,
            "basic": Action.RATE,
            "unsatisfied": Action.COMPLAIN,
        },
        cb.ROUTE: Action.REROUTE,
        cb.OPEN: Action.OPEN_CARD,
        cb.EXTEND: Action.REQUEST_EXTENSION,
        cb.APPROVE: {"yes": Action.APPROVE_EXTENSION, "no": Action.REFUSE_EXTENSION},
        cb.LOOKBACK: {"ok": Action.RESOLVED, "again": Action.RECURRED},
        cb.TRANSFER: Action.PICK_TRANSFER,
        cb.TRANSFER_TO: Action.REQUEST_TRANSFER,
        cb.TRANSFER_DECIDE: {"yes": Action.APPROVE_TRANSFER, "no": Action.REFUSE_TRANSFER},
    }
)
# Actions that need a typed text: the button asks for it, the text carries them out.
ASKING = frozenset(
    {
        Action.RETURN,
        Action.ANSWER,
        Action.PROGRESS,
        Action.COMPLAIN,
        Action.REQUEST_EXTENSION,
        Action.REQUEST_TRANSFER,
    }
)


def action_of(parsed: cb.Callback) -> Action | None:
    """Return the action a parsed button stands for, or None for a forged one."""
    entry = BUTTONS.get(parsed.action)
    if isinstance(entry, Mapping):
        return entry.get(parsed.argument)
    return entry


async def button(update: Update, context: BotContext) -> None:
    """Carry out a press; stale, forged or foreign presses change nothing."""
    query = update.callback_query
    if query is None:
        return
    parsed = cb.parse(query.data)
    actor = await actor_of(update, context)
    if actor is None:
        return
    message = query.message
    action = action_of(parsed) if parsed is not None else None
    if parsed is None or action is None or message is None or actor.role == "stranger":
        await answer_button(query, texts.STALE_BUTTON)
        return
    services = context.bot_data.services
    act = Act(
        action,
        parsed.item_id,
        actor,
        chat_id=message.chat.id,
        message_id=message.message_id,
        argument=parsed.argument,
    )
    try:
        if action in ASKING:
            await services.workflow.ask(act)
            toast = texts.TOAST_OK
        else:
            toast = (await services.acting(act)).toast
    except Refused as refusal:
        await answer_button(query, refusal.text)
        return
    await answer_button(query, toast)
