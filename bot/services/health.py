"""How the deployment is doing: instances, the poller, queue depths, the oldest unsent message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import Clock, SystemClock
from bot.db.models import ChatHold, HotlineMessage, InboxUpdate, Instance, OutboxMessage
from bot.db.sessions import Sessions

WALL = SystemClock()
ALIVE = timedelta(seconds=60)
POLL_LATE = timedelta(minutes=2)
INBOX_LATE = timedelta(minutes=1)
OUTBOX_LATE = timedelta(minutes=5)


@dataclass
class Health:
    """A snapshot of the deployment; healthy when `problems` is empty."""

    instances: int
    poller: str | None
    poller_up_seconds: float | None
    last_poll_ok_seconds: float | None
    inbox_pending: int
    inbox_oldest_seconds: float | None
    inbox_failed: int
    outbox_pending: int
    outbox_due: int
    outbox_oldest_due_seconds: float | None
    outbox_failed: int
    held_chats: int
    mode: str = "poll"  # how Telegram's updates arrive: polled, or pushed to the webhook
    last_update_seconds: float | None = None
    hotline_pending: int = 0
    hotline_oldest_due_seconds: float | None = None
    hotline_failed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether nothing is wrong."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data."""
        return {**asdict(self), "ok": self.ok}


async def check(sessions: Sessions, clock: Clock) -> Health:
    """Read the heartbeats and queues and say what is wrong."""
    wall, now = WALL.now(), clock.now()
    async with sessions() as session:
        alive = list(
            (
                await session.execute(
                    select(Instance).where(
                        Instance.seen_at >= wall - ALIVE, Instance.stopped_at.is_(None)
                    )
                )
            ).scalars()
        )
        inbox = (
            await session.execute(
                select(func.count(), func.min(InboxUpdate.received_at)).where(
                    InboxUpdate.status == "pending"
                )
            )
        ).one()
        inbox_failed = await _count(session, InboxUpdate.status == "failed")
        pending = await _count(session, OutboxMessage.status == "pending")
        due = (
            await session.execute(
                select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
                )
            )
        ).one()
        failed = await _count(session, OutboxMessage.status == "failed")
        held = int(await session.scalar(select(func.count()).select_from(ChatHold)) or 0)
        hotline = (
            await session.execute(
                select(func.count(), func.min(HotlineMessage.next_attempt_at)).where(
                    HotlineMessage.status == "pending"
                )
            )
        ).one()
        hotline_failed = await _count(session, HotlineMessage.status == "failed")
        newest = await session.scalar(select(func.max(InboxUpdate.received_at)))
    pollers = sorted((i for i in alive if i.polling), key=lambda i: i.seen_at, reverse=True)
    poller = pollers[0] if pollers else None
    report = Health(
        instances=len(alive),
        poller=f"{poller.host}:{poller.pid}" if poller else None,
        poller_up_seconds=_age(wall, poller.started_at if poller else None),
        last_poll_ok_seconds=_age(wall, poller.last_poll_ok_at if poller else None),
        inbox_pending=int(inbox[0] or 0),
        inbox_oldest_seconds=_age(wall, inbox[1]),
        inbox_failed=inbox_failed,
        outbox_pending=pending,
        outbox_due=int(due[0] or 0),
        outbox_oldest_due_seconds=_age(now, due[1]),
        outbox_failed=failed,
        held_chats=held,
        mode="webhook" if any(i.mode == "webhook" for i in alive) else "poll",
        last_update_seconds=_age(wall, newest),
        hotline_pending=int(hotline[0] or 0),
        hotline_oldest_due_seconds=_age(wall, hotline[1]),
        hotline_failed=hotline_failed,
    )
    report.problems = problems_of(report)
    return report


def problems_of(report: Health) -> list[str]:
    """Name what needs an operator."""
    problems = []
    if not report.instances:
        problems.append("no bot instance has reported in the last minute")
    elif report.mode == "webhook":
        pass  # Telegram pushes updates: there is no poller to watch
    elif report.poller is None:
        problems.append("no instance is polling Telegram")
    elif _since_polled(report) > POLL_LATE.seconds:
        problems.append("polling Telegram has been failing for over 2 minutes")
    if (report.inbox_oldest_seconds or 0) > INBOX_LATE.seconds:
        problems.append("updates have waited in the inbox for over a minute")
    if (report.outbox_oldest_due_seconds or 0) > OUTBOX_LATE.seconds:
        problems.append("a message has waited to be sent for over 5 minutes")
    if (report.hotline_oldest_due_seconds or 0) > OUTBOX_LATE.seconds:
        problems.append("a request has waited for the 12345 platform for over 5 minutes")
    return problems


def _since_polled(report: Health) -> float:
    """Seconds since the poller last fetched (since it started, if it has not yet)."""
    if report.last_poll_ok_seconds is not None:
        return report.last_poll_ok_seconds
    return report.poller_up_seconds or 0.0


async def _count(session: Any, condition: Any) -> int:
    """Count rows of the condition's table."""
    return int(await session.scalar(select(func.count()).where(condition)) or 0)


def _age(now: datetime, moment: datetime | None) -> float | None:
    """Return seconds since a moment, or None."""
    return None if moment is None else round((now - moment).total_seconds(), 1)
