"""Database tables: people, invites, items with their events, the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import StrEnumType, UTCDateTime, one_of
from bot.domain.hotline import Outbound
from bot.domain.states import (
    MEMBER_ROLES,
    CardKind,
    EventKind,
    Purpose,
    Rating,
    Role,
    RouteSource,
    Source,
    Status,
)

MEMBER_ROLE_CHECK = "role IN ({})".format(", ".join(f"'{r.value}'" for r in MEMBER_ROLES))


class Base(DeclarativeBase):
    """Base of every table."""


def _where(condition: str) -> dict[str, Any]:
    """Make an index partial on both backends (rows still to be worked only)."""
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}


class Member(Base):
    """A deputy or a department handler bound to a Telegram account."""

    __tablename__ = "members"
    __table_args__ = (CheckConstraint(MEMBER_ROLE_CHECK, name="ck_members_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 16))
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(32), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invite_code: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class Invite(Base):
    """A one-time code that binds a Telegram account to a role."""

    __tablename__ = "invites"
    __table_args__ = (CheckConstraint(MEMBER_ROLE_CHECK, name="ck_invites_role"),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 16))
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class Item(Base):
    """A deputy's concern, from draft to closure."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source_chat_id", "source_message_id", name="uq_items_source"),
        Index("ix_items_status_department", "status", "department"),
        Index("ix_items_status_ack_due", "status", "ack_due_at"),
        Index("ix_items_status_answer_due", "status", "answer_due_at"),
        Index("ix_items_status_closed", "status", "closed_at"),
        Index("ix_items_submitted", "submitted_at"),
        Index("ix_items_deputy_submitted", "deputy_id", "submitted_at"),
        Index("ix_items_status_id", "status", "id"),
        CheckConstraint(one_of("status", Status), name="ck_items_status"),
        CheckConstraint(one_of("rating", Rating, nullable=True), name="ck_items_rating"),
        CheckConstraint(one_of("route_source", RouteSource), name="ck_items_route_source"),
        CheckConstraint(one_of("source", Source), name="ck_items_source"),
        CheckConstraint(
            "deputy_id IS NOT NULL OR source <> 'telegram'", name="ck_items_deputy_or_system"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str | None] = mapped_column(String(24), unique=True)
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 16))
    # The deputy who raised it; None for an item another system created (Open311).
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    source: Mapped[Source] = mapped_column(StrEnumType(Source, 16), default=Source.TELEGRAM)
    requester: Mapped[str | None] = mapped_column(String(64))  # the system's API key name
    address: Mapped[str | None] = mapped_column(String(256))
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    media_url: Mapped[str | None] = mapped_column(String(512))
    source_chat_id: Mapped[int] = mapped_column(BigInteger)
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(default=0.0)
    matched: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The classifier's top topics with their confidence, best first: [[code, share], ...].
    suggestions: Mapped[list[Any] | None] = mapped_column(JSON)
    abstained: Mapped[bool] = mapped_column(default=False)
    route_source: Mapped[RouteSource] = mapped_column(
        StrEnumType(RouteSource, 16), default=RouteSource.CLASSIFIER
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[Rating | None] = mapped_column(StrEnumType(Rating, 16))
    reopen_count: Mapped[int] = mapped_column(default=0)
    urgent: Mapped[bool] = mapped_column(default=False)
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_used: Mapped[bool] = mapped_column(default=False)
    recurrence_of: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ItemEvent(Base):
    """One append-only state change of an item: who, when, from, to, why."""

    __tablename__ = "item_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", EventKind), name="ck_item_events_kind"),
        CheckConstraint(one_of("actor_role", Role, "system"), name="ck_item_events_actor_role"),
        CheckConstraint(one_of("rating", Rating, nullable=True), name="ck_item_events_rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[EventKind] = mapped_column(StrEnumType(EventKind, 24))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_role: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[Rating | None] = mapped_column(StrEnumType(Rating, 16))
    target: Mapped[str | None] = mapped_column(String(32))


class PendingInput(Base):
    """What the next free text of a user answers (an answer, a reason), kept across restarts."""

    __tablename__ = "pending_inputs"
    __table_args__ = (
        CheckConstraint(one_of("purpose", Purpose), name="ck_pending_inputs_purpose"),
    )

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(StrEnumType(Purpose, 24))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    argument: Mapped[str | None] = mapped_column(String(40))
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class Queued:
    """The columns of a row waiting to be delivered: its state, attempts, lease and time sent."""

    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Queued, Base):
    """A Bot API call waiting to be made, written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_pending_chat", "chat_id", "id", **_where("status = 'pending'")),
        Index("ix_outbox_pending_order", "priority", "id", **_where("status = 'pending'")),
        Index("ix_outbox_item", "item_id"),
        Index("ix_outbox_sent_at", "sent_at", **_where("status = 'sent'")),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_outbox_status"),
        CheckConstraint(
            "op IN ('send', 'edit', 'photo', 'commands', 'document')", name="ck_outbox_op"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    op: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)


class HandledMessage(Base):
    """A user message already acted on, so a re-delivered update changes nothing."""

    __tablename__ = "handled_messages"
    __table_args__ = (Index("ix_handled_messages_at", "at"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Reminder(Base):
    """A scheduled message that went out (or is held for the morning): never twice."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("item_id", "kind", "round", name="uq_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    round: Mapped[int] = mapped_column(default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Digest(Base):
    """A daily digest or weekly summary already sent to someone for a period."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("kind", "chat_id", "period", name="uq_digests_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboxUpdate(Base):
    """A Telegram update, stored before its offset is confirmed and processed exactly once."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_pending", "chat_key", "update_id", **_where("status = 'pending'")),
        Index("ix_inbox_received", "status", "received_at"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="ck_inbox_status"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))


