"""The item's life as data: for each action, who may, from which states, to which, with what.

Services load the item, ask `authorize` (the one permission check for buttons, commands, jobs
and HTTP callers alike), apply the rule's changes, record its events, queue its notices and
retire the cards it names. A new action is a new row here, a text, a button and its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.states import OPEN, CardKind, EventKind, Purpose, Role, Status


class Action(StrEnum):
    """Everything that can be done to an item."""

    SHOW_TOPICS = "show_topics"
    PICK_TOPIC = "pick_topic"
    TOGGLE_URGENT = "toggle_urgent"
    CANCEL = "cancel"
    SUBMIT = "submit"
    ACKNOWLEDGE = "acknowledge"
    RETURN = "return"
    PROGRESS = "progress"
    ANSWER = "answer"
    RATE = "rate"
    COMPLAIN = "complain"
    REROUTE = "reroute"
    OPEN_CARD = "open_card"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    PICK_TRANSFER = "pick_transfer"
    REQUEST_TRANSFER = "request_transfer"
    APPROVE_TRANSFER = "approve_transfer"
    REFUSE_TRANSFER = "refuse_transfer"
    RESOLVED = "resolved"
    RECURRED = "recurred"
    RELEASE = "release"
    EXTEND = "extend"  # the 12345 platform set a new answer deadline (延期)


class Who(StrEnum):
    """Whom a rule lets act, relative to the item."""

    OWNER = "owner"  # the deputy who raised the item
    DEPARTMENT = "department"  # a handler of the item's department
    ADMIN = "admin"
    SYSTEM = "system"  # jobs and the service itself (a revocation, a reminder)
    PLATFORM = "platform"  # the 12345 platform, for an item of a department it handles


class Guard(StrEnum):
    """Facts about the item, besides its status, that a rule requires."""

    ROUTABLE = "routable"  # the classifier (or the deputy) chose a department
    UNROUTABLE = "unroutable"
    NOT_RATED = "not_rated"
    EXTENSION_AVAILABLE = "extension_available"  # never extended, never asked
    EXTENSION_PENDING = "extension_pending"
    TRANSFER_AVAILABLE = "transfer_available"  # no transfer waiting for a decision
    TRANSFER_PENDING = "transfer_pending"
    LOOKBACK_OPEN = "lookback_open"  # the 30-day question was asked and not answered


class Audience(StrEnum):
    """Who a notice goes to."""

    ACTOR = "actor"  # the chat the action came from (a new message)
    PRESSED = "pressed"  # the message whose button was pressed (edited in place)
    DEPUTY = "deputy"
    HANDLERS = "handlers"  # the item's department; administrators are told if it has none
    ADMINS = "admins"
    REQUESTER = "requester"  # the handler who asked for an extension or a transfer


@dataclass(frozen=True)
class Notice:
    """One message an action sends: to whom, which (a key of the renderers)."""

    to: Audience
    message: str


@dataclass(frozen=True)
class Rule:
    """One row of the table."""

    action: Action
    who: frozenset[Who]
    states: frozenset[Status]
    to: Status | None = None
    guards: tuple[Guard, ...] = ()
    events: tuple[EventKind, ...] = ()
    notices: tuple[Notice, ...] = ()
    retire: tuple[CardKind, ...] = ()
    asks: Purpose | None = None  # the action needs a text first: this is what it answers
    toast: str = ""  # key of the button answer in bot.texts ("" for the usual 好的)


def _rule(
    action: Action,
    who: tuple[Who, ...],
    states: frozenset[Status] | tuple[Status, ...],
    **rest: object,
) -> Rule:
    """Build a rule from tuples."""
    return Rule(action, frozenset(who), frozenset(states), **rest)  # type: ignore[arg-type]


def _notices(*pairs: tuple[Audience, str]) -> tuple[Notice, ...]:
    """Build notices from (audience, message) pairs."""
    return tuple(Notice(to, message) for to, message in pairs)


A, W, S, E, C = Audience, Who, Status, EventKind, CardKind
DRAFT = (S.DRAFT,)

TABLE: tuple[Rule, ...] = (
    _rule(Action.SHOW_TOPICS, (W.OWNER,), DRAFT, notices=_notices((A.PRESSED, "topic_picker"))),
    _rule(
        Action.PICK_TOPIC, (W.OWNER,), DRAFT, to=S.DRAFT, events=(E.RECLASSIFIED,),
        notices=_notices((A.PRESSED, "draft_card")),
    ),
    _rule(
        Action.TOGGLE_URGENT, (W.OWNER,), DRAFT, to=S.DRAFT, events=(E.RECLASSIFIED,),
        notices=_notices((A.PRESSED, "draft_card")),
    ),
    _rule(
        Action.CANCEL, (W.OWNER,), DRAFT, to=S.CANCELLED, events=(E.CANCELLED,),
        notices=_notices((A.PRESSED, "draft_cancelled")),
    ),
    _rule(
        Action.SUBMIT, (W.OWNER, W.SYSTEM), DRAFT, to=S.ROUTED, guards=(Guard.ROUTABLE,),
        events=(E.SUBMITTED,),
        notices=_notices(
            (A.PRESSED, "submitted_card"), (A.ACTOR, "received_routed"),
            (A.HANDLERS, "assignment_card"),
        ),
    ),
    _rule(
        Action.SUBMIT, (W.OWNER, W.SYSTEM), DRAFT, to=S.TRIAGE, guards=(Guard.UNROUTABLE,),
        events=(E.SUBMITTED,),
        notices=_notices(
            (A.PRESSED, "submitted_card"), (A.ACTOR, "received_triage"),
            (A.ADMINS, "triage_card_abstained"),
        ),
    ),
    _rule(
        Action.ACKNOWLEDGE, (W.DEPARTMENT, W.PLATFORM), (S.ROUTED,), to=S.ACKNOWLEDGED,
        events=(E.ACKNOWLEDGED,), retire=(C.ASSIGNMENT,), toast="TOAST_ACKED",
        notices=_notices((A.PRESSED, "working_card"), (A.DEPUTY, "to_deputy_acked")),
    ),
    _rule(
        Action.RETURN, (W.DEPARTMENT, W.PLATFORM), OPEN, to=S.TRIAGE, asks=Purpose.RETURN,
        events=(E.RETURNED,), retire=(C.ASSIGNMENT, C.WORKING),
        notices=_notices(
            (A.ADMINS, "triage_card_returned"), (A.DEPUTY, "to_deputy_returned"),
            (A.ACTOR, "handler_done_return"),
        ),
    ),
    _rule(
        Action.PROGRESS, (W.DEPARTMENT, W.PLATFORM), (S.ACKNOWLEDGED,), asks=Purpose.PROGRESS,
        events=(E.PROGRESS,),
        notices=_notices((A.DEPUTY, "to_deputy_progress"), (A.ACTOR, "handler_done_progress")),
    ),
    _rule(
        Action.ANSWER, (W.DEPARTMENT, W.PLATFORM), (S.ACKNOWLEDGED,), to=S.CLOSED,
        asks=Purpose.ANSWER,
        events=(E.ANSWERED,),
        notices=_notices((A.DEPUTY, "to_deputy_answer"), (A.ACTOR, "handler_done_answer")),
    ),
    _rule(
        Action.RATE, (W.OWNER,), (S.CLOSED,), guards=(Guard.NOT_RATED,), events=(E.RATED,),
        notices=_notices((A.ACTOR, "to_deputy_thanks")),
    ),
    _rule(
        Action.COMPLAIN, (W.OWNER,), (S.CLOSED,), to=S.ROUTED, guards=(Guard.NOT_RATED,),
        asks=Purpose.UNSATISFIED, events=(E.RATED, E.REOPENED),
        notices=_notices((A.HANDLERS, "assignment_card_reopened"), (A.ACTOR, "to_deputy_reopened")),
    ),
    _rule(
        Action.REROUTE, (W.ADMIN,), (S.TRIAGE,), to=S.ROUTED, events=(E.REROUTED,),
        retire=(C.TRIAGE,), toast="ADMIN_REROUTED",
        notices=_notices(
            (A.HANDLERS, "assignment_card"), (A.PRESSED, "card_routed"),
            (A.DEPUTY, "to_deputy_rerouted"),
        ),
    ),
    _rule(Action.OPEN_CARD, (W.DEPARTMENT,), OPEN, notices=_notices((A.ACTOR, "current_card"))),
    _rule(
        Action.REQUEST_EXTENSION, (W.DEPARTMENT,), (S.ACKNOWLEDGED,),
        guards=(Guard.EXTENSION_AVAILABLE,), asks=Purpose.EXTENSION,
        events=(E.EXTENSION_REQUESTED,),
        notices=_notices((A.ADMINS, "extension_card"), (A.ACTOR, "extension_sent")),
    ),
    _rule(
        Action.APPROVE_EXTENSION, (W.ADMIN,), OPEN, guards=(Guard.EXTENSION_PENDING,),
        events=(E.EXTENDED,), retire=(C.EXTENSION,),
        notices=_notices((A.HANDLERS, "extension_approved")),
    ),
    _rule(
        Action.REFUSE_EXTENSION, (W.ADMIN,), OPEN, guards=(Guard.EXTENSION_PENDING,),
        events=(E.EXTENSION_REFUSED,), retire=(C.EXTENSION,),
        notices=_notices((A.HANDLERS, "extension_refused")),
    ),
    _rule(
        Action.PICK_TRANSFER, (W.DEPARTMENT,), OPEN, guards=(Guard.TRANSFER_AVAILABLE,),
        notices=_notices((A.ACTOR, "transfer_picker")),
    ),
    _rule(
        Action.REQUEST_TRANSFER, (W.DEPARTMENT,), OPEN, guards=(Guard.TRANSFER_AVAILABLE,),
        asks=Purpose.TRANSFER, events=(E.TRANSFER_REQUESTED,),
        notices=_notices((A.ADMINS, "transfer_card"), (A.ACTOR, "transfer_sent")),
    ),
    _rule(
        Action.APPROVE_TRANSFER, (W.ADMIN,), OPEN, to=S.ROUTED, guards=(Guard.TRANSFER_PENDING,),
        events=(E.TRANSFERRED,), retire=(C.TRANSFER, C.ASSIGNMENT, C.WORKING),
        notices=_notices(
            (A.HANDLERS, "assignment_card"), (A.REQUESTER, "transfer_approved"),
            (A.DEPUTY, "to_deputy_rerouted"),
        ),
    ),
    _rule(
        Action.REFUSE_TRANSFER, (W.ADMIN,), OPEN, guards=(Guard.TRANSFER_PENDING,),
        events=(E.TRANSFER_REFUSED,), retire=(C.TRANSFER,),
        notices=_notices((A.REQUESTER, "transfer_refused")),
    ),
    _rule(
        Action.RESOLVED, (W.OWNER,), (S.CLOSED,), guards=(Guard.LOOKBACK_OPEN,),
        events=(E.LOOKBACK,),
        notices=_notices((A.PRESSED, "lookback_answered"), (A.ACTOR, "lookback_ok")),
    ),
    _rule(
        Action.RECURRED, (W.OWNER,), (S.CLOSED,), guards=(Guard.LOOKBACK_OPEN,),
        events=(E.LOOKBACK,), notices=_notices((A.PRESSED, "lookback_answered")),
    ),
    _rule(
        Action.RELEASE, (W.SYSTEM, W.ADMIN), (S.ACKNOWLEDGED,), to=S.ROUTED,
        events=(E.RELEASED,), notices=_notices((A.HANDLERS, "assignment_card_released")),
    ),
    _rule(
        Action.EXTEND, (W.PLATFORM,), OPEN, events=(E.EXTENDED,),
        notices=_notices((A.HANDLERS, "extended_by_platform")),
    ),
)  # fmt: skip

# What each kind of awaited text completes.
ANSWERS: Mapping[Purpose, Action] = MappingProxyType(
    {rule.asks: rule.action for rule in TABLE if rule.asks is not None}
)


def rules_for(action: Action) -> tuple[Rule, ...]:
    """Return the rows of an action (several when its outcome depends on the item)."""
    return tuple(rule for rule in TABLE if rule.action is action)


ROLE_WHO: Mapping[Role, frozenset[Who]] = MappingProxyType(
    {
        Role.ADMIN: frozenset({Who.ADMIN}),
        Role.DEPUTY: frozenset({Who.OWNER}),
        Role.HANDLER: frozenset({Who.DEPARTMENT}),
        Role.SUPERVISOR: frozenset(),
        Role.STRANGER: frozenset(),
        Role.PLATFORM: frozenset({Who.PLATFORM}),
    }
)
