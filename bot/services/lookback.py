"""回头看: thirty days after closing the deputy says whether the problem came back."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.db.models import Item, ItemEvent, Reminder
from bot.services import cards, outbox
from bot.services.actors import Actor
from bot.services.base import (
    ServiceDeps,
    deputy_of,
    lock_item,
    notify_handlers,
    record,
    tracking_number,
)
from bot.services.errors import Refused
from bot.services.schedule import start_clock


class Lookback:
    """Records the deputy's answer to the 30-day look back."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def answer(
        self, actor: Actor, *, item_id: int, recurred: bool, chat_id: int, message_id: int
    ) -> None:
        """Confirm the fix, or open a new item linked to the original (复发)."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            owner = actor.member is not None and actor.member.id == item.deputy_id
            asked = await session.scalar(
                select(Reminder.id).where(Reminder.item_id == item.id, Reminder.kind == "lookback")
            )
            answered = await session.scalar(
                select(ItemEvent.id).where(
                    ItemEvent.item_id == item.id, ItemEvent.kind == "lookback"
                )
            )
            if not owner or item.status != "closed" or asked is None or answered is not None:
                raise Refused(texts.STALE_BUTTON)
            note = texts.BTN_RECURRED if recurred else texts.BTN_RESOLVED
            record(
                session, item, now, kind="lookback", actor=actor, from_status="closed", note=note
            )
            if not recurred:
                reply = texts.LOOKBACK_OK.format(no=item.tracking_no)
            else:
                new = Item(
                    status="routed",
                    deputy_id=item.deputy_id,
                    source_chat_id=chat_id,
                    source_message_id=message_id,
                    text=item.text,
                    topic=item.topic,
                    department=item.department,
                    confidence=1.0,
                    matched=[],
                    abstained=False,
                    urgent=item.urgent,
                    created_at=now,
                    submitted_at=now,
                    recurrence_of=item.id,
                )
                session.add(new)
                await session.flush()
                new.tracking_no = tracking_number(now.astimezone(deps.tz), new.id)
                start_clock(new, now, deps.policy.current())
                record(
                    session,
                    new,
                    now,
                    kind="submitted",
                    actor=actor,
                    from_status=None,
                    note=texts.RECURRENCE_EXTRA.format(no=item.tracking_no).strip(),
                )
                deputy = await deputy_of(session, new)
                text, buttons = cards.handler_card(deps.config, new, deputy, tz=deps.tz)
                text += texts.RECURRENCE_EXTRA.format(no=item.tracking_no)
                await notify_handlers(session, deps, new, now, (text, buttons))
                reply = texts.LOOKBACK_AGAIN.format(
                    new=new.tracking_no,
                    department=cards.department_name(deps.config, new.department),
                )
            outbox.edit(
                session,
                now,
                chat_id=chat_id,
                message_id=message_id,
                item_id=item.id,
                text=texts.LOOKBACK.format(no=item.tracking_no, text=cards.clip(item.text, 300))
                + f"\n→ {note}",
            )
            outbox.send(session, now, chat_id=chat_id, text=reply, item_id=item.id)
        deps.outbox.kick()
