"""The 12345 pilot summary of a period, aggregated in SQL so memory stays flat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Float, Select, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Item, ItemEvent, Member
from bot.db.sessions import Sessions
from bot.domain.states import EventKind, Rating

NOT_RECEIVED = ("draft", "cancelled")
HOT_MIN_COUNT = 3
HOT_TOP = 5
UNKNOWN = ""  # the key for items without a topic, department, district or level


class Overdue(NamedTuple):
    """An open item past its deadline: the answer's, or the acknowledgement's if not taken."""

    tracking_no: str
    department: str | None
    hours: float


class HotSpot(NamedTuple):
    """A topic or district whose count rose against the previous period."""

    key: str
    current: int
    before: int
    growth: float | None  # (current - before) / before; None when before is 0


@dataclass(frozen=True)
class Summary:
    """Everything the pilot summary shows for the items submitted in [start, end)."""

    start: datetime
    end: datetime
    now: datetime
    tz: ZoneInfo
    received: int
    closed: int
    by_topic: Mapping[str, int]
    by_department: Mapping[str, int]
    by_district: Mapping[str, int]
    by_level: Mapping[str, int]
    ack_due: int
    ack_in_time: int
    rated: int
    ratings: Mapping[str, int]
    median_ack_hours: float | None
    median_answer_hours: float | None
    overdue: tuple[Overdue, ...]
    hot_topics: tuple[HotSpot, ...]
    hot_districts: tuple[HotSpot, ...]
    recurrences: Mapping[str, int]
    previous_received: int | None

    @property
    def response_rate(self) -> float | None:
        """Return acknowledged in time / due to be acknowledged, None when nothing was due."""
        return _ratio(self.ack_in_time, self.ack_due)

    @property
    def resolution_rate(self) -> float | None:
        """Return closed / received, None when nothing was received."""
        return _ratio(self.closed, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        """Return (满意 + 基本满意) / rated, None when nothing was rated."""
        return _ratio(self.ratings["satisfied"] + self.ratings["basic"], self.rated)


def _ratio(part: int, whole: int) -> float | None:
    """Divide, or None when the whole is empty."""
    return part / whole if whole else None


def _received(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Select the items submitted in [start, end) that were not drafts or cancelled."""
    return and_(
        Item.submitted_at >= start, Item.submitted_at < end, Item.status.not_in(NOT_RECEIVED)
    )


def _first(kind: str) -> Any:
    """Return the time of the item's first event of a kind (a correlated subquery)."""
    return (
        select(func.min(ItemEvent.at))
        .where(ItemEvent.item_id == Item.id, ItemEvent.kind == kind)
        .scalar_subquery()
    )


