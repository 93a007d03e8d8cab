"""inbox, instances, chat holds, command menus, revoked members, delivery indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _where(condition: str) -> dict[str, sa.TextClause]:
    """Make an index partial on both backends."""
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        "ix_inbox_pending", "inbox", ["chat_key", "update_id"], **_where("status = 'pending'")
    )
    op.create_index("ix_inbox_received", "inbox", ["status", "received_at"])
    op.create_table(
        "instances",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("polling", sa.Boolean(), nullable=False),
        sa.Column("last_poll_ok_at", sa.DateTime(), nullable=True),
        sa.Column("last_poll_error", sa.String(length=200), nullable=True),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_instances_seen_at", "instances", ["seen_at"])
    op.create_table(
        "chat_holds",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "command_menus",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("menu", sa.String(length=16), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_outbox_pending_chat", "outbox", ["chat_id", "id"], **_where("status = 'pending'")
    )
    op.create_index("ix_outbox_item", "outbox", ["item_id"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"], **_where("status = 'sent'"))
    op.create_index("ix_handled_messages_at", "handled_messages", ["at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_handled_messages_at", table_name="handled_messages")
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_item", table_name="outbox")
    op.drop_index("ix_outbox_pending_chat", table_name="outbox")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revoked_at")
    op.drop_table("command_menus")
    op.drop_table("chat_holds")
    op.drop_index("ix_instances_seen_at", table_name="instances")
    op.drop_table("instances")
    op.drop_index("ix_inbox_received", table_name="inbox")
    op.drop_index("ix_inbox_pending", table_name="inbox")
    op.drop_table("inbox")
