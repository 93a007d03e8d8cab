"""The ledger (台账): every item with its deputy, route, deadlines and outcome, as rows.

Read by the Excel export (and, later, the web desk) through one filter and one scope, so a
handler's workbook holds only their department and a deputy's only their own items.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import Item, ItemEvent, Member
from bot.domain.states import OPEN, SUBMITTED, Rating, Role, Status, Urgency
from bot.services.actors import Actor

BATCH = 1000  # rows fetched at a time when streaming


@dataclass(frozen=True)
class Scope:
    """What an actor may see: everything, some departments, or one deputy's own items."""

    departments: frozenset[str] | None = None  # None: every department
    deputy_id: int | None = None
    nothing: bool = False

    def condition(self) -> ColumnElement[bool]:
        """Return the SQL condition of the items in scope."""
        if self.nothing:
            return false()
        if self.deputy_id is not None:
            return Item.deputy_id == self.deputy_id
        if self.departments is not None:
            return Item.department.in_(sorted(self.departments))
        return true()


EVERYTHING = Scope()


def scope_of(actor: Actor) -> Scope:
    """Return the items an actor may see in the ledger (as in the bot: roles on the server)."""
    role = actor.role
    if role is Role.ADMIN:
        return EVERYTHING
    member = actor.member
    if member is None:
        return Scope(nothing=True)
    if role in (Role.HANDLER, Role.SUPERVISOR) and member.department:
        return Scope(departments=frozenset({member.department}))
    if role is Role.DEPUTY:
        return Scope(deputy_id=member.id)
    return Scope(nothing=True)


@dataclass(frozen=True)
class LedgerFilter:
    """Which items: received in [start, end), and optionally one department or status."""

    start: datetime | None = None
    end: datetime | None = None
    department: str | None = None
    status: Status | None = None
    topic: str | None = None
    overdue_only: bool = False

    def conditions(self, now: datetime) -> list[ColumnElement[bool]]:
        """Return the SQL conditions of the filter (submitted items only)."""
        found: list[ColumnElement[bool]] = [Item.status.in_(sorted(SUBMITTED))]
        if self.start is not None:
            found.append(Item.submitted_at >= self.start)
        if self.end is not None:
            found.append(Item.submitted_at < self.end)
        if self.department is not None:
            found.append(Item.department == self.department)
        if self.status is not None:
            found.append(Item.status == self.status)
        if self.topic is not None:
            found.append(Item.topic == self.topic)
        if self.overdue_only:
            found.append(overdue(now))
        return found


def overdue(now: datetime) -> ColumnElement[bool]:
    """Return the condition of an item answered late, or open past its answer deadline."""
    late_answer = and_(Item.status == Status.CLOSED, Item.closed_at > Item.answer_due_at)
    still_open = and_(Item.status.in_(sorted(OPEN)), Item.answer_due_at < now)
    return or_(late_answer, still_open)


@dataclass(frozen=True)
class LedgerRow:
    """One line of the ledger."""

    item_id: int
    number: str
    received: datetime | None
    deputy: str | None
    level: str | None
    district: str | None
    topic: str | None
    department: str | None
    urgency: Urgency
    status: Status
    acknowledged_at: datetime | None
    answered_at: datetime | None
    deadline: datetime | None
    overdue_days: int
    answer: str | None
    rating: Rating | None
    reopened: int
    recurrence_of: str | None
    text: str


COLUMNS = (
    Item.id,
    Item.tracking_no,
    Item.submitted_at,
    Member.name,
    Member.level,
    Member.district,
    Item.topic,
    Item.department,
    Item.urgent,
    Item.status,
    Item.acknowledged_at,
    Item.closed_at,
    Item.answer_due_at,
    Item.answer,
    Item.rating,
    Item.reopen_count,
)


def _row(columns: Sequence[Any], now: datetime) -> LedgerRow:
    """Build a ledger row from the query's columns."""
    (item_id, number, received, deputy, level, district, topic, department, urgent, status,
     acknowledged, closed, due, answer, rating, reopened, earlier, text) = columns  # fmt: skip
    status = Status(status)
    return LedgerRow(
        item_id=item_id,
        number=number or "",
        received=received,
        deputy=deputy,
        level=level,
        district=district,
        topic=topic,
        department=department,
        urgency=Urgency.of(urgent),
        status=status,
        acknowledged_at=acknowledged,
        answered_at=closed if status is Status.CLOSED else None,
        deadline=due,
        overdue_days=overdue_days(status, due, closed, now),
        answer=answer,
        rating=Rating(rating) if rating else None,
        reopened=reopened,
        recurrence_of=earlier,
        text=text,
    )


def overdue_days(
    status: Status, due: datetime | None, closed: datetime | None, now: datetime
) -> int:
    """Return the days (begun) past the answer deadline: at the answer, or now while open."""
    if due is None or not (status is Status.CLOSED or status in OPEN):
        return 0
    if status is Status.CLOSED and closed is None:
        return 0
    end = closed if status is Status.CLOSED and closed is not None else now
    late = (end - due).total_seconds()
    return math.ceil(late / 86400) if late > 0 else 0


def ledger_query(flt: LedgerFilter, scope: Scope, now: datetime) -> Select[*tuple[Any, ...]]:
    """Return the ledger's query, in the order items were received."""
    earlier = aliased(Item)
    return (
        select(*COLUMNS, earlier.tracking_no, Item.text)
        .outerjoin(Member, Member.id == Item.deputy_id)
        .outerjoin(earlier, earlier.id == Item.recurrence_of)
        .where(scope.condition(), *flt.conditions(now))
        .order_by(Item.submitted_at, Item.id)
    )


async def ledger_stream(
    session: AsyncSession, flt: LedgerFilter, scope: Scope, now: datetime
) -> AsyncIterator[LedgerRow]:
    """Yield the ledger's rows in bounded memory (fetched in batches)."""
    query = ledger_query(flt, scope, now).execution_options(yield_per=BATCH)
    result = await session.stream(query)
    async for row in result:
        yield _row(row, now)


@dataclass(frozen=True)
class EventRow:
    """One change in an item's history."""

    number: str
    at: datetime
    kind: str
    actor_role: str
    from_status: str | None
    to_status: str | None
    department: str | None
    note: str | None
    rating: Rating | None


async def event_stream(
    session: AsyncSession, flt: LedgerFilter, scope: Scope, now: datetime
) -> AsyncIterator[EventRow]:
    """Yield every event of the ledger's items, item by item, in order."""
    query = (
        select(
            Item.tracking_no,
            ItemEvent.at,
            ItemEvent.kind,
            ItemEvent.actor_role,
            ItemEvent.from_status,
            ItemEvent.to_status,
            ItemEvent.department,
            ItemEvent.note,
            ItemEvent.rating,
        )
        .join(Item, Item.id == ItemEvent.item_id)
        .where(scope.condition(), *flt.conditions(now))
        .order_by(Item.submitted_at, Item.id, ItemEvent.id)
        .execution_options(yield_per=BATCH)
    )
    result = await session.stream(query)
    async for row in result:
        yield EventRow(row[0] or "", *row[1:])
