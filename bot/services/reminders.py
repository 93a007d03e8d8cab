"""The reminder sweep: derive what is due from the database and issue each reminder once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.db.models import Item, Member, Reminder
from bot.services import cards, outbox
from bot.services.actors import handlers_of, supervisors_of
from bot.services.base import ServiceDeps, deputy_of, record
from bot.services.policy import PolicySource
from bot.services.schedule import Stage, deadline_round, next_due, stages

BATCH = 200
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

    def __init__(self, deps: ServiceDeps, policy: PolicySource) -> None:
        self._deps = deps
        self._policy = policy

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
                        kind="reminded",
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
        quiet = self._policy.current().quiet
        hold = now if item.urgent else quiet.release(now)
        local = deps.tz
        department = cards.department_name(deps.config, item.department)
        text = cards.clip(item.text, 300)
        no = item.tracking_no
        recipients: list[int] = []
        buttons = None
        if stage.kind == "ack_overdue":
            message = texts.REMIND_ACK.format(no=no, due=_at(item.ack_due_at, local), text=text)
            recipients = await _handler_ids(session, item)
            buttons = cards.handler_card(deps.config, item, await deputy_of(session, item))[1]
        elif stage.kind == "ack_escalate":
            message = texts.ESCALATE_ACK.format(
                no=no, department=department, due=_at(item.ack_due_at, local), text=text
            )
            recipients = sorted(deps.admin_ids)
        elif stage.kind in ("answer_50", "answer_80"):
            message = texts.REMIND_ANSWER.format(
                no=no, due=_at(item.answer_due_at, local), percent=stage.kind[-2:], text=text
            )
            recipients = await _acknowledger_ids(session, item)
        elif stage.kind == "answer_breach":
            message = texts.BREACH_ANSWER.format(
                no=no, due=_at(item.answer_due_at, local), text=text
            )
            recipients = await _handler_ids(session, item)
        elif stage.kind == "supervise":
            deputy = await deputy_of(session, item)
            message = texts.SUPERVISE.format(
                no=no,
                department=department,
                due=_at(item.answer_due_at, local),
                deputy=cards.deputy_label(deputy),
                text=text,
            )
            recipients = await _supervisor_ids(session, item) + sorted(deps.admin_ids)
        elif stage.kind == "followup":
            if item.rating is not None:
                return False
            message = texts.FOLLOWUP.format(
                no=no, closed=_at(item.closed_at, local), answer=cards.clip(item.answer or "", 300)
            )
            recipients = [(await deputy_of(session, item)).telegram_id]
            buttons = cards.rating_buttons(item)
        else:
            message = texts.LOOKBACK.format(no=no, text=text)
            recipients = [(await deputy_of(session, item)).telegram_id]
            buttons = [
                [
                    (texts.BTN_RESOLVED, cb.make(cb.LOOKBACK, item.id, "ok")),
                    (texts.BTN_RECURRED, cb.make(cb.LOOKBACK, item.id, "again")),
                ]
            ]
        for chat_id in dict.fromkeys(recipients):
            outbox.send(
                session,
                now,
                chat_id=chat_id,
                text=message,
                buttons=buttons,
                item_id=item.id,
                not_before=hold,
            )
        return True


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
