"""The reminder sweep: derive what is due from the database and issue each reminder once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.callbacks import Buttons
from bot.db.models import Item, Member, Reminder
from bot.domain.hotline import Outbound
from bot.domain.states import CardKind, EventKind
from bot.services import cards, outbox
from bot.services.actors import handlers_of, supervisors_of
from bot.services.base import ServiceDeps, deputy_of, record
from bot.services.notices import View
from bot.services.schedule import Stage, deadline_round, next_due, stages

BATCH = 200
# Reminders addressed to the department's own people (the platform hears these instead).
DEPARTMENT_PEOPLE = frozenset({"handlers", "acknowledger", "supervisors"})
LABELS = {
    "ack_overdue": "签收超时催办",
    "ack_escalate": "签收超时报告管理员",
    "answer_50": "答复时限过半催办",
    "answer_80": "答复时限 80% 催办",
    "answer_breach": "答复超时催办",
    "supervise": "督办",
    "followup": "回访",
    "lookback": "回头看",
}


class Reminders:
    """Issues due reminders; safe to run from several instances and after any downtime."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def sweep(self, now: datetime) -> int:
        """Issue every reminder due at `now`; return how many went out."""
        issued = 0
        while True:
            async with self._deps.sessions.begin() as session:
                query = (
                    select(Item)
                    .where(Item.next_reminder_at <= now)
                    .order_by(Item.next_reminder_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
                items = list((await session.execute(query)).scalars())
                with session.no_autoflush:
                    for item in items:
                        issued += await self._process(session, item, now)
            if len(items) < BATCH:
                break
        if issued:
            self._deps.outbox.kick()
        return issued

    async def _process(self, session: AsyncSession, item: Item, now: datetime) -> int:
        """Issue the item's due reminders of its current round and point to the next one."""
        round_ = deadline_round(item)
        query = select(Reminder.kind).where(Reminder.item_id == item.id, Reminder.round == round_)
        done = set((await session.execute(query)).scalars())
        count = 0
        for stage in stages(item):
            if stage.at <= now and stage.kind not in done:
                session.add(Reminder(item_id=item.id, kind=stage.kind, round=round_, at=now))
                if await self._issue(session, item, stage, now):
                    record(
                        session,
                        item,
                        now,
                        kind=EventKind.REMINDED,
                        actor=None,
                        from_status=item.status,
                        note=LABELS[stage.kind],
                    )
                    count += 1
                done.add(stage.kind)
        item.next_reminder_at = next_due(item, done)
        return count

    async def _issue(self, session: AsyncSession, item: Item, stage: Stage, now: datetime) -> bool:
        """Queue the messages of one reminder; False when it no longer applies."""
        deps = self._deps
        rule = REMINDERS[stage.kind]
        if rule.unless_rated and item.rating is not None:
            return False
        deputy = await deputy_of(session, item)
        view = Nudge(item, deputy, cards.department_name(deps.config, item.department), deps)
        text, buttons = rule.render(view)
        hold = now if item.urgent else self._deps.policy.quiet.release(now)
        recipients: list[int] = []
        for to in rule.to:
            if to in DEPARTMENT_PEOPLE and not deps.config.in_telegram(item.department):
                continue  # the 12345 platform works this department's items: it is told below
            recipients += await _recipients(session, to, item, deputy, deps)
        if deps.config.on_hotline(item.department) and DEPARTMENT_PEOPLE & set(rule.to):
            told = View(deps.config, deps.tz, item, deputy, None)
            deps.hotline.enqueue(
                session, now, Outbound.REMINDED, told, reminder=stage.kind, text=text
            )
        for chat_id in dict.fromkeys(recipients):
            outbox.send(
                session, now, chat_id=chat_id, text=text, buttons=buttons, item_id=item.id,
                not_before=hold, card=rule.card, bulk=True,
            )  # fmt: skip
        return True


@dataclass(frozen=True)
class Nudge:
    """What a reminder's text may say."""

    item: Item
    deputy: Member | None
    department: str
    deps: ServiceDeps

    def due(self, moment: datetime | None) -> str:
        """Format a deadline in local time."""
        return _at(moment, self.deps.tz)

    @property
    def text(self) -> str:
        """Return the item's text clipped for a reminder."""
        return cards.clip(self.item.text, 300)


Render = Callable[[Nudge], tuple[str, Buttons | None]]


@dataclass(frozen=True)
class Reminding:
    """One kind of reminder: who hears it, what it says, which buttons it carries."""

    to: tuple[str, ...]
    render: Render
    card: CardKind | None = None
    unless_rated: bool = False


def _text(template: str, **fields: Callable[[Nudge], str]) -> Render:
    """Build a reminder text with the tracking number, item text and the given fields."""

    def render(n: Nudge) -> tuple[str, Buttons | None]:
        values = {key: get(n) for key, get in fields.items()}
        return template.format(no=n.item.tracking_no, text=n.text, **values), None

    return render


def _with(render: Render, buttons: Callable[[Nudge], Buttons]) -> Render:
    """Add buttons to a reminder text."""
    return lambda n: (render(n)[0], buttons(n))


def _lookback_buttons(n: Nudge) -> Buttons:
    """Return the 30-day question's two answers."""
    return [
        [
            (texts.BTN_RESOLVED, cb.make(cb.LOOKBACK, n.item.id, "ok")),
            (texts.BTN_RECURRED, cb.make(cb.LOOKBACK, n.item.id, "again")),
        ]
    ]


def _answer_at(percent: str) -> Reminding:
    """Remind the acknowledging handler at a share of the answer period."""
    render = _text(
        texts.REMIND_ANSWER, due=lambda n: n.due(n.item.answer_due_at), percent=lambda n: percent
    )
    return Reminding(("acknowledger",), render)


REMINDERS: Mapping[str, Reminding] = MappingProxyType(
    {
        "ack_overdue": Reminding(
            ("handlers",),
            _with(
                _text(texts.REMIND_ACK, due=lambda n: n.due(n.item.ack_due_at)),
                lambda n: cards.handler_card(n.deps.config, n.item, n.deputy)[1],
            ),
            CardKind.ASSIGNMENT,
        ),
        "ack_escalate": Reminding(
            ("admins",),
            _text(
                texts.ESCALATE_ACK,
                department=lambda n: n.department,
                due=lambda n: n.due(n.item.ack_due_at),
            ),
        ),
        "answer_50": _answer_at("50"),
        "answer_80": _answer_at("80"),
        "answer_breach": Reminding(
            ("handlers",), _text(texts.BREACH_ANSWER, due=lambda n: n.due(n.item.answer_due_at))
        ),
        "supervise": Reminding(
            ("supervisors", "admins"),
            _text(
                texts.SUPERVISE,
                department=lambda n: n.department,
                due=lambda n: n.due(n.item.answer_due_at),
                deputy=lambda n: cards.deputy_label(n.deputy, n.item),
            ),
        ),
        "followup": Reminding(
            ("deputy",),
            lambda n: (
                texts.FOLLOWUP.format(
                    no=n.item.tracking_no,
                    closed=n.due(n.item.closed_at),
                    answer=cards.clip(n.item.answer or "", 300),
                ),
                cards.rating_buttons(n.item),
            ),
            CardKind.RATING,
            unless_rated=True,
        ),
        "lookback": Reminding(
            ("deputy",), _with(_text(texts.LOOKBACK), _lookback_buttons), CardKind.LOOKBACK
        ),
    }
)


async def _recipients(
    session: AsyncSession, to: str, item: Item, deputy: Member | None, deps: ServiceDeps
) -> list[int]:
    """Return the chats of one kind of recipient."""
    match to:
        case "handlers":
            return await _handler_ids(session, item)
        case "acknowledger":
            return await _acknowledger_ids(session, item)
        case "supervisors":
            return await _supervisor_ids(session, item)
        case "admins":
            return sorted(deps.admin_ids)
        case _:
            return [deputy.telegram_id] if deputy and not deputy.revoked_at else []


def _at(moment: datetime | None, tz: ZoneInfo) -> str:
    """Format a deadline in local time."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else "—"


async def _handler_ids(session: AsyncSession, item: Item) -> list[int]:
    """Return the chats of the item's department handlers (looked up once per transaction)."""
    if item.department is None:
        return []
    cache: dict[str, list[int]] = session.info.setdefault("handler_ids", {})
    if item.department not in cache:
        members = await handlers_of(session, department=item.department)
        cache[item.department] = [m.telegram_id for m in members]
    return cache[item.department]


async def _acknowledger_ids(session: AsyncSession, item: Item) -> list[int]:
    """Return the chat of the handler who acknowledged the item (else the department's)."""
    member = await session.get(Member, item.acknowledged_by) if item.acknowledged_by else None
    return [member.telegram_id] if member else await _handler_ids(session, item)


async def _supervisor_ids(session: AsyncSession, item: Item) -> list[int]:
    """Return the chats of the department's supervisors (department heads)."""
    cache: dict[str | None, list[int]] = session.info.setdefault("supervisor_ids", {})
    if item.department not in cache:
        members = await supervisors_of(session, department=item.department or "")
        cache[item.department] = [m.telegram_id for m in members]
    return cache[item.department]
