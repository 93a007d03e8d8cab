"""What users look up: their items, one item's history, the triage queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Item, ItemEvent, Member
from bot.domain.states import Status
from bot.services import cards, outbox
from bot.services.actors import Actor
from bot.services.base import ServiceDeps, deputy_of, item_by_number
from bot.services.errors import Refused

LIST_LIMIT = 20
RECENT = timedelta(days=30)
OPEN = ("routed", "acknowledged")


class Queries:
    """Answers /mine, /status and /triage; every answer goes through the outbox."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def mine(self, actor: Actor, *, chat_id: int) -> None:
        """List the items this user is concerned with, by role."""
        deps = self._deps
        async with deps.sessions.begin() as session:
            if actor.is_admin:
                text = await self._admin_overview(session)
            elif actor.is_deputy and actor.member is not None:
                query = select(Item).where(
                    Item.deputy_id == actor.member.id, Item.status.not_in(("draft", "cancelled"))
                )
                rows = list(
                    (
                        await session.execute(query.order_by(Item.id.desc()).limit(LIST_LIMIT))
                    ).scalars()
                )
                header = texts.MINE_HEADER_DEPUTY.format(count=len(rows))
                text = self._listing(header, rows)
            elif actor.member is not None and actor.member.role in ("handler", "supervisor"):
                query = select(Item).where(
                    Item.department == actor.member.department, Item.status.in_(OPEN)
                )
                # Most urgent first (the answer deadline), as in the daily digest.
                ordered = query.order_by(Item.answer_due_at, Item.id).limit(LIST_LIMIT)
                rows = list((await session.execute(ordered)).scalars())
                name = cards.department_name(deps.config, actor.member.department)
                text = self._listing(
                    texts.MINE_HEADER_HANDLER.format(department=name, count=len(rows)), rows
                )
            else:
                raise Refused(texts.NOT_ALLOWED)
            outbox.send(session, deps.clock.now(), chat_id=chat_id, text=text)
        deps.outbox.kick()

    async def _admin_overview(self, session: AsyncSession) -> str:
        """Count the open items by status and those closed lately, and list the triage queue.

        Both counts read only live work (an index of open items, a range of recent closures),
        so the overview costs the same with a year of history behind it.
        """
        live = (Status.TRIAGE, Status.ROUTED, Status.ACKNOWLEDGED)
        counts = dict(
            (
                await session.execute(
                    select(Item.status, func.count())
                    .where(Item.status.in_(live))
                    .group_by(Item.status)
                )
            ).all()
        )
        since = self._deps.clock.now() - RECENT
        closed = await session.scalar(
            select(func.count()).where(Item.status == Status.CLOSED, Item.closed_at >= since)
        )
        summary = "，".join(
            [f"{texts.STATUS[s]} {counts.get(s, 0)}" for s in live]
            + [texts.CLOSED_RECENTLY.format(days=RECENT.days, count=int(closed or 0))]
        )
        rows = list(
            (
                await session.execute(
                    select(Item).where(Item.status == "triage").order_by(Item.id).limit(LIST_LIMIT)
                )
            ).scalars()
        )
        return self._listing(texts.MINE_HEADER_ADMIN.format(counts=summary, count=len(rows)), rows)

    def _listing(self, header: str, rows: list[Item]) -> str:
        """Render a header and one line per item."""
        if not rows:
            return f"{header}\n{texts.MINE_EMPTY}"
        lines = [
            texts.MINE_LINE.format(
                no=item.tracking_no,
                status=texts.STATUS[item.status],
                topic=cards.topic_name(self._deps.config, item.topic),
                text=cards.clip(item.text, 30),
            )
            for item in rows
        ]
        return "\n".join([header, *lines])

    async def status(self, actor: Actor, *, number: str, chat_id: int) -> None:
        """Show one item's full history to someone allowed to see it."""
        deps = self._deps
        if not number.strip():
            raise Refused(texts.STATUS_USAGE)
        async with deps.sessions.begin() as session:
            item = await item_by_number(session, number)
            if item is None or not _may_see(
                actor, item, await self._departments_seen(session, item)
            ):
                raise Refused(texts.STATUS_NOT_FOUND.format(no=number.strip()[:20]))
            deputy = await deputy_of(session, item)
            events = list(
                (
                    await session.execute(
                        select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id)
                    )
                ).scalars()
            )
            text = await self._history(session, item, deputy, events)
            outbox.send(session, deps.clock.now(), chat_id=chat_id, text=cards.clip(text, 4000))
        deps.outbox.kick()

    async def _departments_seen(self, session: AsyncSession, item: Item) -> set[str]:
        """Return every department the item was ever routed to."""
        query = select(ItemEvent.department).where(ItemEvent.item_id == item.id).distinct()
        return {d for d in (await session.execute(query)).scalars() if d}

    async def _history(
        self, session: AsyncSession, item: Item, deputy: Member | None, events: list[ItemEvent]
    ) -> str:
        """Render an item with its event log."""
        config = self._deps.config
        ids = {e.actor_telegram_id for e in events if e.actor_telegram_id}
        names = dict(
            (
                await session.execute(
                    select(Member.telegram_id, Member.name).where(Member.telegram_id.in_(ids))
                )
            ).all()
        )
        lines = []
        for event in events:
            who = names.get(event.actor_telegram_id or 0) or texts.ROLES.get(
                event.actor_role, "系统"
            )
            change = ""
            if event.from_status and event.to_status and event.from_status != event.to_status:
                change = f"（{texts.STATUS[event.from_status]}→{texts.STATUS[event.to_status]}）"
            note = f"：{cards.clip(event.note, 200)}" if event.note else ""
            lines.append(
                texts.STATUS_EVENT.format(
                    at=event.at.astimezone(self._deps.tz).strftime("%m-%d %H:%M"),
                    who=who + " ",
                    kind=texts.EVENTS.get(event.kind, event.kind),
                    change=change,
                    note=note,
                )
            )
        answer = ""
        if item.answer:
            rating = texts.RATINGS.get(item.rating or "", "未评价")
            answer = texts.STATUS_ANSWER.format(answer=cards.clip(item.answer, 1000), rating=rating)
        return texts.STATUS_CARD.format(
            no=item.tracking_no,
            status=texts.STATUS[item.status],
            deputy=cards.deputy_label(deputy, item),
            topic=cards.topic_name(config, item.topic),
            department=cards.department_name(config, item.department),
            text=cards.clip(item.text, 1000),
            answer=answer,
            events="\n".join(lines),
        )

    async def triage(self, actor: Actor, *, chat_id: int) -> None:
        """Send the administrator a card for every item waiting in triage."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            rows = await triage_items(session)
            if not rows:
                outbox.send(session, now, chat_id=chat_id, text=texts.TRIAGE_EMPTY)
            for item in rows:
                deputy = await deputy_of(session, item)
                text, buttons = cards.triage_card(
                    deps.config, item, deputy, texts.TRIAGE_WHY_ABSTAINED
                )
                outbox.send(
                    session, now, chat_id=chat_id, text=text, buttons=buttons, item_id=item.id
                )
        deps.outbox.kick()


async def triage_items(session: AsyncSession, limit: int = LIST_LIMIT) -> list[Item]:
    """Return the items waiting in triage, oldest first."""
    query = select(Item).where(Item.status == Status.TRIAGE).order_by(Item.id).limit(limit)
    return list((await session.execute(query)).scalars())


def _may_see(actor: Actor, item: Item, departments: set[str]) -> bool:
    """Admins see all; deputies their own; handlers their department's."""
    if item.status == "draft":
        return False
    if actor.is_admin:
        return True
    if actor.is_deputy and actor.member is not None:
        return item.deputy_id == actor.member.id
    if actor.member is not None and actor.member.role in ("handler", "supervisor"):
        return actor.member.department in departments
    return False
