"""The enumerated values of an item's life; stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an item is in its life."""

    DRAFT = "draft"
    TRIAGE = "triage"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN = frozenset({Status.ROUTED, Status.ACKNOWLEDGED})
SUBMITTED = frozenset(set(Status) - {Status.DRAFT, Status.CANCELLED})


class Rating(StrEnum):
    """A deputy's rating of an answer."""

    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"


class Role(StrEnum):
    """Who someone is to the bot."""

    ADMIN = "admin"
    DEPUTY = "deputy"
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    STRANGER = "stranger"
    PLATFORM = "platform"  # the 12345 platform, reporting through the connector


MEMBER_ROLES = (Role.DEPUTY, Role.HANDLER, Role.SUPERVISOR)


class Source(StrEnum):
    """Where an item came from."""

    TELEGRAM = "telegram"  # a deputy, in the bot
    OPEN311 = "open311"  # another system, through the GeoReport v2 API


class Urgency(StrEnum):
    """How fast an item must be handled (the routing file's 普通 and 紧急)."""

    NORMAL = "normal"
    URGENT = "urgent"

    @classmethod
    def of(cls, urgent: bool) -> Urgency:
        """Return the urgency of an item's flag."""
        return cls.URGENT if urgent else cls.NORMAL


class Purpose(StrEnum):
    """What a user's next free text answers."""

    RETURN = "return"
    ANSWER = "answer"
    PROGRESS = "progress"
    UNSATISFIED = "unsatisfied"
    EXTENSION = "extension"
    TRANSFER = "transfer"


class RouteSource(StrEnum):
    """Who chose an item's topic and department."""

    CLASSIFIER = "classifier"
    DEPUTY = "deputy"
    ADMIN = "admin"
    RECURRENCE = "recurrence"


class EventKind(StrEnum):
    """Every kind of change recorded in an item's history."""

    CREATED = "created"
    RECLASSIFIED = "reclassified"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"
    REROUTED = "rerouted"
    PROGRESS = "progress"
    ANSWERED = "answered"
    RATED = "rated"
    REOPENED = "reopened"
    REMINDED = "reminded"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENDED = "extended"
    EXTENSION_REFUSED = "extension_refused"
    TRANSFER_REQUESTED = "transfer_requested"
    TRANSFERRED = "transferred"
    TRANSFER_REFUSED = "transfer_refused"
    LOOKBACK = "lookback"
    RELEASED = "released"


class CardKind(StrEnum):
    """Messages with buttons that are redrawn or retired when the item moves on."""

    DRAFT = "draft"
    ASSIGNMENT = "assignment"
    WORKING = "working"
    TRIAGE = "triage"
    EXTENSION = "extension"
    TRANSFER = "transfer"
    RATING = "rating"
    LOOKBACK = "lookback"
