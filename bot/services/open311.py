"""Open311 GeoReport v2: topics as services, items as requests, requests from other systems.

Nothing personal leaves here: no deputy's name, no Telegram id, and every run of five or
more digits in a text (a phone number, an id card) is masked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db.models import ApiKey, Item
from bot.domain.rules import Action
from bot.domain.states import EventKind, RouteSource, Source, Status
from bot.hotline.contract import iso
from bot.services import cards
from bot.services.acting import Act, Acting
from bot.services.base import ServiceDeps, record
from bot.services.hotline_queue import media_token

DIGITS = re.compile(r"\d{5,}")
MAX_DESCRIPTION = 4000
WINDOW = timedelta(days=90)  # the spec's default search window
MAX_ROWS = 1000


class Open311Error(Exception):
    """A request the API refuses: an HTTP status and a description for the caller."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def mask(text: str | None) -> str | None:
    """Mask every run of five or more digits."""
    return DIGITS.sub(lambda m: "*" * len(m.group()), text) if text else text


def hash_key(key: str) -> str:
    """Return the stored form of an API key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Search:
    """The filters of GET requests."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class NewRequest:
    """What another system sends with POST requests."""

    api_key: str
    description: str
    service_code: str | None = None
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class Open311:
    """Reads and creates requests for the GeoReport v2 routes."""

    def __init__(self, deps: ServiceDeps, acting: Acting, *, public_url: str | None = None,
                 media_secret: str = "") -> None:  # fmt: skip
        self._deps = deps
        self._acting = acting
        self._public_url = public_url
        self._media_secret = media_secret

    def services(self) -> list[dict[str, Any]]:
        """Return the topics of the routing file in force as services."""
        config = self._deps.config
        return [
            {
                "service_code": topic.code,
                "service_name": topic.name,
                "description": f"{topic.name}（{cards.department_name(config, topic.department)}）",
                "metadata": False,
                "type": "realtime",
                "keywords": ",".join(list(topic.keywords)[:20]),
                "group": cards.department_name(config, topic.department),
            }
            for topic in config.topics
        ]

    async def requests(self, search: Search) -> list[dict[str, Any]]:
        """Return the submitted items that match the filters, newest first."""
        query = select(Item).where(
            Item.tracking_no.is_not(None), Item.status.not_in((Status.DRAFT, Status.CANCELLED))
        )
        if search.ids:
            query = query.where(Item.tracking_no.in_(search.ids))
        else:
            end = search.end or self._deps.clock.now()
            start = search.start or end - WINDOW
            query = query.where(Item.submitted_at >= start, Item.submitted_at <= end)
            if search.service_codes:
                query = query.where(Item.topic.in_(search.service_codes))
            wanted = set(search.statuses)
            if wanted == {"closed"}:
                query = query.where(Item.status == Status.CLOSED)
            elif wanted == {"open"}:
                query = query.where(Item.status.in_(OPEN_STATES))
        query = query.order_by(Item.submitted_at.desc()).limit(MAX_ROWS)
        async with self._deps.sessions() as session:
            items = list((await session.execute(query)).scalars())
        return [self._request(item) for item in items]

    async def create(self, new: NewRequest) -> dict[str, Any]:
        """Create an item from another system and route it as a deputy's submit is."""
        deps = self._deps
        description = (new.description or "").strip()
        if not description:
            raise Open311Error(400, "description is required")
        if len(description) > MAX_DESCRIPTION:
            raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
        routing = deps.routing.current
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            key = await session.scalar(
                select(ApiKey).where(
                    ApiKey.key_hash == hash_key(new.api_key), ApiKey.revoked_at.is_(None)
                )
            )
            if not new.api_key or key is None:
                raise Open311Error(403, "api_key is missing, unknown or revoked")
            route_topic: str | None
            department: str | None
            if new.service_code:
                topic = routing.config.topic(new.service_code)
                if topic is None:
                    raise Open311Error(400, f"unknown service_code {new.service_code!r}")
                route_topic, department, abstained = topic.code, topic.department, False
                source, confidence, matched = RouteSource.ADMIN, 1.0, []
            else:
                route = routing.classify(description)
                route_topic, department = route.topic or None, route.department or None
                abstained, source = route.abstained, RouteSource.CLASSIFIER
                confidence, matched = route.confidence, [[k, w] for k, w in route.matched]
            item = Item(
                status=Status.DRAFT, deputy_id=None, source=Source.OPEN311, requester=key.name,
                source_chat_id=-key.id, source_message_id=secrets.randbits(62),
                text=description, address=new.address, lat=new.lat, long=new.long,
                media_url=new.media_url, topic=route_topic, department=department,
                confidence=confidence, matched=matched, abstained=abstained,
                route_source=source, urgent=deps.policy.is_urgent(description), created_at=now,
            )  # fmt: skip
            session.add(item)
            await session.flush()
            record(session, item, now, kind=EventKind.CREATED, actor=None, from_status=None)
            done = await self._acting.within(session, Act(Action.SUBMIT, item.id))
        deps.outbox.kick()
        return {
            "service_request_id": done.tracking_no,
            "service_notice": "" if item.department else "待人工分拨",
            "account_id": None,
        }

    async def photo_of(self, item_id: int) -> str | None:
        """Return the Telegram file id of an item's photo, if it has one."""
        async with self._deps.sessions() as session:
            return await session.scalar(select(Item.photo_file_id).where(Item.id == item_id))

    def _request(self, item: Item) -> dict[str, Any]:
        """Render one item as a GeoReport request."""
        config, tz = self._deps.config, self._deps.tz
        topic = config.topic(item.topic) if item.topic else None
        return {
            "service_request_id": item.tracking_no,
            "status": "closed" if item.status is Status.CLOSED else "open",
            "status_notes": mask(item.answer),
            "service_name": topic.name if topic else None,
            "service_code": item.topic,
            "description": mask(cards.clip(item.text, MAX_DESCRIPTION)),
            "agency_responsible": cards.department_name(config, item.department)
            if item.department
            else None,
            "service_notice": None,
            "requested_datetime": _local(item.submitted_at, tz),
            "updated_datetime": _local(item.updated_at, tz),
            "expected_datetime": _local(item.answer_due_at, tz),
            "address": mask(item.address),
            "address_id": None,
            "zipcode": None,
            "lat": item.lat,
            "long": item.long,
            "media_url": self._media(item),
        }

    def _media(self, item: Item) -> str | None:
        """Return a link to the item's picture: the system's own, or our photo link."""
        if item.media_url:
            return item.media_url
        if item.photo_file_id and self._public_url and self._media_secret:
            token = media_token(self._media_secret, item.id, item.photo_file_id)
            return f"{self._public_url}/media/{item.id}/{token}"
        return None


OPEN_STATES = (Status.TRIAGE, Status.ROUTED, Status.ACKNOWLEDGED)


def _local(moment: datetime | None, tz: Any) -> str | None:
    """Return a moment in local time, ISO 8601 with its offset."""
    return iso(moment.astimezone(tz)) if moment else None
