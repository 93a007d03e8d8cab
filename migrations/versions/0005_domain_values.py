"""domain values: CHECK constraints, route source, event rating and target, card messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copies of the values at this revision (a migration never imports the models).
STATUSES = ("draft", "triage", "routed", "acknowledged", "closed", "cancelled")
RATINGS = ("satisfied", "basic", "unsatisfied")
ROLES = ("admin", "deputy", "handler", "supervisor", "stranger")
MEMBER_ROLES = ("deputy", "handler", "supervisor")
SOURCES = ("classifier", "deputy", "admin", "recurrence")
PURPOSES = ("return", "answer", "progress", "unsatisfied", "extension", "transfer")
CARDS = (
    "draft", "assignment", "working", "triage", "extension", "transfer", "rating", "lookback",
)  # fmt: skip
KINDS = (
    "created", "reclassified", "submitted", "cancelled", "acknowledged", "returned", "rerouted",
    "progress", "answered", "rated", "reopened", "reminded", "extension_requested", "extended",
    "extension_refused", "transfer_requested", "transferred", "transfer_refused", "lookback",
    "released",
)  # fmt: skip


def _in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    """Return the SQL of `column IN (values)`."""
    check = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{check} OR {column} IS NULL" if nullable else check


CHECKS: dict[str, list[tuple[str, str]]] = {
    "members": [("ck_members_role", _in("role", MEMBER_ROLES))],
    "invites": [("ck_invites_role", _in("role", MEMBER_ROLES))],
    "items": [
        ("ck_items_status", _in("status", STATUSES)),
        ("ck_items_rating", _in("rating", RATINGS, nullable=True)),
        ("ck_items_route_source", _in("route_source", SOURCES)),
    ],
    "item_events": [
        ("ck_item_events_kind", _in("kind", KINDS)),
        ("ck_item_events_actor_role", _in("actor_role", (*ROLES, "system"))),
        ("ck_item_events_rating", _in("rating", RATINGS, nullable=True)),
    ],
    "pending_inputs": [("ck_pending_inputs_purpose", _in("purpose", PURPOSES))],
    "outbox": [
        ("ck_outbox_status", _in("status", ("pending", "sent", "failed"))),
        ("ck_outbox_op", _in("op", ("send", "edit", "photo", "commands"))),
    ],
    "inbox": [("ck_inbox_status", _in("status", ("pending", "done", "failed")))],
}


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("items") as batch:
        batch.add_column(
            sa.Column("route_source", sa.String(16), nullable=False, server_default="classifier")
        )
    with op.batch_alter_table("item_events") as batch:
        batch.add_column(sa.Column("rating", sa.String(16), nullable=True))
        batch.add_column(sa.Column("target", sa.String(32), nullable=True))
    with op.batch_alter_table("pending_inputs") as batch:
        batch.add_column(sa.Column("argument", sa.String(40), nullable=True))
    _backfill()
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks:
                batch.create_check_constraint(name, condition)
    op.create_table(
        "card_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_in("kind", CARDS), name="ck_card_messages_kind"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_card_messages_message"),
    )
    live = sa.text("retired_at IS NULL")
    op.create_index(
        "ix_card_messages_live",
        "card_messages",
        ["item_id", "kind"],
        postgresql_where=live,
        sqlite_where=live,
    )
    _cards_from_outbox()


# The first button of a card said what it was (callback prefix -> card kind).
CARD_OF_PREFIX = {
    "sub": "draft", "top": "draft", "ack": "assignment", "ans": "working", "route": "triage",
    "apv": "extension", "rate": "rating", "look": "lookback",
}  # fmt: skip


def _cards_from_outbox() -> None:
    """Remember the cards delivered before this revision, replaying sends and edits in order."""
    bind = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("op", sa.String()),
        sa.column("chat_id", sa.BigInteger()),
        sa.column("message_id", sa.BigInteger()),
        sa.column("sent_message_id", sa.BigInteger()),
        sa.column("item_id", sa.Integer()),
        sa.column("payload", sa.JSON()),
        sa.column("status", sa.String()),
        sa.column("sent_at", sa.DateTime()),
    )
    query = (
        sa.select(outbox)
        .where(
            outbox.c.status == "sent",
            outbox.c.item_id.is_not(None),
            outbox.c.op.in_(("send", "edit")),
        )
        .order_by(outbox.c.id)
    )
    cards: dict[tuple[int, int], dict[str, object]] = {}
    for row in bind.execute(query):
        message = row.sent_message_id if row.op == "send" else row.message_id
        if message is None:
            continue
        buttons = (row.payload or {}).get("buttons") or []
        prefix = str(buttons[0][0][1]).split(":")[0] if buttons and buttons[0] else ""
        kind = CARD_OF_PREFIX.get(prefix)
        key = (row.chat_id, message)
        if kind is None:
            if key in cards:
                cards[key]["retired_at"] = row.sent_at
            continue
        cards[key] = {
            "item_id": row.item_id, "chat_id": row.chat_id, "message_id": message, "kind": kind,
            "at": row.sent_at, "retired_at": None,
        }  # fmt: skip
    table = sa.table(
        "card_messages",
        *(
            sa.column(name)
            for name in ("item_id", "chat_id", "message_id", "kind", "at", "retired_at")
        ),
    )
    rows = list(cards.values())
    for start in range(0, len(rows), 1000):
        bind.execute(table.insert(), rows[start : start + 1000])


def _backfill() -> None:
    """Read what used to be encoded in texts into the new columns."""
    op.execute("UPDATE items SET route_source = 'recurrence' WHERE recurrence_of IS NOT NULL")
    op.execute(
        "UPDATE items SET route_source = 'admin' WHERE route_source = 'classifier' AND id IN"
        " (SELECT item_id FROM item_events WHERE kind = 'rerouted')"
    )
    op.execute(
        "UPDATE items SET route_source = 'deputy' WHERE route_source = 'classifier'"
        " AND topic IS NOT NULL AND confidence >= 1.0 AND id IN"
        " (SELECT item_id FROM item_events WHERE kind = 'reclassified')"
    )
    for value, label in (("basic", "基本满意"), ("unsatisfied", "不满意"), ("satisfied", "满意")):
        op.execute(
            sa.text(
                "UPDATE item_events SET rating = :value"
                " WHERE kind = 'rated' AND rating IS NULL AND note LIKE :label"
            ).bindparams(value=value, label=f"{label}%")
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_card_messages_live", table_name="card_messages")
    op.drop_table("card_messages")
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, _ in checks:
                batch.drop_constraint(name, type_="check")
    with op.batch_alter_table("pending_inputs") as batch:
        batch.drop_column("argument")
    with op.batch_alter_table("item_events") as batch:
        batch.drop_column("target")
        batch.drop_column("rating")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("route_source")
