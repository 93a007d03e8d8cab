"""Corrections: every route a person decided is a labelled example for learning."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Correction, Item
from bot.domain.rules import Action
from bot.domain.states import RouteSource
from bot.services.actors import Actor

# Actions that decide an item's route, and who decides by them.
DECIDING: Mapping[Action, str] = MappingProxyType(
    {Action.PICK_TOPIC: "deputy", Action.REROUTE: "admin", Action.APPROVE_TRANSFER: "admin"}
)


@dataclass(frozen=True)
class RouteBefore:
    """How the item was routed before the action."""

    topic: str | None
    source: RouteSource
    abstained: bool

    @classmethod
    def of(cls, item: Item) -> RouteBefore:
        """Take the item's route as it is now."""
        return cls(item.topic, item.route_source, item.abstained)


async def note(
    session: AsyncSession,
    now: datetime,
    action: Action,
    item: Item,
    before: RouteBefore,
    actor: Actor | None,
) -> None:
    """Record (or update) the item's correction when the action decided its route."""
    decided_by = DECIDING.get(action)
    if decided_by is None or item.topic is None:
        return
    row = await session.scalar(select(Correction).where(Correction.item_id == item.id))
    if row is None:
        by_classifier = before.source is RouteSource.CLASSIFIER
        row = Correction(
            item_id=item.id,
            text=item.text,
            predicted=before.topic if by_classifier else None,
            abstained=before.abstained if by_classifier else False,
        )
        session.add(row)
    row.topic, row.department = item.topic, item.department
    row.decided_by, row.at = decided_by, now
    row.actor_telegram_id = actor.telegram_id if actor and actor.telegram_id else None


async def examples_since(
    session: AsyncSession, since: datetime | None
) -> list[tuple[str, str, str | None]]:
    """Return (text, right topic, the classifier's topic) of every correction since a moment."""
    query = select(Correction.text, Correction.topic, Correction.predicted).where(
        Correction.topic.is_not(None)
    )
    if since is not None:
        query = query.where(Correction.at >= since)
    rows = await session.execute(query.order_by(Correction.id))
    return [(text, str(topic), predicted) for text, topic, predicted in rows]
