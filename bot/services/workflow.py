"""Handlers and administrators act on items: acknowledge, ask for input, rate, reroute."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.db.models import Item, Member, PendingInput
from bot.services import cards, outbox
from bot.services.actors import Actor
from bot.services.base import (
    ServiceDeps,
    deputy_of,
    lock_item,
    notify_handlers,
    record,
    retire_cards,
)
from bot.services.errors import Refused
from bot.services.schedule import refresh, start_clock

ASK_TEXTS = {
    "return": texts.ASK_RETURN_REASON,
    "answer": texts.ASK_ANSWER,
    "progress": texts.ASK_PROGRESS,
    "unsatisfied": texts.ASK_UNSATISFIED,
    "extension": texts.ASK_EXTENSION,
}


class Workflow:
    """The button actions after submission."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def acknowledge(
        self, actor: Actor, *, item_id: int, chat_id: int, message_id: int
    ) -> None:
        """Record that a handler of the item's department took it, and tell the deputy."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            if item.status != "routed" or not actor.handles(item.department):
                raise Refused(texts.STALE_BUTTON)
            assert actor.member is not None
            item.status = "acknowledged"
            item.acknowledged_at, item.acknowledged_by = now, actor.member.id
            refresh(item)
            record(session, item, now, kind="acknowledged", actor=actor, from_status="routed")
            taken = texts.CARD_TAKEN.format(
                no=item.tracking_no, name=actor.member.name, text=cards.clip(item.text, 200)
            )
            await retire_cards(
                session, now, item=item, action=cb.ACK, text=taken, keep_chat=chat_id
            )
            text, buttons = cards.acknowledged_card(item, actor.member.name)
            outbox.edit(
                session,
                now,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                buttons=buttons,
                item_id=item.id,
            )
            deputy = await deputy_of(session, item)
            department = cards.department_name(deps.config, item.department)
            outbox.send(
                session,
                now,
                chat_id=deputy.telegram_id,
                item_id=item.id,
                text=texts.TO_DEPUTY_ACKED.format(
                    no=item.tracking_no, department=department, name=actor.member.name
                ),
            )
        deps.outbox.kick()

    async def ask(self, actor: Actor, *, item_id: int, purpose: str, chat_id: int) -> None:
        """Wait for the user's next text as a return reason, answer, progress or complaint."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            check_may(actor, item, purpose)
            await session.execute(
                delete(PendingInput).where(PendingInput.telegram_id == actor.telegram_id)
            )
            session.add(
                PendingInput(
                    telegram_id=actor.telegram_id, purpose=purpose, item_id=item.id, since=now
                )
            )
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                item_id=item.id,
                text=ASK_TEXTS[purpose].format(no=item.tracking_no),
            )
        deps.outbox.kick()

    async def rate(self, actor: Actor, *, item_id: int, rating: str, chat_id: int) -> None:
        """Record 满意 or 基本满意; 不满意 first asks the deputy why."""
        if rating == "unsatisfied":
            await self.ask(actor, item_id=item_id, purpose="unsatisfied", chat_id=chat_id)
            return
        if rating not in texts.RATINGS:
            raise Refused(texts.STALE_BUTTON)
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            check_may(actor, item, "rate")
            item.rating = rating
            record(
                session,
                item,
                now,
                kind="rated",
                actor=actor,
                from_status=item.status,
                note=texts.RATINGS[rating],
            )
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                item_id=item.id,
                text=texts.TO_DEPUTY_THANKS.format(
                    rating=texts.RATINGS[rating], no=item.tracking_no
                ),
            )
        deps.outbox.kick()

    async def reroute(
        self, actor: Actor, *, item_id: int, department: str, chat_id: int, message_id: int
    ) -> str:
        """Send a triage item to a department (改派); administrators only."""
        deps = self._deps
        if not actor.is_admin or deps.config.department(department) is None:
            raise Refused(texts.STALE_BUTTON)
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            if item.status != "triage":
                raise Refused(texts.STALE_BUTTON)
            item.status, item.department = "routed", department
            start_clock(item, now, deps.policy.current())
            topic = deps.config.topic(item.topic) if item.topic else None
            if topic is None or topic.department != department:
                item.topic = _topic_of(deps, department)
            name = cards.department_name(deps.config, department)
            record(
                session, item, now, kind="rerouted", actor=actor, from_status="triage", note=name
            )
            deputy = await deputy_of(session, item)
            card = cards.handler_card(deps.config, item, deputy, tz=deps.tz)
            if not await notify_handlers(session, deps, item, now, card):
                outbox.send(
                    session,
                    now,
                    chat_id=chat_id,
                    item_id=item.id,
                    text=texts.NO_HANDLERS.format(no=item.tracking_no, department=name),
                )
            outbox.edit(
                session,
                now,
                chat_id=chat_id,
                message_id=message_id,
                item_id=item.id,
                text=texts.CARD_ROUTED.format(
                    no=item.tracking_no, department=name, text=cards.clip(item.text, 200)
                ),
            )
            outbox.send(
                session,
                now,
                chat_id=deputy.telegram_id,
                item_id=item.id,
                text=texts.TO_DEPUTY_REROUTED.format(no=item.tracking_no, department=name),
            )
        deps.outbox.kick()
        return name

    async def open_item(self, actor: Actor, *, item_id: int, chat_id: int) -> None:
        """Send a handler the working card of one of the department's open items."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            if item.status not in ("routed", "acknowledged") or not actor.handles(item.department):
                raise Refused(texts.STALE_BUTTON)
            if item.status == "routed":
                deputy = await deputy_of(session, item)
                text, buttons = cards.handler_card(deps.config, item, deputy, tz=deps.tz)
            else:
                taker = await session.get(Member, item.acknowledged_by)
                text, buttons = cards.acknowledged_card(item, taker.name if taker else "")
                text += cards.due_line(item, deps.tz)
            outbox.send(session, now, chat_id=chat_id, text=text, buttons=buttons, item_id=item.id)
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


def check_may(actor: Actor, item: Item, purpose: str) -> None:
    """Refuse unless this actor may do this to the item in its current state."""
    if purpose == "return":
        allowed = item.status in ("routed", "acknowledged") and actor.handles(item.department)
    elif purpose in ("answer", "progress"):
        allowed = item.status == "acknowledged" and actor.handles(item.department)
    elif purpose == "extension":
        allowed = (
            item.status == "acknowledged"
            and actor.handles(item.department)
            and not item.extension_used
        )
    elif purpose in ("unsatisfied", "rate"):
        owner = actor.is_deputy and actor.member is not None and actor.member.id == item.deputy_id
        allowed = owner and item.status == "closed" and item.rating is None
    else:
        allowed = False
    if not allowed:
        raise Refused(texts.STALE_BUTTON)


def _topic_of(deps: ServiceDeps, department: str) -> str | None:
    """Return the first topic routed to a department, for statistics after a reroute."""
    for topic in deps.config.topics:
        if topic.department == department:
            return topic.code
    return None


async def reopen(
    session: AsyncSession, deps: ServiceDeps, item: Item, actor: Actor, reason: str
) -> Member:
    """Send a closed item back to its department (重办) and tell its handlers."""
    now = deps.clock.now()
    item.status, item.reopen_count = "routed", item.reopen_count + 1
    item.acknowledged_at = item.acknowledged_by = item.closed_at = None
    item.answer, item.rating = None, None
    start_clock(item, now, deps.policy.current())
    record(session, item, now, kind="reopened", actor=actor, from_status="closed", note=reason)
    deputy = await deputy_of(session, item)
    card = cards.handler_card(deps.config, item, deputy, reopen_reason=reason, tz=deps.tz)
    await notify_handlers(session, deps, item, now, card)
    return deputy