class Instance(Base):
    """A running bot process: its heartbeat, and whether it polls Telegram."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    polling: Mapped[bool] = mapped_column(default=False)
    mode: Mapped[str] = mapped_column(String(8), default="poll", server_default="poll")
    last_poll_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_poll_error: Mapped[str | None] = mapped_column(String(200))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChatHold(Base):
    """A chat the bot cannot write to (the user blocked it): held, retried, reported once."""

    __tablename__ = "chat_holds"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class CommandMenu(Base):
    """The command menu last set for a chat, so a changed role changes the menu once."""

    __tablename__ = "command_menus"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    menu: Mapped[str] = mapped_column(String(16))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CardMessage(Base):
    """A delivered message with buttons about an item, so it can be redrawn or retired."""

    __tablename__ = "card_messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id", name="uq_card_messages_message"),
        Index("ix_card_messages_live", "item_id", "kind", **_where("retired_at IS NULL")),
        CheckConstraint(one_of("kind", CardKind), name="ck_card_messages_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[CardKind] = mapped_column(StrEnumType(CardKind, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HotlineMessage(Queued, Base):
    """A request to the 12345 platform, written with the change that caused it, sent in order."""

    __tablename__ = "hotline_outbox"
    __table_args__ = (
        Index("ix_hotline_outbox_pending_item", "item_id", "id", **_where("status = 'pending'")),
        Index("ix_hotline_outbox_pending", "next_attempt_at", **_where("status = 'pending'")),
        Index("ix_hotline_outbox_failed", "id", **_where("status = 'failed'")),
        Index("ix_hotline_outbox_sent_at", "sent_at", **_where("status = 'sent'")),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_hotline_outbox_status"),
        CheckConstraint(one_of("kind", Outbound), name="ck_hotline_outbox_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    kind: Mapped[Outbound] = mapped_column(StrEnumType(Outbound, 16))
    code: Mapped[str] = mapped_column(String(24))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # the Idempotency-Key
    last_error: Mapped[str | None] = mapped_column(String(300))


class HotlineReport(Base):
    """An event the 12345 platform reported, kept by its id so a repeat changes nothing."""

    __tablename__ = "hotline_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it happened on the platform
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16))  # applied, implied, late
    note: Mapped[str | None] = mapped_column(String(300))


class ApiKey(Base):
    """A key another system uses to create requests through Open311 (only its hash is kept)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebLink(Base):
    """A one-time sign-in link for the desk sent in the bot (only its token's hash is kept)."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser on the desk: its cookie's hash, its CSRF token and its end."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Correction(Base):
    """A labelled example: the route a person decided an item should take (one per item).

    Recorded when a deputy picks a topic, an administrator reroutes from triage or approves a
    transfer; `deputybot learn --from-db` learns from them.
    """

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    predicted: Mapped[str | None] = mapped_column(String(32))  # the classifier's topic
    abstained: Mapped[bool] = mapped_column(default=False)
    topic: Mapped[str | None] = mapped_column(String(32))  # the right one
    department: Mapped[str | None] = mapped_column(String(32))
    decided_by: Mapped[str] = mapped_column(String(16))  # deputy or admin
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoutingChange(Base):
    """A change an administrator made to the routing file from the bot (/keyword, /learn)."""

    __tablename__ = "routing_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # keyword, or learn (a /learn proposal)
    summary: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    # A /learn proposal: pending, running, ready, refused, failed, then applied or discarded.
    status: Mapped[str] = mapped_column(String(12), default="done", server_default="done")
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # who asked, to be answered
    proposed: Mapped[str | None] = mapped_column(Text)  # the new routing file's text
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
