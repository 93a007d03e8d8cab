"""Actions that need a typed text first: ask for it, and forget the question on /cancel."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import delete

from bot import texts
from bot.db.models import PendingInput
from bot.domain.rules import Action, rules_for
from bot.domain.states import Purpose
from bot.services import outbox
from bot.services.acting import Act, Acting
from bot.services.actors import Actor
from bot.services.base import ServiceDeps

ASK_TEXTS: Mapping[Purpose, str] = MappingProxyType(
    {
        Purpose.RETURN: texts.ASK_RETURN_REASON,
        Purpose.ANSWER: texts.ASK_ANSWER,
        Purpose.PROGRESS: texts.ASK_PROGRESS,
        Purpose.UNSATISFIED: texts.ASK_UNSATISFIED,
        Purpose.EXTENSION: texts.ASK_EXTENSION,
        Purpose.TRANSFER: texts.ASK_TRANSFER,
    }
)


def purpose_of(action: Action) -> Purpose:
    """Return what an action's awaited text is (every asking rule of an action agrees)."""
    purposes = {rule.asks for rule in rules_for(action) if rule.asks is not None}
    if len(purposes) != 1:
        raise ValueError(f"{action} does not ask for a text")
    return purposes.pop()


class Workflow:
    """Questions the bot asks before an action: a reason, an answer, a progress note."""

    def __init__(self, deps: ServiceDeps, acting: Acting) -> None:
        self._deps = deps
        self._acting = acting

    async def ask(self, act: Act) -> None:
        """Check the action is allowed now, then wait for the user's next text for it."""
        deps = self._deps
        assert act.actor is not None
        assert act.chat_id is not None
        purpose = purpose_of(act.action)
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await self._acting.check(session, act)
            telegram_id = act.actor.telegram_id
            await session.execute(
                delete(PendingInput).where(PendingInput.telegram_id == telegram_id)
            )
            session.add(
                PendingInput(
                    telegram_id=telegram_id,
                    purpose=purpose,
                    item_id=item.id,
                    argument=act.argument or None,
                    since=now,
                )
            )
            outbox.send(
                session,
                now,
                chat_id=act.chat_id,
                item_id=item.id,
                text=ASK_TEXTS[purpose].format(no=item.tracking_no),
            )
        deps.outbox.kick()

    async def cancel_input(self, actor: Actor, *, chat_id: int) -> None:
        """Forget what the user was about to type."""
        deps = self._deps
        async with deps.sessions.begin() as session:
            result = await session.execute(
                delete(PendingInput).where(PendingInput.telegram_id == actor.telegram_id)
            )
            cancelled = bool(getattr(result, "rowcount", 0))
            text = texts.INPUT_CANCELLED if cancelled else texts.NOTHING_TO_CANCEL
            outbox.send(session, deps.clock.now(), chat_id=chat_id, text=text)
        deps.outbox.kick()
