"""When each reminder of an item falls due, derived from its deadlines and status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.models import Item
from bot.services.deadlines import DeadlinePolicy

FOLLOWUP_AFTER = timedelta(days=1)
LOOKBACK_AFTER = timedelta(days=30)
ANSWER_POINTS = (("answer_50", 0.5), ("answer_80", 0.8))


@dataclass(frozen=True)
class Stage:
    """One reminder of an item and the moment it is due."""

    kind: str
    at: datetime


def deadline_round(item: Item) -> int:
    """Number the item's current set of deadlines; a reopening or extension starts a new one."""
    return item.reopen_count * 2 + int(item.extension_used)


def stages(item: Item) -> list[Stage]:
    """List every reminder the item's current status calls for, due or not."""
    found: list[Stage] = []
    if item.status == "routed" and item.ack_due_at and item.routed_at:
        span = item.ack_due_at - item.routed_at
        found += [
            Stage("ack_overdue", item.ack_due_at),
            Stage("ack_escalate", item.ack_due_at + span / 2),
        ]
    if item.status in ("routed", "acknowledged") and item.answer_due_at and item.routed_at:
        span = item.answer_due_at - item.routed_at
        if item.status == "acknowledged":
            found += [Stage(kind, item.routed_at + span * share) for kind, share in ANSWER_POINTS]
        found += [
            Stage("answer_breach", item.answer_due_at),
            Stage("supervise", item.answer_due_at),
        ]
    if item.status == "closed" and item.closed_at:
        found += [
            Stage("followup", item.closed_at + FOLLOWUP_AFTER),
            Stage("lookback", item.closed_at + LOOKBACK_AFTER),
        ]
    return found


def next_due(item: Item, issued: set[str]) -> datetime | None:
    """Return when the earliest reminder not yet issued falls due."""
    moments = [stage.at for stage in stages(item) if stage.kind not in issued]
    return min(moments, default=None)


def refresh(item: Item) -> None:
    """Point the sweep at the item's next reminder after a change of status or deadline."""
    item.next_reminder_at = next_due(item, set())


def start_clock(item: Item, now: datetime, policy: DeadlinePolicy) -> None:
    """Set fresh acknowledge and answer deadlines for an item just routed to a department."""
    item.routed_at = now
    item.ack_due_at = policy.acknowledge_due(now, item.topic, item.urgent)
    item.answer_due_at = policy.answer_due(now, item.topic, item.urgent)
    refresh(item)
