"""The 09:00 daily digest for handlers: their department's open items, most urgent first."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from bot import callbacks as cb
from bot import texts
from bot.db.models import Digest, Item, Member
from bot.services import cards, outbox
from bot.services.actors import active
from bot.services.base import ServiceDeps

DIGEST_TIME = time(9, 0)
DIGEST_ITEMS = 10
OPEN = ("routed", "acknowledged")


class Digests:
    """Sends each handler one digest a day, and only when something is pending."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def daily_due(self, now: datetime) -> int:
        """Send today's digests between 09:00 and quiet hours, if they have not gone out."""
        local = now.astimezone(self._deps.tz)
        if local.time() < DIGEST_TIME or self._deps.policy.current().quiet.contains(now):
            return 0
        async with self._deps.sessions() as session:
            query = select(Member).where(Member.role == "handler", active()).order_by(Member.id)
            handlers = list((await session.execute(query)).scalars())
        sent = 0
        for member in handlers:
            sent += await self._one(member, local.date(), now)
        if sent:
            self._deps.outbox.kick()
        return sent

    async def _one(self, member: Member, day: date, now: datetime) -> int:
        """Send one handler's digest for the day, once; 0 when nothing is pending or sent."""
        deps = self._deps
        due = case((Item.status == "routed", Item.ack_due_at), else_=Item.answer_due_at)
        query = (
            select(Item)
            .where(Item.department == member.department, Item.status.in_(OPEN))
            .order_by(due, Item.id)
            .limit(DIGEST_ITEMS)
        )
        try:
            async with deps.sessions.begin() as session:
                items = list((await session.execute(query)).scalars())
                if not items:
                    return 0
                period = day.isoformat()
                seen = await session.scalar(
                    select(Digest.id).where(
                        Digest.kind == "daily",
                        Digest.chat_id == member.telegram_id,
                        Digest.period == period,
                    )
                )
                if seen is not None:
                    return 0
                session.add(Digest(kind="daily", chat_id=member.telegram_id, period=period, at=now))
                await session.flush()
                count = await session.scalar(
                    select(func.count())
                    .select_from(Item)
                    .where(Item.department == member.department, Item.status.in_(OPEN))
                )
                department = cards.department_name(deps.config, member.department)
                text = texts.DIGEST_HEADER.format(department=department, count=count)
                buttons = [[(self._label(item, now), cb.make(cb.OPEN, item.id))] for item in items]
                outbox.send(session, now, chat_id=member.telegram_id, text=text, buttons=buttons)
        except IntegrityError:
            return 0
        return 1

    def _label(self, item: Item, now: datetime) -> str:
        """Describe one pending item on its button: number, status, time left or overdue."""
        due = item.ack_due_at if item.status == "routed" else item.answer_due_at
        if due is None:
            remaining = ""
        elif due < now:
            remaining = texts.OVERDUE_BY.format(hours=int((now - due).total_seconds() // 3600))
        else:
            remaining = texts.DUE_IN.format(hours=int((due - now).total_seconds() // 3600))
        label = texts.DIGEST_LINE.format(
            no=item.tracking_no, status=texts.STATUS[item.status], due=remaining
        )
        return cards.urgency(item) + label
