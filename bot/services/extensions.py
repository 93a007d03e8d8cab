"""Extensions (延期): a handler asks with a reason, an administrator approves once per item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.db.models import Item, ItemEvent
from bot.services import cards, outbox
from bot.services.actors import Actor, handlers_of
from bot.services.base import ServiceDeps, lock_item, notify_admins, record, retire_cards
from bot.services.errors import Refused
from bot.services.schedule import refresh


async def extension_asked(session: AsyncSession, item: Item) -> bool:
    """Return whether an extension was ever requested for the item."""
    query = select(ItemEvent.id).where(
        ItemEvent.item_id == item.id, ItemEvent.kind == "extension_requested"
    )
    return (await session.execute(query.limit(1))).first() is not None


async def request_extension(
    session: AsyncSession, deps: ServiceDeps, item: Item, actor: Actor, reason: str, chat_id: int
) -> None:
    """Record the request and put it before the administrators."""
    now = deps.clock.now()
    if item.extension_used or await extension_asked(session, item):
        outbox.send(
            session, now, chat_id=chat_id, text=texts.EXTENSION_USED.format(no=item.tracking_no)
        )
        return
    assert item.answer_due_at is not None
    assert actor.member is not None
    new_due = deps.policy.current().extension(item.answer_due_at, item.topic, item.urgent)
    record(
        session,
        item,
        now,
        kind="extension_requested",
        actor=actor,
        from_status=item.status,
        note=reason,
    )
    text = texts.EXTENSION_REQUEST.format(
        no=item.tracking_no,
        department=cards.department_name(deps.config, item.department),
        name=actor.member.name,
        reason=cards.clip(reason, 500),
        due=cards.local_time(item.answer_due_at, deps.tz),
        new_due=cards.local_time(new_due, deps.tz),
    )
    buttons = [
        [
            (texts.BTN_APPROVE, cb.make(cb.APPROVE, item.id, "yes")),
            (texts.BTN_REFUSE, cb.make(cb.APPROVE, item.id, "no")),
        ]
    ]
    notify_admins(session, deps, now, text, buttons, item_id=item.id)
    outbox.send(
        session,
        now,
        chat_id=chat_id,
        text=texts.EXTENSION_SENT.format(no=item.tracking_no),
        item_id=item.id,
    )


class Extensions:
    """The administrator's decision on an extension request."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def decide(
        self, actor: Actor, *, item_id: int, approve: bool, chat_id: int, message_id: int
    ) -> None:
        """Approve (new answer deadline, once) or refuse a pending request."""
        deps = self._deps
        if not actor.is_admin:
            raise Refused(texts.STALE_BUTTON)
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await lock_item(session, item_id)
            if item.status not in ("routed", "acknowledged") or not await _pending(session, item):
                raise Refused(texts.STALE_BUTTON)
            assert item.answer_due_at is not None
            if approve:
                item.answer_due_at = deps.policy.current().extension(
                    item.answer_due_at, item.topic, item.urgent
                )
                item.extension_used = True
                refresh(item)
                due = cards.local_time(item.answer_due_at, deps.tz)
                record(
                    session,
                    item,
                    now,
                    kind="extended",
                    actor=actor,
                    from_status=item.status,
                    note=due,
                )
                text = texts.EXTENSION_APPROVED.format(no=item.tracking_no, due=due)
            else:
                due = cards.local_time(item.answer_due_at, deps.tz)
                record(
                    session,
                    item,
                    now,
                    kind="extension_refused",
                    actor=actor,
                    from_status=item.status,
                )
                text = texts.EXTENSION_REFUSED.format(no=item.tracking_no, due=due)
            assert item.department is not None
            for member in await handlers_of(session, department=item.department):
                outbox.send(session, now, chat_id=member.telegram_id, text=text, item_id=item.id)
            result = texts.BTN_APPROVE if approve else texts.BTN_REFUSE
            done = texts.EXTENSION_DONE_ADMIN.format(no=item.tracking_no, result=f"：{result}")
            await retire_cards(session, now, item=item, action=cb.APPROVE, text=done, keep_chat=0)
        deps.outbox.kick()


async def _pending(session: AsyncSession, item: Item) -> bool:
    """Return whether the latest extension event is an undecided request."""
    query = (
        select(ItemEvent.kind)
        .where(
            ItemEvent.item_id == item.id,
            ItemEvent.kind.in_(("extension_requested", "extended", "extension_refused")),
        )
        .order_by(ItemEvent.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none() == "extension_requested"
