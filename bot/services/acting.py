"""Carry out an action on an item: check it, change the item, record, notify, retire cards.

Every caller (a button, a typed answer, a job, an HTTP callback) describes the action as an
`Act`; the domain table decides whether it is allowed and what it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Item, ItemEvent, Member
from bot.domain.changes import Inputs, changes
from bot.domain.hotline import Outbound
from bot.domain.permissions import ActorFacts, Denied, choose
from bot.domain.rules import Action, Audience, Rule
from bot.domain.states import EventKind, Rating, Role
from bot.services import cards, corrections, outbox
from bot.services.actors import Actor, handlers_of
from bot.services.base import (
    ServiceDeps,
    deputy_of,
    lock_item,
    notify_admins,
    record,
    retire_cards,
    tracking_number,
)
from bot.services.corrections import RouteBefore
from bot.services.errors import Refused
from bot.services.facts import facts_of, last_target, requesters
from bot.services.notices import RENDERERS, Rendered, View, event_note, retired_note
from bot.services.recurrence import reopen_as_new
from bot.services.schedule import refresh


@dataclass(frozen=True)
class Act:
    """One request to act on an item: what, by whom, from which chat and message, with what."""

    action: Action
    item_id: int
    actor: Actor | None = None  # None: the system itself
    chat_id: int | None = None
    message_id: int | None = None
    text: str = ""
    argument: str = ""
    due: datetime | None = None  # a new answer deadline (the platform's 延期)


@dataclass(frozen=True)
class Done:
    """What an action came to, for the caller's reply."""

    rule: Rule
    tracking_no: str | None
    toast: str


def actor_facts(actor: Actor | None) -> ActorFacts:
    """Describe the actor for the permission check."""
    if actor is None:
        return ActorFacts(None)
    member = actor.member
    return ActorFacts(
        Role(actor.role), member.id if member else None, member.department if member else None
    )


