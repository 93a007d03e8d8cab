"""What every service needs, and the item helpers they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.callbacks import Buttons
from bot.clock import Clock
from bot.db.models import CardMessage, HandledMessage, Item, ItemEvent, Member
from bot.db.sessions import Sessions, dialect_name
from bot.domain.states import CardKind, EventKind, Rating
from bot.services import outbox
from bot.services.actors import Actor, handlers_of
from bot.services.deadlines import DeadlinePolicy
from bot.services.errors import Refused
from bot.services.hotline_queue import HotlineQueue
from bot.services.routing import RoutingHolder
from classifier import RoutingConfig


@dataclass(frozen=True)
class ServiceDeps:
    """Shared collaborators, built once in post_init."""

    sessions: Sessions
    clock: Clock
    routing: RoutingHolder
    admin_ids: frozenset[int]
    outbox: outbox.Outbox
    tz: ZoneInfo
    hotline: HotlineQueue = field(default_factory=HotlineQueue)

    @property
    def config(self) -> RoutingConfig:
        """Return the routing config in force."""
        return self.routing.current.config

    @property
    def policy(self) -> DeadlinePolicy:
        """Return the deadline policy in force (from the same routing file, swapped with it)."""
        return self.routing.current.policy


async def lock_item(session: AsyncSession, item_id: int) -> Item:
    """Load an item for update, or refuse a button that names none."""
    item = await session.get(Item, item_id, with_for_update=True)
    if item is None:
        raise Refused(texts.STALE_BUTTON)
    return item


async def item_by_number(session: AsyncSession, number: str) -> Item | None:
    """Find an item by its tracking number, with or without the dash."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 7:
        return None
    wanted = f"{digits[:6]}-{digits[6:]}"
    return (
        await session.execute(select(Item).where(Item.tracking_no == wanted))
    ).scalar_one_or_none()


def tracking_number(now_local: datetime, item_id: int) -> str:
    """Make a short, unique number readable over the phone: date and sequence."""
    return f"{now_local:%y%m%d}-{item_id:04d}"


def record(
    session: AsyncSession,
    item: Item,
    now: datetime,
    *,
    kind: EventKind,
    actor: Actor | None,
    from_status: str | None,
    note: str | None = None,
    rating: Rating | None = None,
    target: str | None = None,
) -> None:
    """Append one event for a change already applied to the item."""
    item.updated_at = now
    session.add(
        ItemEvent(
            item_id=item.id,
            at=now,
            kind=kind,
            actor_telegram_id=actor.telegram_id if actor and actor.telegram_id else None,
            actor_role=actor.role if actor else "system",
            from_status=from_status,
            to_status=item.status,
            department=item.department,
            note=note,
            rating=rating,
            target=target,
        )
    )


async def mark_handled(session: AsyncSession, now: datetime, chat_id: int, message_id: int) -> bool:
    """Claim a user message; False when it was handled before (a re-delivery)."""
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    claim = (
        dialect.insert(HandledMessage)
        .values(chat_id=chat_id, message_id=message_id, at=now)
        .on_conflict_do_nothing()
    )
    result = await session.execute(claim)
    return bool(getattr(result, "rowcount", 0))


async def notify_handlers(
    session: AsyncSession, deps: ServiceDeps, item: Item, now: datetime, card: tuple[str, Buttons]
) -> int:
    """Send a card to every handler of the item's department; return how many."""
    assert item.department is not None
    members = await handlers_of(session, department=item.department)
    for member in members:
        outbox.send(
            session, now, chat_id=member.telegram_id, text=card[0], buttons=card[1], item_id=item.id
        )
        if item.photo_file_id:
            outbox.photo(
                session,
                now,
                chat_id=member.telegram_id,
                file_id=item.photo_file_id,
                caption=texts.PHOTO_CAPTION.format(no=item.tracking_no),
                item_id=item.id,
            )
    return len(members)


def notify_admins(
    session: AsyncSession,
    deps: ServiceDeps,
    now: datetime,
    text: str,
    buttons: Buttons | None = None,
    item_id: int | None = None,
) -> None:
    """Send a message to every administrator."""
    for admin_id in sorted(deps.admin_ids):
        outbox.send(session, now, chat_id=admin_id, text=text, buttons=buttons, item_id=item_id)


async def deputy_of(session: AsyncSession, item: Item) -> Member | None:
    """Return the deputy who raised the item (None: another system created it, Open311)."""
    return await session.get(Member, item.deputy_id) if item.deputy_id is not None else None


async def retire_cards(
    session: AsyncSession,
    now: datetime,
    *,
    item: Item,
    kinds: tuple[CardKind, ...],
    text: str,
    keep_chat: int | None,
) -> None:
    """Replace the item's live cards of these kinds by a plain note (but in `keep_chat`).

    Cards in the chats of people no longer bound (revoked) are left alone.
    """
    revoked = select(Member.telegram_id).where(Member.revoked_at.is_not(None))
    query = select(CardMessage).where(
        CardMessage.item_id == item.id,
        CardMessage.kind.in_(kinds),
        CardMessage.retired_at.is_(None),
        CardMessage.chat_id.not_in(revoked),
    )
    for card in (await session.execute(query)).scalars():
        if card.chat_id == keep_chat:
            continue
        card.retired_at = now
        outbox.edit(
            session,
            now,
            chat_id=card.chat_id,
            message_id=card.message_id,
            text=text,
            item_id=item.id,
        )
