"""Requests to the 12345 platform, queued in the transaction of the change that caused them."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SystemClock
from bot.db.models import HotlineMessage, Item, Member
from bot.db.sessions import current_unit
from bot.domain.hotline import Outbound, messages_for
from bot.domain.rules import Action
from bot.domain.states import Rating
from bot.hotline.contract import iso
from bot.services import cards
from bot.services.actors import Actor
from bot.services.notices import View

EVENTS_PATH = "/hotline/events"
WALL = SystemClock()


def media_token(secret: str, item_id: int, file_id: str) -> str:
    """Return the token that lets a link fetch one item's photo (and nothing else)."""
    message = f"{item_id}:{file_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


class HotlineQueue:
    """Builds the platform's requests from an item and queues them; wakes the sender."""

    def __init__(self, *, public_url: str | None = None, media_secret: str = "") -> None:
        self._public_url = public_url
        self._media_secret = media_secret
        self._wakeup = asyncio.Event()

    def enqueue(
        self,
        session: AsyncSession,
        now: datetime,
        kind: Outbound,
        view: View,
        **detail: Any,
    ) -> None:
        """Queue one request about the view's item (sent after the commit, in order)."""
        item = view.item
        key = uuid.uuid4().hex
        if kind is Outbound.ORDER:
            body = self._order(view, key)
        else:
            body = {
                "event_id": key,
                "code": item.tracking_no,
                "type": kind.value,
                "at": iso(now.astimezone(view.tz)),
                **self._deadlines(view),
                **{name: value for name, value in detail.items() if value not in (None, "")},
            }
        session.add(
            HotlineMessage(
                item_id=item.id,
                kind=kind,
                code=item.tracking_no or "",
                body=body,
                key=key,
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=WALL.now(),  # the sender runs on the machine's clock
            )
        )
        unit = current_unit()
        if unit is not None:
            unit.after_commit(self._wakeup.set)
        else:
            self._wakeup.set()

    def after_action(
        self,
        session: AsyncSession,
        now: datetime,
        action: Action,
        view: View,
        *,
        text: str,
        actor: Actor | None,
    ) -> None:
        """Queue what the platform must hear of an action on the view's item, in order."""
        config, item = view.config, view.item
        kinds = messages_for(
            action,
            was_on_hotline=config.on_hotline(view.before_department),
            on_hotline=config.on_hotline(item.department),
            by_platform=actor is not None and actor.platform is not None,
        )
        rating = Rating.UNSATISFIED if action is Action.COMPLAIN else item.rating
        for kind in kinds:
            details: dict[Outbound, dict[str, Any]] = {
                Outbound.ORDER: {},
                Outbound.FOLLOW_UP: {"outcome": action.value},
                Outbound.WITHDRAWN: {"action": action.value, "text": text},
                Outbound.UPDATED: {
                    "action": action.value,
                    "text": text,
                    "handler": actor.label if actor else None,
                },
            }
            detail = details.get(kind, {"text": text, "rating": rating})
            self.enqueue(session, now, kind, view, **detail)

    def kick(self) -> None:
        """Wake the sender (after a transaction of its own committed)."""
        self._wakeup.set()

    async def wait(self, seconds: float) -> None:
        """Sleep until kicked or the timeout passes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()

    def _order(self, view: View, key: str) -> dict[str, Any]:
        """Return the work order of an item as the platform receives it."""
        item, tz, config = view.item, view.tz, view.config
        topic = config.topic(item.topic) if item.topic else None
        return {
            "event_id": key,
            "code": item.tracking_no,
            "type": Outbound.ORDER.value,
            "category": topic.name if topic else None,
            "category_code": item.topic,
            "department": cards.department_name(config, item.department),
            "department_code": item.department,
            "content": item.text,
            "place": item.address,
            "lat": item.lat,
            "long": item.long,
            "attachments": self._attachments(item),
            "urgency": "urgent" if item.urgent else "normal",
            "source": _source(item, view.deputy),
            "dispatched_at": iso(item.routed_at.astimezone(tz) if item.routed_at else None),
            **self._deadlines(view),
            "round": item.reopen_count,
            "callback_url": f"{self._public_url}{EVENTS_PATH}" if self._public_url else None,
        }

    @staticmethod
    def _deadlines(view: View) -> dict[str, str | None]:
        """Return the item's deadlines as the platform reads them."""
        item, tz = view.item, view.tz
        return {
            "ack_deadline": iso(item.ack_due_at.astimezone(tz) if item.ack_due_at else None),
            "answer_deadline": iso(
                item.answer_due_at.astimezone(tz) if item.answer_due_at else None
            ),
        }

    def _attachments(self, item: Item) -> list[str]:
        """Return links the platform can fetch the item's photo from."""
        links = [item.media_url] if item.media_url else []
        if item.photo_file_id and self._public_url and self._media_secret:
            token = media_token(self._media_secret, item.id, item.photo_file_id)
            links.append(f"{self._public_url}/media/{item.id}/{token}")
        return links


def _source(item: Item, deputy: Member | None) -> dict[str, str | None]:
    """Describe who raised the item: a deputy (no Telegram ids) or another system."""
    if deputy is None:
        return {"kind": "system", "name": item.requester}
    return {
        "kind": "deputy",
        "name": deputy.name,
        "level": deputy.level,
        "district": deputy.district,
    }
