"""From a deputy's message to a draft item with its preview card."""

from __future__ import annotations

import unicodedata

from sqlalchemy.exc import IntegrityError

from bot import texts
from bot.db.models import Item
from bot.domain.permissions import Command
from bot.domain.states import CardKind, EventKind, RouteSource, Status
from bot.services import cards, outbox
from bot.services.actors import Actor
from bot.services.base import ServiceDeps, mark_handled, record
from bot.services.errors import Refused

MAX_TEXT = 4000


def check_text(text: str | None) -> str:
    """Return the stripped text, or refuse empty, invisible-only and over-long input."""
    cleaned = (text or "").strip()
    if not any(visible(char) for char in cleaned):
        raise Refused(texts.EMPTY_TEXT)
    if len(cleaned) > MAX_TEXT:
        raise Refused(texts.TOO_LONG.format(length=len(cleaned), limit=MAX_TEXT))
    return cleaned


def visible(char: str) -> bool:
    """Return whether a character shows (not a space, control or format character)."""
    return unicodedata.category(char)[0] not in "CZ"


class Intake:
    """Turns a deputy's messages into draft items; everything after is an action (acting.py)."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def receive(
        self,
        actor: Actor,
        *,
        chat_id: int,
        message_id: int,
        text: str,
        photo_file_id: str | None = None,
    ) -> bool:
        """Store a draft (with its photo, if any) and queue its preview card.

        Returns False when the message was handled before (a re-delivered update).
        """
        if not actor.may(Command.CONCERN) or actor.member is None:
            raise Refused(texts.NOT_ALLOWED)
        cleaned = check_text(text)
        route = self._deps.routing.current.classify(cleaned)
        now = self._deps.clock.now()
        try:
            async with self._deps.sessions.begin() as session:
                if not await mark_handled(session, now, chat_id, message_id):
                    return False
                item = Item(
                    status=Status.DRAFT,
                    deputy_id=actor.member.id,
                    source_chat_id=chat_id,
                    source_message_id=message_id,
                    text=cleaned,
                    topic=route.topic or None,
                    department=route.department or None,
                    confidence=route.confidence,
                    matched=[[k, w] for k, w in route.matched],
                    suggestions=[[s.topic, s.confidence] for s in route.suggestions],
                    abstained=route.abstained,
                    route_source=RouteSource.CLASSIFIER,
                    urgent=self._deps.policy.is_urgent(cleaned),
                    photo_file_id=photo_file_id,
                    created_at=now,
                    updated_at=now,  # as record() sets it: no UPDATE after the INSERT
                )
                session.add(item)
                await session.flush()
                record(session, item, now, kind=EventKind.CREATED, actor=actor, from_status=None)
                text_out, buttons = cards.draft_card(self._deps.config, item)
                outbox.send(
                    session,
                    now,
                    chat_id=chat_id,
                    text=text_out,
                    buttons=buttons,
                    item_id=item.id,
                    card=CardKind.DRAFT,
                )
        except IntegrityError:
            return False
        self._deps.outbox.kick()
        return True
