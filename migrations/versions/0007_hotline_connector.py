"""the 12345 connector: its request queue and reports; items from other systems (Open311)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copies of the values at this revision (a migration never imports the models).
ROLES = ("admin", "deputy", "handler", "supervisor", "stranger", "platform")
OLD_ROLES = ("admin", "deputy", "handler", "supervisor", "stranger")
SOURCES = ("telegram", "open311")
OUTBOUND = (
    "order", "reopened", "rated", "follow_up", "withdrawn", "reminded", "updated",
)  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    """Return the SQL of `column IN (values)`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _where(condition: str) -> dict[str, sa.TextClause]:
    """Make an index partial on both backends."""
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "hotline_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(24), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(40), nullable=False, unique=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime()),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("last_error", sa.String(300)),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="ck_hotline_outbox_status"
        ),
        sa.CheckConstraint(_in("kind", OUTBOUND), name="ck_hotline_outbox_kind"),
    )
    pending = "status = 'pending'"
    op.create_index(
        "ix_hotline_outbox_pending_item", "hotline_outbox", ["item_id", "id"], **_where(pending)
    )
    op.create_index(
        "ix_hotline_outbox_pending", "hotline_outbox", ["next_attempt_at"], **_where(pending)
    )
    op.create_index(
        "ix_hotline_outbox_failed", "hotline_outbox", ["id"], **_where("status = 'failed'")
    )
    op.create_index(
        "ix_hotline_outbox_sent_at", "hotline_outbox", ["sent_at"], **_where("status = 'sent'")
    )
    op.create_table(
        "hotline_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300)),
    )
    op.create_index("ix_hotline_reports_item_id", "hotline_reports", ["item_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime()),
    )
    with op.batch_alter_table("items") as batch:
        batch.alter_column("deputy_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column("source", sa.String(16), nullable=False, server_default="telegram")
        )
        batch.add_column(sa.Column("requester", sa.String(64)))
        batch.add_column(sa.Column("address", sa.String(256)))
        batch.add_column(sa.Column("lat", sa.Float()))
        batch.add_column(sa.Column("long", sa.Float()))
        batch.add_column(sa.Column("media_url", sa.String(512)))
        batch.add_column(sa.Column("updated_at", sa.DateTime()))
        batch.create_check_constraint("ck_items_source", _in("source", SOURCES))
        batch.create_check_constraint(
            "ck_items_deputy_or_system", "deputy_id IS NOT NULL OR source <> 'telegram'"
        )
    op.execute(
        "UPDATE items SET updated_at = "
        "(SELECT max(e.at) FROM item_events e WHERE e.item_id = items.id)"
    )
    with op.batch_alter_table("item_events") as batch:
        batch.drop_constraint("ck_item_events_actor_role", type_="check")
        batch.create_check_constraint(
            "ck_item_events_actor_role", _in("actor_role", (*ROLES, "system"))
        )


def downgrade() -> None:
    """Revert this revision (items from other systems must be deleted first)."""
    with op.batch_alter_table("item_events") as batch:
        batch.drop_constraint("ck_item_events_actor_role", type_="check")
        batch.create_check_constraint(
            "ck_item_events_actor_role", _in("actor_role", (*OLD_ROLES, "system"))
        )
    with op.batch_alter_table("items") as batch:
        batch.drop_constraint("ck_items_deputy_or_system", type_="check")
        batch.drop_constraint("ck_items_source", type_="check")
        for column in ("updated_at", "media_url", "long", "lat", "address", "requester", "source"):
            batch.drop_column(column)
        batch.alter_column("deputy_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("api_keys")
    op.drop_index("ix_hotline_reports_item_id", table_name="hotline_reports")
    op.drop_table("hotline_reports")
    for name in (
        "ix_hotline_outbox_sent_at",
        "ix_hotline_outbox_failed",
        "ix_hotline_outbox_pending",
        "ix_hotline_outbox_pending_item",
    ):
        op.drop_index(name, table_name="hotline_outbox")
    op.drop_table("hotline_outbox")
