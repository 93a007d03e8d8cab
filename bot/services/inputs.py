"""Free text that answers a question the bot asked: it completes the action that asked."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import PendingInput
from bot.domain.rules import ANSWERS
from bot.services import outbox
from bot.services.acting import Act, Acting
from bot.services.actors import Actor
from bot.services.base import ServiceDeps, mark_handled
from bot.services.errors import Refused
from bot.services.intake import check_text


class PendingInputs:
    """Routes a user's text to the question they were asked, if any."""

    def __init__(self, deps: ServiceDeps, acting: Acting) -> None:
        self._deps = deps
        self._acting = acting

    async def consume(self, actor: Actor, *, chat_id: int, message_id: int, text: str) -> bool:
        """Use the text as the awaited input; False when nothing was awaited."""
        deps = self._deps
        now = deps.clock.now()
        if not await self._awaits(actor.telegram_id):
            return False
        async with deps.sessions.begin() as session:
            pending = await session.get(PendingInput, actor.telegram_id, with_for_update=True)
            if pending is None:
                return False
            if not await mark_handled(session, now, chat_id, message_id):
                return True
            cleaned = check_text(text)
            await session.delete(pending)
            act = Act(
                ANSWERS[pending.purpose],
                pending.item_id,
                actor,
                chat_id=chat_id,
                text=cleaned,
                argument=pending.argument or "",
            )
            try:
                async with session.begin_nested():
                    await self._acting.within(session, act)
            except Refused as refusal:
                outbox.send(session, now, chat_id=chat_id, text=refusal.text)
        deps.outbox.kick()
        return True

    async def _awaits(self, telegram_id: int) -> bool:
        """Tell whether a question waits for the user's answer (a read, no savepoint)."""
        query = select(PendingInput.telegram_id).where(PendingInput.telegram_id == telegram_id)
        async with self._deps.sessions() as session:
            return (await session.execute(query)).first() is not None
