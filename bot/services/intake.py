"""From a deputy's message to a submitted item: draft, reclassify, submit, cancel."""

from __future__ import annotations

import unicodedata

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Item
from bot.services import cards, outbox
from bot.services.actors import Actor
from bot.services.base import (
    ServiceDeps,
    deputy_of,
    lock_item,
    mark_handled,
    notify_admins,
    notify_handlers,
    record,
    tracking_number,
)
from bot.services.errors import Refused
from bot.services.schedule import start_clock

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
    """Turns a deputy's messages into items."""

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
        if not actor.is_deputy or actor.member is None:
            raise Refused(texts.NOT_ALLOWED)
        cleaned = check_text(text)
        route = self._deps.routing.current.classify(cleaned)
        now = self._deps.clock.now()
        try:
            async with self._deps.sessions.begin() as session:
                if not await mark_handled(session, now, chat_id, message_id):
                    return False
                item = Item(
                    status="draft",
                    deputy_id=actor.member.id,
                    source_chat_id=chat_id,
                    source_message_id=message_id,
                    text=cleaned,
                    topic=route.topic or None,
                    department=route.department or None,
                    confidence=route.confidence,
                    matched=[[k, w] for k, w in route.matched],
                    abstained=route.abstained,
                    urgent=self._deps.policy.current().is_urgent(cleaned),
                    photo_file_id=photo_file_id,
                    created_at=now,
                )
                session.add(item)
                await session.flush()
                record(session, item, now, kind="created", actor=actor, from_status=None)
                text_out, buttons = cards.draft_card(self._deps.config, item)
                outbox.send(
                    session, now, chat_id=chat_id, text=text_out, buttons=buttons, item_id=item.id
                )
        except IntegrityError:
            return False
        self._deps.outbox.kick()
        return True

    async def show_topics(
        self, actor: Actor, *, item_id: int, chat_id: int, message_id: int
    ) -> None:
        """Replace the preview with the topic picker."""
        async with self._deps.sessions.begin() as session:
            item = await self._own_draft(session, actor, item_id)
            text, buttons = cards.topic_picker(self._deps.config, item)
            outbox.edit(
                session,
                self._deps.clock.now(),
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                buttons=buttons,
                item_id=item.id,
            )
        self._deps.outbox.kick()

    async def choose_topic(
        self, actor: Actor, *, item_id: int, topic: str, chat_id: int, message_id: int
    ) -> None:
        """Set the topic the deputy picked (or none, for triage) and show the preview again."""
        config = self._deps.config
        chosen = config.topic(topic) if topic else None
        if topic and chosen is None:
            raise Refused(texts.STALE_BUTTON)
        async with self._deps.sessions.begin() as session:
            item = await self._own_draft(session, actor, item_id)
            item.topic = chosen.code if chosen else None
            item.department = chosen.department if chosen else None
            item.confidence, item.matched, item.abstained = 1.0, [], chosen is None
            note = chosen.name if chosen else texts.BTN_TRIAGE
            self._redraw(session, item, actor, note=note, chat_id=chat_id, message_id=message_id)
        self._deps.outbox.kick()

    async def toggle_urgent(
        self, actor: Actor, *, item_id: int, chat_id: int, message_id: int
    ) -> None:
        """Mark a draft urgent (紧急), or not, before submitting it."""
        async with self._deps.sessions.begin() as session:
            item = await self._own_draft(session, actor, item_id)
            item.urgent = not item.urgent
            note = texts.BTN_URGENT if item.urgent else texts.BTN_NOT_URGENT
            self._redraw(session, item, actor, note=note, chat_id=chat_id, message_id=message_id)
        self._deps.outbox.kick()

    async def cancel(self, actor: Actor, *, item_id: int, chat_id: int, message_id: int) -> None:
        """Drop a draft the deputy does not want to submit (kept, marked cancelled)."""
        now = self._deps.clock.now()
        async with self._deps.sessions.begin() as session:
            item = await self._own_draft(session, actor, item_id)
            item.status = "cancelled"
            record(session, item, now, kind="cancelled", actor=actor, from_status="draft")
            outbox.edit(
                session,
                now,
                chat_id=chat_id,
                message_id=message_id,
                text=texts.DRAFT_CANCELLED.format(text=cards.clip(item.text, 200)),
                item_id=item.id,
            )
        self._deps.outbox.kick()

    async def submit(self, actor: Actor, *, item_id: int, chat_id: int, message_id: int) -> str:
        """Submit a draft: number it, route it or send it to triage; return the number."""
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            item = await self._own_draft(session, actor, item_id)
            item.tracking_no = tracking_number(now.astimezone(deps.tz), item.id)
            item.submitted_at = now
            deputy = await deputy_of(session, item)
            if item.department and not item.abstained:
                item.status = "routed"
                start_clock(item, now, deps.policy.current())
                department = cards.department_name(deps.config, item.department)
                reply = texts.RECEIVED_ROUTED.format(no=item.tracking_no, department=department)
                record(session, item, now, kind="submitted", actor=actor, from_status="draft")
                card = cards.handler_card(deps.config, item, deputy, tz=deps.tz)
                if not await notify_handlers(session, deps, item, now, card):
                    notify_admins(
                        session,
                        deps,
                        now,
                        texts.NO_HANDLERS.format(no=item.tracking_no, department=department),
                        item_id=item.id,
                    )
            else:
                item.status, item.department = "triage", None
                reply = texts.RECEIVED_TRIAGE.format(no=item.tracking_no)
                record(session, item, now, kind="submitted", actor=actor, from_status="draft")
                text, buttons = cards.triage_card(
                    deps.config, item, deputy, texts.TRIAGE_WHY_ABSTAINED
                )
                notify_admins(session, deps, now, text, buttons, item_id=item.id)
            outbox.edit(
                session,
                now,
                chat_id=chat_id,
                message_id=message_id,
                text=texts.SUBMITTED_CARD.format(
                    no=item.tracking_no, text=cards.clip(item.text, 200)
                ),
                item_id=item.id,
            )
            outbox.send(session, now, chat_id=chat_id, text=reply, item_id=item.id)
            number = item.tracking_no
        deps.outbox.kick()
        return number

    def _redraw(
        self,
        session: AsyncSession,
        item: Item,
        actor: Actor,
        *,
        note: str,
        chat_id: int,
        message_id: int,
    ) -> None:
        """Record a change to a draft and show its preview card again in place."""
        now = self._deps.clock.now()
        record(session, item, now, kind="reclassified", actor=actor, from_status="draft", note=note)
        text, buttons = cards.draft_card(self._deps.config, item)
        outbox.edit(
            session,
            now,
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            buttons=buttons,
            item_id=item.id,
        )

    async def _own_draft(self, session: AsyncSession, actor: Actor, item_id: int) -> Item:
        """Lock a draft of this deputy's, or refuse the button as stale."""
        item = await lock_item(session, item_id)
        if item.status != "draft" or actor.member is None or item.deputy_id != actor.member.id:
            raise Refused(texts.STALE_BUTTON)
        return item
