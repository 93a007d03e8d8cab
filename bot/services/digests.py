"""The 09:00 daily digest for handlers: their department's open items, most urgent first."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.callbacks import Buttons
from bot.db.models import Digest, Item, Member
from bot.db.sessions import dialect_name
from bot.services import cards, outbox
from bot.services.actors import active
from bot.services.base import ServiceDeps

DIGEST_TIME = time(9, 0)
DIGEST_ITEMS = 10
OPEN = ("routed", "acknowledged")
# Handlers per transaction: the first digests can leave while the others are queued.
BATCH = 200


@dataclass(frozen=True)
class Page:
    """A department's digest, the same for each of its handlers."""

    text: str
    buttons: Buttons


class Digests:
    """Sends each handler one digest a day, and only when something is pending."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def daily_due(self, now: datetime) -> int:
        """Send today's digests between 09:00 and quiet hours, if they have not gone out."""
        local = now.astimezone(self._deps.tz)
        if local.time() < DIGEST_TIME or self._deps.policy.quiet.contains(now):
            return 0
        period = local.date().isoformat()
        async with self._deps.sessions() as session:
            handlers = await self._unsent(session, period)
            pages = await self._pages(session, {department for _, department in handlers}, now)
        due = [(chat, pages[department]) for chat, department in handlers if department in pages]
        sent = 0
        for start in range(0, len(due), BATCH):
            sent += await self._send(due[start : start + BATCH], period, now)
        return sent

    async def _unsent(self, session: AsyncSession, period: str) -> list[tuple[int, str | None]]:
        """Return (chat, department) of each active handler without today's digest yet."""
        query = (
            select(Member.telegram_id, Member.department)
            .where(Member.role == "handler", active())
            .order_by(Member.id)
        )
        seen = set(
            (
                await session.scalars(
                    select(Digest.chat_id).where(Digest.kind == "daily", Digest.period == period)
                )
            ).all()
        )
        handlers: list[tuple[int, str | None]] = []
        for chat, department in await session.execute(query):
            if chat not in seen:
                seen.add(chat)  # one digest a chat, as the unique key (kind, chat, period) says
                handlers.append((chat, department))
        return handlers

    async def _pages(
        self, session: AsyncSession, departments: Collection[str | None], now: datetime
    ) -> dict[str | None, Page]:
        """Render the digest of each department that has open items (none: no digest)."""
        if not departments:
            return {}
        counting = (
            select(Item.department, func.count())
            .where(Item.status.in_(OPEN))
            .group_by(Item.department)
        )
        counts = {department: count for department, count in await session.execute(counting)}
        due = case((Item.status == "routed", Item.ack_due_at), else_=Item.answer_due_at)
        pages: dict[str | None, Page] = {}
        for department in departments:
            if not counts.get(department):
                continue
            query = (
                select(Item)
                .where(Item.department == department, Item.status.in_(OPEN))
                .order_by(due, Item.id)
                .limit(DIGEST_ITEMS)
            )
            items = list((await session.execute(query)).scalars())
            if not items:
                continue
            name = cards.department_name(self._deps.config, department)
            text = texts.DIGEST_HEADER.format(department=name, count=counts[department])
            buttons = [[(self._label(item, now), cb.make(cb.OPEN, item.id))] for item in items]
            pages[department] = Page(text, buttons)
        return pages

    async def _send(self, due: Sequence[tuple[int, Page]], period: str, now: datetime) -> int:
        """Record and queue one batch of digests; a chat another instance served is skipped."""
        async with self._deps.sessions.begin() as session:
            claimed = await _claim(session, [chat for chat, _ in due], period, now)
            for chat, page in due:
                if chat in claimed:
                    outbox.send(
                        session, now, chat_id=chat, text=page.text, buttons=page.buttons, bulk=True
                    )
        if claimed:
            self._deps.outbox.kick()
        return len(claimed)

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


async def _claim(
    session: AsyncSession, chats: Sequence[int], period: str, now: datetime
) -> set[int]:
    """Insert today's digest rows; return the chats whose row this call inserted.

    ON CONFLICT DO NOTHING leaves out a chat whose digest another instance recorded first
    (on PostgreSQL it waits for that instance's transaction), so each digest goes out once.
    """
    rows = [{"kind": "daily", "chat_id": chat, "period": period, "at": now} for chat in chats]
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = (
        dialect.insert(Digest)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["kind", "chat_id", "period"])
        .returning(Digest.chat_id)
    )
    return set((await session.scalars(statement)).all())
