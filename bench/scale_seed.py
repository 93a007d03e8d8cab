"""Seed a database for bench/scale.py: N items of history and the same month of live work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bot.context import Services
from bot.db.models import CardMessage, Item, Member, OutboxMessage

NOW = datetime(2026, 12, 14, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
BATCH = 20_000
RECENT = 2_000
ADMIN, DEPUTY, HANDLERS = 900, 101, (201, 202, 203)
# The month's items by position: 20 in triage, 100 routed, 50 acknowledged, the rest closed.
STAGES = ((20, "triage"), (120, "routed"), (170, "acknowledged"), (RECENT, "closed"))
KINDS = ("created", "submitted", "acknowledged", "answered", "rated")


@dataclass
class Live:
    """The people and items the timed operations act on."""

    admin: int = ADMIN
    deputy: int = DEPUTY
    handler: int = HANDLERS[0]
    routed: list[int] = field(default_factory=list)


def _item(n: int, submitted: datetime, status: str, deputy: int) -> dict[str, Any]:
    """Describe one item row."""
    closed = status == "closed"
    return {
        "tracking_no": f"S{n:09d}", "status": status, "deputy_id": deputy,
        "source_chat_id": DEPUTY, "source_message_id": n, "text": f"路灯坏了 第{n}处",
        "topic": None if status == "triage" else "urban_rural",
        "department": None if status == "triage" else "housing", "confidence": 0.9,
        "matched": [], "abstained": status == "triage", "route_source": "classifier",
        "created_at": submitted, "submitted_at": submitted, "routed_at": submitted,
        "ack_due_at": submitted + timedelta(hours=24),
        "answer_due_at": submitted + timedelta(days=7),
        "closed_at": submitted + timedelta(days=3) if closed else None,
        "rating": "satisfied" if closed else None, "reopen_count": 0, "urgent": False,
        "extension_used": False,
        "next_reminder_at": None if closed else NOW + timedelta(days=2),
    }  # fmt: skip


def _rows(size: int, deputy: int) -> Any:
    """Yield `size` closed items over the two years before the month, then the month's items."""
    for n in range(size):
        submitted = NOW - timedelta(days=30) - timedelta(days=730) * ((n + 1) / size)
        yield _item(n, submitted, "closed", deputy)
    for k in range(RECENT):
        submitted = NOW - timedelta(days=30) * ((k + 1) / RECENT)
        status = next(s for limit, s in STAGES if k < limit)
        yield _item(size + k, submitted, status, deputy)


async def seed(services: Services, size: int) -> Live:
    """Store the members, the history, its events and messages, and the month's live work."""
    live = Live()
    engine = services.engine
    async with services.deps.sessions.begin() as session:
        deputy = _member(DEPUTY, "deputy", None)
        session.add(deputy)
        for telegram_id in HANDLERS:
            session.add(_member(telegram_id, "handler", "housing"))
        await session.flush()
        deputy_id = deputy.id
    batch: list[dict[str, Any]] = []
    for row in _rows(size, deputy_id):
        batch.append(row)
        if len(batch) == BATCH:
            async with engine.begin() as connection:
                await connection.execute(insert(Item), batch)
            batch = []
    if batch:
        async with engine.begin() as connection:
            await connection.execute(insert(Item), batch)
    postgres = engine.dialect.name == "postgresql"
    payload = "'{}'::json" if postgres else "'{}'"
    async with engine.begin() as connection:
        for kind in KINDS:
            await connection.execute(
                text(
                    "INSERT INTO item_events (item_id, at, kind, actor_role, from_status,"
                    f" to_status, department) SELECT id, submitted_at, '{kind}', 'handler',"
                    " status, status, department FROM items"
                )
            )
        for copy in (1, 2):
            await connection.execute(
                text(
                    "INSERT INTO outbox (op, chat_id, text, payload, item_id, status, attempts,"
                    " created_at, next_attempt_at, sent_at, sent_message_id, priority)"
                    f" SELECT 'send', {DEPUTY}, 'x', {payload}, id, 'sent', 1, submitted_at,"
                    f" submitted_at, submitted_at, id * 2 + {copy}, 0 FROM items"
                )
            )
    live.routed = await _live_work(services)
    await settle(services)
    return live


async def settle(services: Services) -> None:
    """Let the database finish what a bulk load leaves behind, so timings see a quiet server."""
    engine = services.engine
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            quiet = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await quiet.execute(text("VACUUM (ANALYZE)"))
            await quiet.execute(text("CHECKPOINT"))
        return
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def _live_work(services: Services) -> list[int]:
    """Give the month's routed items their handlers' cards, and queue 20 messages due now."""
    async with services.deps.sessions.begin() as session:
        routed = list(
            (
                await session.execute(
                    text("SELECT id FROM items WHERE status = 'routed' ORDER BY id")
                )
            ).scalars()
        )
        for item_id in routed:
            for n, chat in enumerate(HANDLERS):
                session.add(
                    CardMessage(
                        item_id=item_id, chat_id=chat, message_id=item_id * 10 + n,
                        kind="assignment", at=NOW,
                    )
                )  # fmt: skip
        for n in range(20):
            session.add(
                OutboxMessage(
                    op="send", chat_id=5000 + n, text="due", payload={}, status="pending",
                    attempts=0, created_at=NOW, next_attempt_at=NOW - timedelta(minutes=1),
                )
            )  # fmt: skip
    return routed


def _member(telegram_id: int, role: str, department: str | None) -> Member:
    """Build a member row."""
    return Member(
        telegram_id=telegram_id, role=role, name=f"成员{telegram_id}", level="县",
        district="K8县", department=department, joined_at=NOW, invite_code=f"s{telegram_id}",
    )  # fmt: skip
