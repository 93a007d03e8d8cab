"""Every row of the domain table, tried by everyone against the real services and database.

For each action and each kind of person, an item is put in the row's state (with the facts its
guards need) and the action is carried out: allowed exactly for the row's `who`, it moves the
item to the row's status, records the row's events and queues a message to each audience;
refused, it changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.context import Services
from bot.db.models import Item, ItemEvent, Member, OutboxMessage, Reminder
from bot.domain.rules import TABLE, Action, Audience, Guard, Rule, Who
from bot.domain.states import EventKind, Status
from bot.services.acting import Act
from bot.services.actors import Actor
from bot.services.errors import Refused
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from bot.wiring import build_services

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
ADMIN, DEPUTY, OTHER, LI, WANG, HEAD = 900, 101, 102, 201, 202, 209
INPUTS = {
    Action.PICK_TOPIC: "environment",
    Action.REROUTE: "ecology",
    Action.REQUEST_TRANSFER: "ecology",
    Action.RATE: "satisfied",
}


@dataclass(frozen=True)
class Person:
    """Someone to try an action as, and the capacity the table knows them by."""

    telegram_id: int | None
    capacity: Who | None


PEOPLE = {
    "owner": Person(DEPUTY, Who.OWNER),
    "other deputy": Person(OTHER, None),
    "department handler": Person(LI, Who.DEPARTMENT),
    "other handler": Person(WANG, None),
    "supervisor": Person(HEAD, None),
    "admin": Person(ADMIN, Who.ADMIN),
    "system": Person(None, Who.SYSTEM),
}


@pytest.fixture
async def services(database_url: str, routing: RoutingHolder) -> AsyncIterator[Services]:
    """Build the services on a fresh database with the people enrolled."""
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=database_url,  # type: ignore[call-arg]
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        _env_file=None,
    )
    built = await build_services(settings, ManualClock(NOW), routing)
    async with built.deps.sessions.begin() as session:
        for telegram_id, role, department in (
            (DEPUTY, "deputy", None), (OTHER, "deputy", None), (LI, "handler", "housing"),
            (WANG, "handler", "ecology"), (HEAD, "supervisor", "housing"),
        ):  # fmt: skip
            session.add(
                Member(
                    telegram_id=telegram_id, role=role, name=f"成员{telegram_id}", level="县",
                    district="K8县", department=department, joined_at=NOW,
                    invite_code=f"seed{telegram_id}",
                )
            )  # fmt: skip
    yield built
    await built.engine.dispose()


async def actor_of(services: Services, person: Person) -> Actor | None:
    """Resolve a person the way the handlers do."""
    if person.telegram_id is None:
        return None
    return await services.actors.resolve(person.telegram_id)


async def prepare(services: Services, rule: Rule, serial: int) -> int:
    """Store an item in the rule's state with every fact its guards need."""
    status = sorted(rule.states)[0]
    unroutable = Guard.UNROUTABLE in rule.guards or status is Status.TRIAGE
    async with services.deps.sessions.begin() as session:
        deputy = await _member(session, DEPUTY)
        li = await _member(session, LI)
        item = Item(
            tracking_no=None if status is Status.DRAFT else f"T{serial:04d}",
            status=status, deputy_id=deputy.id, source_chat_id=DEPUTY, source_message_id=serial,
            text=f"路灯坏了 第{serial}处", topic=None if unroutable else "urban_rural",
            department=None if unroutable else "housing", abstained=unroutable,
            created_at=NOW, submitted_at=NOW, routed_at=NOW,
            ack_due_at=NOW + timedelta(hours=24), answer_due_at=NOW + timedelta(days=7),
            acknowledged_by=li.id if status is Status.ACKNOWLEDGED else None,
            acknowledged_at=NOW if status is Status.ACKNOWLEDGED else None,
            closed_at=NOW if status is Status.CLOSED else None,
        )  # fmt: skip
        session.add(item)
        await session.flush()
        if Guard.EXTENSION_PENDING in rule.guards:
            session.add(_event(item, EventKind.EXTENSION_REQUESTED, LI))
        if Guard.TRANSFER_PENDING in rule.guards:
            session.add(_event(item, EventKind.TRANSFER_REQUESTED, LI, target="ecology"))
        if Guard.LOOKBACK_OPEN in rule.guards:
            session.add(Reminder(item_id=item.id, kind="lookback", round=0, at=NOW))
        return item.id


async def _member(session: AsyncSession, telegram_id: int) -> Member:
    """Load a member by Telegram id."""
    query = select(Member).where(Member.telegram_id == telegram_id)
    return (await session.execute(query)).scalar_one()


def _event(item: Item, kind: EventKind, actor: int, target: str | None = None) -> ItemEvent:
    """Build an event of a handler's."""
    return ItemEvent(
        item_id=item.id, at=NOW, kind=kind, actor_telegram_id=actor, actor_role="handler",
        from_status=item.status, to_status=item.status, department=item.department, target=target,
    )  # fmt: skip


async def _state(services: Services, item_id: int) -> tuple[Status, list[str], dict[int, int]]:
    """Return an item's status, its event kinds, and how many messages each chat has queued."""
    async with services.deps.sessions() as session:
        item = await session.get(Item, item_id)
        assert item is not None
        kinds = select(ItemEvent.kind).where(ItemEvent.item_id == item_id).order_by(ItemEvent.id)
        events = (await session.execute(kinds)).scalars()
        counts = select(OutboxMessage.chat_id, func.count()).group_by(OutboxMessage.chat_id)
        queued = dict((await session.execute(counts)).all())
        return item.status, [str(e) for e in events], queued


AUDIENCE_CHATS = {
    Audience.DEPUTY: {DEPUTY},
    Audience.ADMINS: {ADMIN},
    Audience.REQUESTER: {LI},
}


async def test_every_row_for_everyone(services: Services) -> None:
    failures: list[str] = []
    for serial, (rule, name) in enumerate(itertools.product(TABLE, PEOPLE), start=1):
        person = PEOPLE[name]
        item_id = await prepare(services, rule, serial)
        before = await _state(services, item_id)
        actor = await actor_of(services, person)
        chat = person.telegram_id
        act = Act(
            rule.action, item_id, actor, chat_id=chat, message_id=1 if chat else None,
            text="理由说明", argument=INPUTS.get(rule.action, ""),
        )  # fmt: skip
        allowed = person.capacity in rule.who
        case = f"{rule.action} by {name} ({sorted(rule.states)[0]})"
        try:
            await services.acting(act)
        except Refused:
            if allowed:
                failures.append(f"{case}: refused")
            elif await _state(services, item_id) != before:
                failures.append(f"{case}: refused but changed something")
            continue
        if not allowed:
            failures.append(f"{case}: allowed")
            continue
        status, events, queued = await _state(services, item_id)
        if rule.to is not None and status is not rule.to:
            failures.append(f"{case}: {status} instead of {rule.to}")
        if events[len(before[1]) :] != [str(kind) for kind in rule.events]:
            failures.append(f"{case}: events {events[len(before[1]) :]}")
        for notice in rule.notices:
            expected = AUDIENCE_CHATS.get(notice.to, set())
            if notice.to is Audience.HANDLERS:
                expected = (
                    {WANG} if rule.action is Action.REROUTE or "transfer" in rule.action else {LI}
                )
            if notice.to in (Audience.ACTOR, Audience.PRESSED) and chat is not None:
                expected = {chat}
            grew = {c for c in expected if queued.get(c, 0) > before[2].get(c, 0)}
            if grew != expected:
                failures.append(f"{case}: {notice.message} did not reach {expected - grew}")
    assert failures == []
