"""What the permission check needs to know about an item, read from its row and events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Item, ItemEvent, Reminder
from bot.domain.permissions import ItemFacts
from bot.domain.rules import Action, Guard, rules_for
from bot.domain.states import EventKind

EVENT_GUARDS = frozenset(
    {
        Guard.EXTENSION_AVAILABLE,
        Guard.EXTENSION_PENDING,
        Guard.TRANSFER_AVAILABLE,
        Guard.TRANSFER_PENDING,
        Guard.LOOKBACK_OPEN,
    }
)
EXTENSION_KINDS = (EventKind.EXTENSION_REQUESTED, EventKind.EXTENDED, EventKind.EXTENSION_REFUSED)
TRANSFER_KINDS = (EventKind.TRANSFER_REQUESTED, EventKind.TRANSFERRED, EventKind.TRANSFER_REFUSED)


async def facts_of(
    session: AsyncSession, item: Item, action: Action, *, hotline: bool = False
) -> tuple[ItemFacts, list[ItemEvent]]:
    """Read the facts an action's guards look at (its events only when a guard needs them)."""
    guards = {guard for rule in rules_for(action) for guard in rule.guards}
    events = await _events(session, item) if guards & EVENT_GUARDS else []
    lookback_open = Guard.LOOKBACK_OPEN in guards and await _lookback_open(session, item, events)
    facts = ItemFacts(
        status=item.status,
        deputy_id=item.deputy_id,
        department=item.department,
        hotline=hotline,
        routable=bool(item.department) and not item.abstained,
        rated=item.rating is not None,
        extension_used=item.extension_used,
        extension_asked=any(e.kind is EventKind.EXTENSION_REQUESTED for e in events),
        extension_pending=_last(events, EXTENSION_KINDS) is EventKind.EXTENSION_REQUESTED,
        transfer_pending=_last(events, TRANSFER_KINDS) is EventKind.TRANSFER_REQUESTED,
        lookback_open=lookback_open,
    )
    return facts, events


def last_target(events: list[ItemEvent]) -> str | None:
    """Return the department of the latest transfer request."""
    found = [e.target for e in events if e.kind is EventKind.TRANSFER_REQUESTED]
    return found[-1] if found else None


def requesters(events: list[ItemEvent]) -> list[int]:
    """Return the chat of whoever made the latest extension or transfer request."""
    requests = (EventKind.EXTENSION_REQUESTED, EventKind.TRANSFER_REQUESTED)
    found = [e.actor_telegram_id for e in events if e.kind in requests and e.actor_telegram_id]
    return found[-1:]


async def _events(session: AsyncSession, item: Item) -> list[ItemEvent]:
    """Load the item's events that guards look at, oldest first."""
    kinds = (*EXTENSION_KINDS, *TRANSFER_KINDS, EventKind.LOOKBACK)
    query = select(ItemEvent).where(ItemEvent.item_id == item.id, ItemEvent.kind.in_(kinds))
    return list((await session.execute(query.order_by(ItemEvent.id))).scalars())


def _last(events: list[ItemEvent], kinds: tuple[EventKind, ...]) -> EventKind | None:
    """Return the latest of these kinds of event."""
    found = [e.kind for e in events if e.kind in kinds]
    return found[-1] if found else None


async def _lookback_open(session: AsyncSession, item: Item, events: list[ItemEvent]) -> bool:
    """Tell whether the 30-day question was asked and not answered yet."""
    if any(e.kind is EventKind.LOOKBACK for e in events):
        return False
    asked = await session.scalar(
        select(Reminder.id).where(Reminder.item_id == item.id, Reminder.kind == "lookback")
    )
    return asked is not None