class Acting:
    """The one way items change."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def __call__(self, act: Act) -> Done:
        """Carry out an act in a transaction of its own and wake the sender."""
        async with self._deps.sessions.begin() as session:
            done = await self.within(session, act)
        self._deps.outbox.kick()
        return done

    async def check(self, session: AsyncSession, act: Act) -> Item:
        """Lock the item and check the act is allowed now, without doing it."""
        item = await lock_item(session, act.item_id)
        rule, events = await self._rule(session, item, act)
        await self._inputs(session, item, act, rule, events, self._deps.clock.now())
        return item

    async def within(self, session: AsyncSession, act: Act) -> Done:
        """Carry out an act inside the caller's transaction."""
        deps = self._deps
        now = deps.clock.now()
        item = await lock_item(session, act.item_id)
        rule, events = await self._rule(session, item, act)
        before_status, before_department = item.status, item.department
        before_acknowledger = await self._acknowledger(session, item)
        route_before = RouteBefore.of(item)
        inputs = await self._inputs(session, item, act, rule, events, now)
        values = changes(rule, item, inputs)
        for name, value in values.items():
            setattr(item, name, value)
        if rule.to is not None:
            item.status = rule.to
        if rule.to is not None or "answer_due_at" in values:
            refresh(item)
        view = View(
            deps.config,
            deps.tz,
            item,
            await deputy_of(session, item),
            act.actor,
            text=act.text,
            before_department=before_department,
            target=inputs.department if rule.action is Action.REQUEST_TRANSFER else None,
            note=self._detail(rule.action, item, before_acknowledger),
        )
        if rule.action is Action.REFUSE_TRANSFER:
            view = _with_target(view, last_target(events))
        for kind in rule.events:
            rating = inputs.rating if kind is EventKind.RATED else None
            record(
                session, item, now, kind=kind, actor=act.actor, from_status=before_status,
                note=event_note(kind, rule.action, view), rating=rating,
                target=view.target if kind is EventKind.TRANSFER_REQUESTED else None,
            )  # fmt: skip
        keep = act.chat_id if any(n.to is Audience.PRESSED for n in rule.notices) else None
        for card in rule.retire:
            text = retired_note(rule.action, card, view)
            await retire_cards(session, now, item=item, kinds=(card,), text=text, keep_chat=keep)
        for notice in rule.notices:
            rendered = RENDERERS[notice.message](view)
            await self._notify(session, notice.to, rendered, view, act, requesters(events))
        deps.hotline.after_action(session, now, rule.action, view, text=act.text, actor=act.actor)
        await corrections.note(session, now, rule.action, item, route_before, act.actor)
        if rule.action is Action.RECURRED:
            new = await reopen_as_new(
                session, deps, view, actor=act.actor, chat_id=act.chat_id,
                now=now,
                notify=lambda s, to, m, v: self._notify(s, to, m, v, act, []),
            )  # fmt: skip
            if deps.config.on_hotline(new.department):
                deps.hotline.enqueue(session, now, Outbound.ORDER, _with_item(view, new))
        toast = getattr(texts, rule.toast) if rule.toast else texts.TOAST_OK
        return Done(rule, item.tracking_no, toast.format(no="", department=view.department).strip())

    async def _rule(
        self, session: AsyncSession, item: Item, act: Act
    ) -> tuple[Rule, list[ItemEvent]]:
        """Find the rule that allows the act, or refuse it in the user's words."""
        hotline = self._deps.config.on_hotline(item.department)
        facts, events = await facts_of(session, item, act.action, hotline=hotline)
        try:
            return choose(act.action, actor_facts(act.actor), facts), events
        except Denied as denied:
            raise Refused(getattr(texts, denied.text).format(no=item.tracking_no)) from None

    async def _inputs(
        self,
        session: AsyncSession,
        item: Item,
        act: Act,
        rule: Rule,
        events: list[ItemEvent],
        now: datetime,
    ) -> Inputs:
        """Check and gather what the act brings: a topic, a department, a rating."""
        config = self._deps.config
        topic, department, rating = item.topic, item.department, None
        match rule.action:
            case Action.PICK_TOPIC:
                chosen = config.topic(act.argument) if act.argument else None
                if act.argument and chosen is None:
                    raise Refused(texts.STALE_BUTTON)
                topic = chosen.code if chosen else None
                department = chosen.department if chosen else None
            case Action.REROUTE | Action.APPROVE_TRANSFER | Action.REQUEST_TRANSFER:
                target = act.argument
                if rule.action is Action.APPROVE_TRANSFER:
                    target = last_target(events) or ""
                if config.department(target) is None or target == item.department:
                    raise Refused(texts.STALE_BUTTON)
                department = target
                current = config.topic(item.topic) if item.topic else None
                if current is None or current.department != target:
                    topic = next((t.code for t in config.topics if t.department == target), None)
            case Action.RATE:
                if act.argument not in (Rating.SATISFIED, Rating.BASIC):
                    raise Refused(texts.STALE_BUTTON)
                rating = Rating(act.argument)
            case Action.EXTEND if act.due is None or act.due <= now:
                raise Refused(texts.STALE_BUTTON)
            case Action.COMPLAIN:
                rating = Rating.UNSATISFIED
        member = act.actor.member if act.actor else None
        return Inputs(
            now=now,
            policy=self._deps.policy,
            member_id=member.id if member else None,
            text=act.text,
            topic=topic,
            department=department,
            rating=rating,
            tracking_no=item.tracking_no or tracking_number(now.astimezone(self._deps.tz), item.id),
            due=act.due,
        )

    def _detail(self, action: Action, item: Item, before_acknowledger: str) -> str:
        """Return the detail a notice of this action shows."""
        tz, policy = self._deps.tz, self._deps.policy
        match action:
            case Action.REQUEST_EXTENSION:
                assert item.answer_due_at is not None
                due = policy.extension(item.answer_due_at, item.topic, item.urgent)
                return cards.local_time(due, tz)
            case Action.APPROVE_EXTENSION | Action.REFUSE_EXTENSION | Action.EXTEND:
                return cards.local_time(item.answer_due_at, tz)
            case Action.RESOLVED:
                return texts.BTN_RESOLVED
            case Action.RECURRED:
                return texts.BTN_RECURRED
            case Action.RELEASE:
                return before_acknowledger
            case _:
                return ""

    async def _notify(
        self,
        session: AsyncSession,
        to: Audience,
        message: Rendered,
        v: View,
        act: Act,
        requesters: list[int],
    ) -> None:
        """Queue one notice to its audience."""
        deps, now, item = self._deps, self._deps.clock.now(), v.item
        if to is Audience.PRESSED and act.chat_id is not None and act.message_id is not None:
            outbox.edit(
                session, now, chat_id=act.chat_id, message_id=act.message_id, text=message.text,
                buttons=message.buttons, item_id=item.id, card=message.card,
            )  # fmt: skip
            return
        chats: list[int] = []
        match to:
            case Audience.ACTOR | Audience.PRESSED:
                chats = [act.chat_id] if act.chat_id is not None else []
            case Audience.DEPUTY:
                deputy = v.deputy
                chats = [deputy.telegram_id] if deputy and not deputy.revoked_at else []
            case Audience.ADMINS:
                chats = sorted(deps.admin_ids)
            case Audience.REQUESTER:
                chats = requesters
            case Audience.HANDLERS:
                assert item.department is not None
                if not deps.config.in_telegram(item.department):
                    return  # the 12345 platform works this department's items: it was told
                chats = [
                    m.telegram_id for m in await handlers_of(session, department=item.department)
                ]
                if not chats:
                    alert = texts.NO_HANDLERS.format(no=item.tracking_no, department=v.department)
                    notify_admins(session, deps, now, alert, item_id=item.id)
        for chat_id in chats:
            outbox.send(
                session, now, chat_id=chat_id, text=message.text, buttons=message.buttons,
                item_id=item.id, card=message.card,
            )  # fmt: skip
            if message.photo and item.photo_file_id:
                caption = texts.PHOTO_CAPTION.format(no=item.tracking_no)
                outbox.photo(
                    session, now, chat_id=chat_id, file_id=item.photo_file_id, caption=caption,
                    item_id=item.id,
                )  # fmt: skip

    async def _acknowledger(self, session: AsyncSession, item: Item) -> str:
        """Return the name of the handler who acknowledged the item, if any."""
        if item.acknowledged_by is None:
            return ""
        member = await session.get(Member, item.acknowledged_by)
        return member.name if member else ""


def _with_item(view: View, item: Item) -> View:
    """Return the view of another item of the same deputy (a recurrence)."""
    return View(view.config, view.tz, item, view.deputy, view.actor)


def _with_target(view: View, target: str | None) -> View:
    """Return the view naming a department."""
    return View(
        view.config, view.tz, view.item, view.deputy, view.actor, view.text,
        view.before_department, target, view.note,
    )  # fmt: skip
