"""What an action changes on an item, returned as field values (the service assigns them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.rules import Action, Rule
from bot.domain.states import Rating, RouteSource, Status


class Clocked(Protocol):
    """The deadline policy, as far as changes need it."""

    def acknowledge_due(self, start: datetime, topic: str | None, urgent: bool) -> datetime:
        """Return the acknowledge deadline."""
        ...

    def answer_due(self, start: datetime, topic: str | None, urgent: bool) -> datetime:
        """Return the answer deadline."""
        ...

    def extension(self, start: datetime, topic: str | None, urgent: bool) -> datetime:
        """Return the answer deadline after an extension."""
        ...


class ItemView(Protocol):
    """The fields of an item the changes read."""

    topic: str | None
    urgent: bool
    reopen_count: int
    answer_due_at: datetime | None


@dataclass(frozen=True)
class Inputs:
    """Everything besides the item that an action's changes depend on."""

    now: datetime
    policy: Clocked
    member_id: int | None = None  # the acting member (who acknowledges)
    text: str = ""  # the typed input (an answer, a reason)
    topic: str | None = None  # a topic picked (PICK_TOPIC) or a department's topic (rerouting)
    department: str | None = None  # a department picked by the action
    rating: Rating | None = None
    tracking_no: str | None = None
    due: datetime | None = None  # a new answer deadline the action sets (EXTEND)


Values = dict[str, Any]

UNACKNOWLEDGED: Values = {"acknowledged_at": None, "acknowledged_by": None}


def clock(item: ItemView, inputs: Inputs, *, topic: str | None) -> Values:
    """Return fresh routing time and deadlines, counted from now."""
    now, policy = inputs.now, inputs.policy
    return {
        "routed_at": now,
        "ack_due_at": policy.acknowledge_due(now, topic, item.urgent),
        "answer_due_at": policy.answer_due(now, topic, item.urgent),
    }


def _routed(item: ItemView, inputs: Inputs) -> Values:
    """Send the item to the department the action names, with fresh deadlines."""
    topic = inputs.topic if inputs.topic is not None else item.topic
    return {
        "department": inputs.department,
        "topic": topic,
        "route_source": RouteSource.ADMIN,
        **UNACKNOWLEDGED,
        **clock(item, inputs, topic=topic),
    }


def changes(rule: Rule, item: ItemView, inputs: Inputs) -> Values:
    """Return the field values a rule's action sets, besides the status the rule names."""
    match rule.action:
        case Action.PICK_TOPIC:
            return {
                "topic": inputs.topic,
                "department": inputs.department,
                "confidence": 1.0 if inputs.topic else 0.0,
                "matched": [],
                "abstained": inputs.topic is None,
                "route_source": RouteSource.DEPUTY,
            }
        case Action.TOGGLE_URGENT:
            return {"urgent": not item.urgent}
        case Action.SUBMIT if rule.to is Status.ROUTED:
            submitted = {"tracking_no": inputs.tracking_no, "submitted_at": inputs.now}
            return {**submitted, **clock(item, inputs, topic=item.topic)}
        case Action.SUBMIT:
            return {
                "tracking_no": inputs.tracking_no,
                "submitted_at": inputs.now,
                "department": None,
            }
        case Action.ACKNOWLEDGE:
            return {"acknowledged_at": inputs.now, "acknowledged_by": inputs.member_id}
        case Action.RETURN:
            return {"department": None, **UNACKNOWLEDGED}
        case Action.ANSWER:
            return {"answer": inputs.text, "closed_at": inputs.now}
        case Action.RATE:
            return {"rating": inputs.rating}
        case Action.COMPLAIN:
            return {
                "reopen_count": item.reopen_count + 1,
                "closed_at": None,
                "answer": None,
                "rating": None,
                **UNACKNOWLEDGED,
                **clock(item, inputs, topic=item.topic),
            }
        case Action.REROUTE | Action.APPROVE_TRANSFER:
            return _routed(item, inputs)
        case Action.APPROVE_EXTENSION:
            assert item.answer_due_at is not None
            due = inputs.policy.extension(item.answer_due_at, item.topic, item.urgent)
            return {"answer_due_at": due, "extension_used": True}
        case Action.RELEASE:
            return dict(UNACKNOWLEDGED)
        case Action.EXTEND:
            return {"answer_due_at": inputs.due}
        case _:
            return {}
