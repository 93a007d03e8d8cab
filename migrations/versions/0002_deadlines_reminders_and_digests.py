"""deadlines, reminders and digests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "chat_id", "period", name="uq_digests_once"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "kind", "round", name="uq_reminders_once"),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("routed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ack_due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("answer_due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("extension_used", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("recurrence_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_reminder_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_items_next_reminder_at"), ["next_reminder_at"], unique=False
        )
        batch_op.create_index("ix_items_status_ack_due", ["status", "ack_due_at"], unique=False)
        batch_op.create_index(
            "ix_items_status_answer_due", ["status", "answer_due_at"], unique=False
        )
        batch_op.create_index("ix_items_status_closed", ["status", "closed_at"], unique=False)
        batch_op.create_index("ix_items_submitted", ["submitted_at"], unique=False)
        batch_op.create_foreign_key("fk_items_recurrence_of", "items", ["recurrence_of"], ["id"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint("fk_items_recurrence_of", type_="foreignkey")
        batch_op.drop_index("ix_items_submitted")
        batch_op.drop_index(batch_op.f("ix_items_next_reminder_at"))
        batch_op.drop_column("next_reminder_at")
        batch_op.drop_index("ix_items_status_closed")
        batch_op.drop_index("ix_items_status_answer_due")
        batch_op.drop_index("ix_items_status_ack_due")
        batch_op.drop_column("recurrence_of")
        batch_op.drop_column("extension_used")
        batch_op.drop_column("answer_due_at")
        batch_op.drop_column("ack_due_at")
        batch_op.drop_column("routed_at")
        batch_op.drop_column("urgent")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_item_id"))

    op.drop_table("reminders")
    op.drop_table("digests")
