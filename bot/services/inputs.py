"""Free text that answers a question the bot asked: a reason, an answer, a progress note."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.db.models import Item, PendingInput
from bot.services import cards, outbox
from bot.services.actors import Actor
from bot.services.base import (
    ServiceDeps,
    deputy_of,
    lock_item,
    mark_handled,
    notify_admins,
    record,
    retire_cards,
)
from bot.services.errors import Refused
from bot.services.extensions import request_extension
from bot.services.intake import check_text
from bot.services.schedule import refresh
from bot.services.workflow import check_may, reopen


class PendingInputs:
    """Routes a user's text to the question they were asked, if any."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def consume(self, actor: Actor, *, chat_id: int, message_id: int, text: str) -> bool:
        """Use the text as the awaited input; False when nothing was awaited."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            pending = await session.get(PendingInput, actor.telegram_id, with_for_update=True)
            if pending is None:
                return False
            if not await mark_handled(session, now, chat_id, message_id):
                return True
            cleaned = check_text(text)
            item = await lock_item(session, pending.item_id)
            purpose = pending.purpose
            await session.delete(pending)
            try:
                check_may(actor, item, purpose)
            except Refused:
                outbox.send(session, now, chat_id=chat_id, text=texts.STALE_BUTTON)
                return True
            await self._apply(session, actor, item, purpose, cleaned, chat_id)
        deps.outbox.kick()
        return True

    async def _apply(
        self, session: AsyncSession, actor: Actor, item: Item, purpose: str, text: str, chat_id: int
    ) -> None:
        """Apply the awaited input to the item."""
        deps = self._deps
        now = deps.clock.now()
        department = cards.department_name(deps.config, item.department)
        deputy = await deputy_of(session, item)
        no = item.tracking_no
        if purpose == "answer":
            item.status, item.answer, item.closed_at = "closed", text, now
            refresh(item)
            record(
                session,
                item,
                now,
                kind="answered",
                actor=actor,
                from_status="acknowledged",
                note=text,
            )
            outbox.send(
                session,
                now,
                chat_id=deputy.telegram_id,
                item_id=item.id,
                buttons=cards.rating_buttons(item),
                text=texts.TO_DEPUTY_ANSWER.format(no=no, department=department, text=text),
            )
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                item_id=item.id,
                text=texts.HANDLER_DONE_ANSWER.format(no=no),
            )
        elif purpose == "progress":
            record(
                session, item, now, kind="progress", actor=actor, from_status=item.status, note=text
            )
            outbox.send(
                session,
                now,
                chat_id=deputy.telegram_id,
                item_id=item.id,
                text=texts.TO_DEPUTY_PROGRESS.format(no=no, department=department, text=text),
            )
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                item_id=item.id,
                text=texts.HANDLER_DONE_PROGRESS.format(no=no),
            )
        elif purpose == "return":
            previous = item.status
            item.status, item.department = "triage", None
            item.acknowledged_at = item.acknowledged_by = None
            refresh(item)
            record(
                session,
                item,
                now,
                kind="returned",
                actor=actor,
                from_status=previous,
                note=f"{department}：{text}",
            )
            returned = texts.CARD_RETURNED.format(no=no, text=cards.clip(item.text, 200))
            await retire_cards(session, now, item=item, action=cb.ACK, text=returned, keep_chat=0)
            why = texts.TRIAGE_WHY_RETURNED.format(department=department, reason=text)
            card_text, buttons = cards.triage_card(deps.config, item, deputy, why)
            notify_admins(session, deps, now, card_text, buttons, item_id=item.id)
            outbox.send(
                session,
                now,
                chat_id=deputy.telegram_id,
                item_id=item.id,
                text=texts.TO_DEPUTY_RETURNED.format(no=no),
            )
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                item_id=item.id,
                text=texts.HANDLER_DONE_RETURN.format(no=no),
            )
        elif purpose == "extension":
            await request_extension(session, deps, item, actor, text, chat_id)
        elif purpose == "unsatisfied":
            item.rating = "unsatisfied"
            record(
                session,
                item,
                now,
                kind="rated",
                actor=actor,
                from_status="closed",
                note=f"{texts.RATINGS['unsatisfied']}：{text}",
            )
            await reopen(session, deps, item, actor, text)
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                item_id=item.id,
                text=texts.TO_DEPUTY_REOPENED.format(no=no, department=department),
            )
