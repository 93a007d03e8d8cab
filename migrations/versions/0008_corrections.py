"""corrections (labelled examples people decided), routing changes made from the bot, and
how each instance takes updates (polling or webhook), the classifier's top suggestions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted", sa.String(32)),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("topic", sa.String(32)),
        sa.Column("department", sa.String(32)),
        sa.Column("decided_by", sa.String(16), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger()),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_corrections_at", "corrections", ["at"])
    op.create_table(
        "routing_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger()),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="done"),
        sa.Column("chat_id", sa.BigInteger()),
        sa.Column("proposed", sa.Text()),
        sa.Column("figures", sa.JSON()),
    )
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("mode", sa.String(8), nullable=False, server_default="poll"))
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("suggestions", sa.JSON()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("items") as batch:
        batch.drop_column("suggestions")
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("mode")
    op.drop_table("routing_changes")
    op.drop_index("ix_corrections_at", table_name="corrections")
    op.drop_table("corrections")
