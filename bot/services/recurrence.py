"""回头看 "又出现了": the problem came back, so a new item opens, linked to the original."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Item
from bot.domain.changes import Inputs, clock
from bot.domain.rules import Audience
from bot.domain.states import EventKind, RouteSource, Status
from bot.services import outbox
from bot.services.actors import Actor
from bot.services.base import ServiceDeps, record, tracking_number
from bot.services.notices import RENDERERS, Rendered, View
from bot.services.schedule import refresh

Notify = Callable[[AsyncSession, Audience, Rendered, View], Awaitable[None]]


async def reopen_as_new(
    session: AsyncSession,
    deps: ServiceDeps,
    original: View,
    *,
    actor: Actor | None,
    chat_id: int | None,
    now: datetime,
    notify: Notify,
) -> Item:
    """Open a new routed item for the original's department and tell its handlers."""
    old = original.item
    new = Item(
        status=Status.ROUTED,
        deputy_id=old.deputy_id,
        # No message of the deputy's started it: the original's id, negated, keeps it unique.
        source_chat_id=old.source_chat_id,
        source_message_id=-old.id,
        text=old.text,
        topic=old.topic,
        department=old.department,
        confidence=1.0,
        matched=[],
        abstained=False,
        route_source=RouteSource.RECURRENCE,
        urgent=old.urgent,
        created_at=now,
        submitted_at=now,
        recurrence_of=old.id,
    )
    session.add(new)
    await session.flush()
    new.tracking_no = tracking_number(now.astimezone(deps.tz), new.id)
    inputs = Inputs(now=now, policy=deps.policy)
    for name, value in clock(new, inputs, topic=new.topic).items():
        setattr(new, name, value)
    refresh(new)
    note = texts.RECURRENCE_EXTRA.format(no=old.tracking_no).strip()
    record(session, new, now, kind=EventKind.SUBMITTED, actor=actor, from_status=None, note=note)
    view = View(deps.config, deps.tz, new, original.deputy, actor, note=old.tracking_no or "")
    await notify(session, Audience.HANDLERS, RENDERERS["assignment_card_recurred"](view), view)
    if chat_id is not None:
        reply = texts.LOOKBACK_AGAIN.format(new=new.tracking_no, department=view.department)
        outbox.send(session, now, chat_id=chat_id, text=reply, item_id=old.id)
    return new
