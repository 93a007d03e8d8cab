"""Deputies' records (履职档案): what each deputy raised in a period and what came of it."""

from __future__ import annotations

import statistics
from array import array
from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Item, Member
from bot.desk.ledger import BATCH, LedgerFilter, Scope
from bot.domain.states import Rating, Status

LISTED = 200  # item numbers a record lists (a spreadsheet cell holds 32,767 characters)


@dataclass
class DeputyRecord:
    """One deputy's items of a period, counted (ratings from the column, never from texts)."""

    deputy_id: int
    name: str
    level: str | None
    district: str | None
    submitted: int = 0
    closed: int = 0
    answered_in_time: int = 0
    recurrences: int = 0
    ratings: Counter[Rating] = field(default_factory=Counter)
    by_topic: Counter[str] = field(default_factory=Counter)
    by_department: Counter[str] = field(default_factory=Counter)
    ack_hours: array[float] = field(default_factory=lambda: array("d"))
    answer_hours: array[float] = field(default_factory=lambda: array("d"))
    numbers: list[str] = field(default_factory=list)  # the first LISTED items' numbers

    @property
    def median_ack_hours(self) -> float | None:
        """Return the median hours from submission to acknowledgement, to one decimal."""
        return _median(self.ack_hours)

    @property
    def median_answer_hours(self) -> float | None:
        """Return the median hours from submission to the answer, to one decimal."""
        return _median(self.answer_hours)

    def add(self, item: _ItemFacts) -> None:
        """Count one item."""
        self.submitted += 1
        if len(self.numbers) < LISTED:
            self.numbers.append(item.number)
        self.by_topic[item.topic or ""] += 1
        self.by_department[item.department or ""] += 1
        if item.recurrence:
            self.recurrences += 1
        if item.rating is not None:
            self.ratings[item.rating] += 1
        if item.acknowledged_at is not None and item.submitted_at is not None:
            self.ack_hours.append(_hours(item.acknowledged_at, item.submitted_at))
        if item.status is Status.CLOSED and item.closed_at is not None:
            self.closed += 1
            if item.submitted_at is not None:
                self.answer_hours.append(_hours(item.closed_at, item.submitted_at))
            if item.answer_due_at is None or item.closed_at <= item.answer_due_at:
                self.answered_in_time += 1


@dataclass(frozen=True)
class _ItemFacts:
    """The columns of an item a record counts."""

    number: str
    topic: str | None
    department: str | None
    status: Status
    rating: Rating | None
    recurrence: bool
    submitted_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None
    answer_due_at: datetime | None


def _median(hours: array[float]) -> float | None:
    """Return the median to one decimal (as the summary shows it), None of nothing."""
    return round(statistics.median(hours), 1) if hours else None


def _hours(later: datetime, earlier: datetime) -> float:
    """Return the hours between two times."""
    return (later - earlier).total_seconds() / 3600


async def deputy_records(
    session: AsyncSession, flt: LedgerFilter, scope: Scope, now: datetime
) -> AsyncGenerator[DeputyRecord]:
    """Yield one record per deputy with items in the filter, one deputy in memory at a time."""
    query = (
        select(
            Member.id,
            Member.name,
            Member.level,
            Member.district,
            Item.tracking_no,
            Item.topic,
            Item.department,
            Item.status,
            Item.rating,
            Item.recurrence_of.is_not(None),
            Item.submitted_at,
            Item.acknowledged_at,
            Item.closed_at,
            Item.answer_due_at,
        )
        .join(Member, Member.id == Item.deputy_id)
        .where(scope.condition(), *flt.conditions(now))
        .order_by(Item.deputy_id, Item.submitted_at, Item.id)
        .execution_options(yield_per=BATCH)
    )
    current: DeputyRecord | None = None
    result = await session.stream(query)
    async for row in result:
        deputy_id, name, level, district, *facts = row
        if current is None or current.deputy_id != deputy_id:
            if current is not None:
                yield current
            current = DeputyRecord(deputy_id, name, level, district)
        number, topic, department, status, rating, recurrence, *times = facts
        current.add(
            _ItemFacts(
                number or "",
                topic,
                department,
                Status(status),
                Rating(rating) if rating else None,
                bool(recurrence),
                *times,
            )
        )
    if current is not None:
        yield current


async def deputy_record(
    session: AsyncSession, deputy_id: int, flt: LedgerFilter, now: datetime
) -> DeputyRecord | None:
    """Return one deputy's record for the filter's period, None when they raised nothing."""
    async for record in deputy_records(session, flt, Scope(deputy_id=deputy_id), now):
        return record
    return None
