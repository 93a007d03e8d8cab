"""outbox priority (replies to people first), and indexes for live work at any size

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0")
        )
    op.create_index(
        "ix_outbox_pending_order",
        "outbox",
        ["priority", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index("ix_items_status_id", "items", ["status", "id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_items_status_id", table_name="items")
    op.drop_index("ix_outbox_pending_order", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
