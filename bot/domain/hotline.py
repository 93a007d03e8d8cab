"""The 12345 platform in the item's life: what it reports, what we tell it, and when.

Pure data and functions: which report of the platform is which action, and which actions
(taken in the bot) the platform must hear about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.rules import Action
from bot.domain.states import Status


class Report(StrEnum):
    """What the platform reports about a work order."""

    ACCEPTED = "accepted"  # 受理 / 签收
    PROGRESS = "progress"  # 进展
    ANSWERED = "answered"  # 答复 / 办结
    RETURNED = "returned"  # 退回
    EXTENDED = "extended"  # 延期


# The platform may name a report in Chinese, as its own documents do.
REPORT_NAMES: dict[str, Report] = {
    **{r.value: r for r in Report},
    "受理": Report.ACCEPTED,
    "签收": Report.ACCEPTED,
    "进展": Report.PROGRESS,
    "办理中": Report.PROGRESS,
    "答复": Report.ANSWERED,
    "办结": Report.ANSWERED,
    "已办结": Report.ANSWERED,
    "退回": Report.RETURNED,
    "延期": Report.EXTENDED,
}
NEEDS_TEXT = frozenset({Report.PROGRESS, Report.ANSWERED, Report.RETURNED})


class Outbound(StrEnum):
    """What deputybot sends the platform."""

    ORDER = "order"  # a new work order (派发工单), or the same code sent to it again
    REOPENED = "reopened"  # the deputy was not satisfied: 重办, with the reason
    RATED = "rated"  # the deputy's rating of the answer
    FOLLOW_UP = "follow_up"  # 回头看 after 30 days: resolved, or it came back
    WITHDRAWN = "withdrawn"  # the item left the platform's departments (撤回)
    REMINDED = "reminded"  # a deadline passed or nears (催办 / 督办)
    UPDATED = "updated"  # a Telegram handler of a shared department acted on it


# The action a report stands for (EXTENDED sets the platform's new answer deadline).
REPORT_ACTIONS: Mapping[Report, Action] = MappingProxyType(
    {
        Report.ACCEPTED: Action.ACKNOWLEDGE,
        Report.PROGRESS: Action.PROGRESS,
        Report.ANSWERED: Action.ANSWER,
        Report.RETURNED: Action.RETURN,
        Report.EXTENDED: Action.EXTEND,
    }
)
# Reports that imply an acknowledgement the platform has not sent (yet): out of order.
IMPLY_ACKNOWLEDGED = frozenset({Report.PROGRESS, Report.ANSWERED})


@dataclass(frozen=True)
class Plan:
    """How to apply one report to an item in its present state."""

    actions: tuple[Action, ...]  # empty: nothing to change
    outcome: str  # applied, implied (an acknowledgement was missing), late (already past it)


def plan(report: Report, status: Status) -> Plan | None:
    """Return how a report applies to an item in this state; None when it makes no sense."""
    action = REPORT_ACTIONS[report]
    if status is Status.ROUTED:
        if report in IMPLY_ACKNOWLEDGED:
            return Plan((Action.ACKNOWLEDGE, action), "implied")
        return Plan((action,), "applied")
    if status is Status.ACKNOWLEDGED:
        if report is Report.ACCEPTED:
            return Plan((), "late")
        return Plan((action,), "applied")
    if status is Status.CLOSED and report in (
        Report.ACCEPTED, Report.PROGRESS, Report.ANSWERED
    ):  # fmt: skip
        return Plan((), "late")  # arrived after the answer it precedes (or a repeat of it)
    return None


# What the platform hears when an action is taken, by someone else, on an item it handles.
TOLD: Mapping[Action, Outbound] = MappingProxyType(
    {
        Action.COMPLAIN: Outbound.REOPENED,
        Action.RATE: Outbound.RATED,
        Action.RESOLVED: Outbound.FOLLOW_UP,
        Action.RECURRED: Outbound.FOLLOW_UP,
        Action.RETURN: Outbound.WITHDRAWN,
        # A Telegram handler of a department both reach acted on it.
        Action.ACKNOWLEDGE: Outbound.UPDATED,
        Action.PROGRESS: Outbound.UPDATED,
        Action.ANSWER: Outbound.UPDATED,
        Action.APPROVE_EXTENSION: Outbound.UPDATED,
    }
)
# Actions that send the item to a department (afresh): the platform gets a work order.
ROUTING = frozenset({Action.SUBMIT, Action.REROUTE, Action.APPROVE_TRANSFER})


def messages_for(
    action: Action, *, was_on_hotline: bool, on_hotline: bool, by_platform: bool
) -> tuple[Outbound, ...]:
    """Return what the platform must be sent after an action, in order.

    was_on_hotline / on_hotline: whether the item's department before and after the action is
    handled by the platform. The platform is never told what it reported itself.
    """
    if by_platform:
        return ()
    if action in ROUTING:
        left = was_on_hotline and action is not Action.SUBMIT  # a draft was never sent
        return (Outbound.WITHDRAWN,) * left + (Outbound.ORDER,) * on_hotline
    told = TOLD.get(action)
    return (told,) if told is not None and was_on_hotline else ()