def _last_rating() -> Any:
    """Return the item's latest rating (a correlated subquery over its rating events)."""
    return (
        select(ItemEvent.rating)
        .where(ItemEvent.item_id == Item.id, ItemEvent.kind == EventKind.RATED)
        .order_by(ItemEvent.at.desc(), ItemEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _count_if(condition: ColumnElement[bool]) -> Any:
    """Count the rows meeting a condition."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _totals(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> Any:
    """Count received, closed, due and timely acknowledgements, and ratings in one pass."""
    cohort = (
        select(
            Item.status,
            Item.ack_due_at.label("ack_due"),
            _first("acknowledged").label("first_ack"),
            _last_rating().label("rating"),
        )
        .where(_received(start, end))
        .subquery()
    )
    c = cohort.c
    due = and_(c.ack_due.is_not(None), or_(c.ack_due <= now, c.first_ack.is_not(None)))
    query = select(
        func.count().label("received"),
        _count_if(c.status == "closed").label("closed"),
        _count_if(due).label("ack_due"),
        _count_if(and_(due, c.first_ack <= c.ack_due)).label("ack_in_time"),
        _count_if(c.rating.is_not(None)).label("rated"),
        *(_count_if(c.rating == rating).label(rating) for rating in Rating),
    )
    return (await session.execute(query)).one()


async def _grouped(
    session: AsyncSession, start: datetime, end: datetime, *columns: Any, extra: Any = None
) -> list[Any]:
    """Count the received items by the given columns (deputy columns join the member)."""
    counted = [func.count().label("n")] + ([extra.label("extra")] if extra is not None else [])
    query: Select[Any] = select(*columns, *counted).select_from(Item).where(_received(start, end))
    if any(getattr(column, "class_", None) is Member for column in columns):
        query = query.join(Member, Member.id == Item.deputy_id)
    return list((await session.execute(query.group_by(*columns))).all())


def _hours(session: AsyncSession, later: Any, earlier: Any) -> Any:
    """Return the hours between two timestamps in the session's SQL dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return cast(func.date_part("epoch", later - earlier), Float) / 3600.0


async def _median_hours(
    session: AsyncSession, start: datetime, end: datetime, kind: str
) -> float | None:
    """Return the median hours from routing (or submission) to the first event of a kind."""
    cohort = (
        select(
            func.coalesce(Item.routed_at, Item.submitted_at).label("began"),
            _first(kind).label("done"),
        )
        .where(_received(start, end))
        .subquery()
    )
    hours = _hours(session, cohort.c.done, cohort.c.began)
    valid = and_(cohort.c.done.is_not(None), cohort.c.done >= cohort.c.began)
    count = await session.scalar(select(func.count()).select_from(cohort).where(valid)) or 0
    if not count:
        return None
    middle = select(hours).where(valid).order_by(hours).offset((count - 1) // 2)
    values = [float(v) for v in (await session.scalars(middle.limit(2 - count % 2))).all()]
    return round(sum(values) / len(values), 2)


async def _overdue(
    session: AsyncSession, start: datetime, end: datetime, now: datetime
) -> tuple[Overdue, ...]:
    """List the received items still open past their deadline, most overdue first."""
    # Only open items have a due time here, so no status index tempts the planner away from
    # the period's submitted_at range.
    due = case(
        (Item.status == "acknowledged", Item.answer_due_at),
        (Item.status == "routed", func.coalesce(Item.ack_due_at, Item.answer_due_at)),
    )
    query = (
        select(Item.tracking_no, Item.department, Item.ack_due_at, Item.answer_due_at, Item.status)
        .where(_received(start, end), due < now)
        .order_by(due, Item.tracking_no)
    )
    rows = []
    async for row in await session.stream(query):
        deadline = row.answer_due_at if row.status == "acknowledged" else row.ack_due_at
        deadline = deadline or row.answer_due_at
        hours = round((now - deadline).total_seconds() / 3600, 1)
        rows.append(Overdue(row.tracking_no or "", row.department, hours))
    return tuple(rows)


def _hot(current: Mapping[str, int], before: Mapping[str, int]) -> tuple[HotSpot, ...]:
    """Rank the keys that rose against the previous period, biggest rise first."""
    risen: list[HotSpot] = []
    for key, count in current.items():
        was = before.get(key, 0)
        if key != UNKNOWN and count >= HOT_MIN_COUNT and count > was:
            risen.append(HotSpot(key, count, was, _ratio(count - was, was)))
    risen.sort(key=lambda h: (-(h.current - h.before), -h.current, h.key))
    return tuple(risen[:HOT_TOP])


def _tally(rows: list[Any], index: int) -> dict[str, int]:
    """Sum grouped counts by one of the grouping columns, biggest first."""
    counts: dict[str, int] = {}
    for row in rows:
        key = row[index] or UNKNOWN
        counts[key] = counts.get(key, 0) + int(row.n)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


async def compute_summary(
    sessions: Sessions,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: ZoneInfo,
    previous: bool = True,
) -> Summary:
    """Compute the summary of the items submitted in [start, end) as of `now`."""
    if start.tzinfo is None or end.tzinfo is None or now.tzinfo is None:
        raise ValueError("start, end and now must be timezone-aware")
    if not start < end:
        raise ValueError("the period must end after it starts")
    async with sessions() as session:
        totals = await _totals(session, start, end, now)
        routing = await _grouped(
            session,
            start,
            end,
            Item.topic,
            Item.department,
            extra=_count_if(Item.recurrence_of.is_not(None)),
        )
        deputies = await _grouped(session, start, end, Member.district, Member.level)
        before_start = start - (end - start)
        topics_before: dict[str, int] = {}
        places_before: dict[str, int] = {}
        if previous:
            topics_before = _tally(await _grouped(session, before_start, start, Item.topic), 0)
            places_before = _tally(await _grouped(session, before_start, start, Member.district), 0)
        median_ack = await _median_hours(session, start, end, "acknowledged")
        median_answer = await _median_hours(session, start, end, "answered")
        overdue = await _overdue(session, start, end, now)
    by_topic, by_district = _tally(routing, 0), _tally(deputies, 0)
    recurrences: dict[str, int] = {}
    for row in routing:
        if row.extra:
            key = row.department or UNKNOWN
            recurrences[key] = recurrences.get(key, 0) + int(row.extra)
    return Summary(
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        now=now.astimezone(UTC),
        tz=tz,
        received=int(totals.received),
        closed=int(totals.closed),
        by_topic=by_topic,
        by_department=_tally(routing, 1),
        by_district=by_district,
        by_level=_tally(deputies, 1),
        ack_due=int(totals.ack_due),
        ack_in_time=int(totals.ack_in_time),
        rated=int(totals.rated),
        ratings={rating: int(getattr(totals, rating)) for rating in Rating},
        median_ack_hours=median_ack,
        median_answer_hours=median_answer,
        overdue=overdue,
        hot_topics=_hot(by_topic, topics_before) if previous else (),
        hot_districts=_hot(by_district, places_before) if previous else (),
        recurrences=dict(sorted(recurrences.items(), key=lambda kv: (-kv[1], kv[0]))),
        previous_received=sum(topics_before.values()) if previous else None,
    )
