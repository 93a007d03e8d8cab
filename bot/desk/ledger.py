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

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true, union_all
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


SORTS: dict[str, tuple[Any, ...]] = {
    "received": (Item.submitted_at, Item.id),
    "number": (Item.tracking_no,),
    "deadline": (Item.answer_due_at, Item.id),
    "status": (Item.status, Item.id),
}


@dataclass(frozen=True)
class LedgerFilter:
    """Which items, in which order, which page: received in [start, end), and so on."""

    start: datetime | None = None
    end: datetime | None = None
    department: str | None = None
    status: Status | None = None
    topic: str | None = None
    district: str | None = None
    level: str | None = None
    overdue_only: bool = False
    open_overdue_any_age: bool = False  # with overdue_only: the period bounds late answers only
    search: str | None = None  # a piece of the text (`%` and `_` match themselves)
    sort: str = "received"  # one of SORTS
    descending: bool = False
    page: int = 1
    per_page: int = 50

    def conditions(self, now: datetime) -> list[ColumnElement[bool]]:
        """Return the SQL conditions of the filter (submitted items only; Member joined)."""
        found: list[ColumnElement[bool]] = [Item.status.in_(sorted(SUBMITTED))]
        received = self.received()
        if not self.overdue_only:
            found.extend(received)
        elif self.open_overdue_any_age:  # two index searches (an OR lets SQLite walk history)
            still_open = select(Item.id).where(still_open_overdue(now))
            late = select(Item.id).where(answered_late(), *received)
            found.append(Item.id.in_(union_all(still_open, late)))
        else:
            found.extend([overdue(now), *received])
        for column, value in (
            (Item.department, self.department),
            (Item.status, self.status),
            (Item.topic, self.topic),
            (Member.district, self.district),
            (Member.level, self.level),
        ):
            if value is not None:
                found.append(column == value)
        if self.search:
            found.append(Item.text.contains(self.search, autoescape=True))
        return found

    def received(self) -> list[ColumnElement[bool]]:
        """Return the conditions of an item received in [start, end)."""
        found: list[ColumnElement[bool]] = []
        if self.start is not None:
            found.append(Item.submitted_at >= self.start)
        if self.end is not None:
            found.append(Item.submitted_at < self.end)
        return found

    def order(self) -> list[Any]:
        """Return the ORDER BY columns of the chosen sort."""
        columns = SORTS.get(self.sort, SORTS["received"])
        return [c.desc() for c in columns] if self.descending else list(columns)


def overdue(now: datetime) -> ColumnElement[bool]:
    """Return the condition of an item answered late, or open past its answer deadline."""
    return or_(answered_late(), still_open_overdue(now))


def answered_late() -> ColumnElement[bool]:
    """Return the condition of an item closed after its answer deadline."""
    return and_(Item.status == Status.CLOSED, Item.closed_at > Item.answer_due_at)


def still_open_overdue(now: datetime) -> ColumnElement[bool]:
    """Return the condition of an item still open past its answer deadline."""
    return and_(Item.status.in_(sorted(OPEN)), Item.answer_due_at < now)


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
    ack_late_hours: float | None  # waiting past the acknowledgement deadline, as the summary lists
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
    Item.ack_due_at,
    Item.answer,
    Item.rating,
    Item.reopen_count,
)


def _row(columns: Sequence[Any], now: datetime) -> LedgerRow:
    """Build a ledger row from the query's columns."""
    (item_id, number, received, deputy, level, district, topic, department, urgent, status,
     acknowledged, closed, due, ack_due, answer, rating, reopened, earlier,
     text) = columns  # fmt: skip
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
        ack_late_hours=ack_late_hours(status, ack_due or due, now),
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


def ack_late_hours(status: Status, ack_due: datetime | None, now: datetime) -> float | None:
    """Return the hours a routed item has waited past its acknowledgement deadline, or None."""
    if status is not Status.ROUTED or ack_due is None or ack_due >= now:
        return None
    return round((now - ack_due).total_seconds() / 3600, 1)


def ledger_query(flt: LedgerFilter, scope: Scope, now: datetime) -> Select[*tuple[Any, ...]]:
    """Return the ledger's query, in the order items were received."""
    earlier = aliased(Item)
    return (
        select(*COLUMNS, earlier.tracking_no, Item.text)
        .outerjoin(Member, Member.id == Item.deputy_id)
        .outerjoin(earlier, earlier.id == Item.recurrence_of)
        .where(scope.condition(), *flt.conditions(now))
        .order_by(*flt.order())
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
    session: AsyncSession,
    flt: LedgerFilter,
    scope: Scope,
    now: datetime,
    *,
    item_id: int | None = None,
) -> AsyncIterator[EventRow]:
    """Yield every event of the ledger's items (or of one item), item by item, in order."""
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
        .outerjoin(Member, Member.id == Item.deputy_id)
        .where(scope.condition(), *flt.conditions(now))
        .order_by(Item.submitted_at, Item.id, ItemEvent.id)
        .execution_options(yield_per=BATCH)
    )
    if item_id is not None:
        query = query.where(Item.id == item_id)
    result = await session.stream(query)
    async for row in result:
        yield EventRow(row[0] or "", *row[1:])


@dataclass(frozen=True)
class LedgerPage:
    """One page of the ledger and how many items the filter holds in all."""

    rows: list[LedgerRow]
    total: int
    page: int
    pages: int


async def ledger_page(
    session: AsyncSession, flt: LedgerFilter, scope: Scope, now: datetime
) -> LedgerPage:
    """Return the filter's page of rows (paged on the server) and the count of all."""
    counted = (
        select(func.count())
        .select_from(Item)
        .outerjoin(Member, Member.id == Item.deputy_id)
        .where(scope.condition(), *flt.conditions(now))
    )
    total = int(await session.scalar(counted) or 0)
    size = max(1, min(flt.per_page, 500))
    pages = max(1, math.ceil(total / size))
    page = max(1, min(flt.page, pages))
    query = ledger_query(flt, scope, now).limit(size).offset((page - 1) * size)
    rows = [_row(r, now) for r in (await session.execute(query)).all()]
    return LedgerPage(rows, total, page, pages)


@dataclass(frozen=True)
class ItemView:
    """One item for its page: its ledger row, its whole history, its photo."""

    row: LedgerRow
    events: list[EventRow]
    photo_file_id: str | None


async def item_for(
    session: AsyncSession, number: str, scope: Scope, now: datetime
) -> ItemView | None:
    """Return the item with this number, or None when there is none the scope covers."""
    only = LedgerFilter(sort="received")
    query = ledger_query(only, scope, now).where(Item.tracking_no == number)
    found = (await session.execute(query)).first()
    if found is None:
        return None
    row = _row(found, now)
    events = [event async for event in event_stream(session, only, scope, now, item_id=row.item_id)]
    photo = await session.scalar(select(Item.photo_file_id).where(Item.id == row.item_id))
    return ItemView(row, events, photo)


async def photo_of(session: AsyncSession, number: str, scope: Scope) -> tuple[bool, str | None]:
    """Return whether the scope holds a submitted item with this number, and its photo's id."""
    query = (
        select(Item.photo_file_id)
        .outerjoin(Member, Member.id == Item.deputy_id)
        .where(scope.condition(), Item.status.in_(sorted(SUBMITTED)), Item.tracking_no == number)
    )
    found = (await session.execute(query)).first()
    return (True, found[0]) if found is not None else (False, None)
