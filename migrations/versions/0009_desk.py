"""the desk: workbooks sent as documents, sign-in links, web sessions, deputies' records

A deputy's record reads their items in the order received: (deputy_id, submitted_at)
replaces the index on deputy_id alone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPS_BEFORE = ("send", "edit", "photo", "commands")
OPS_AFTER = (*OPS_BEFORE, "document")


def _ops(ops: tuple[str, ...]) -> str:
    """Return the CHECK condition naming the outbox's operations."""
    return "op IN (" + ", ".join(f"'{o}'" for o in ops) + ")"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_op", type_="check")
        batch.create_check_constraint("ck_outbox_op", _ops(OPS_AFTER))
    op.create_table(
        "web_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime()),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
    )
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_deputy_id")
        batch.create_index("ix_items_deputy_submitted", ["deputy_id", "submitted_at"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_deputy_submitted")
        batch.create_index("ix_items_deputy_id", ["deputy_id"])
    op.drop_table("web_sessions")
    op.drop_table("web_links")
    op.execute("DELETE FROM outbox WHERE op = 'document'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_op", type_="check")
        batch.create_check_constraint("ck_outbox_op", _ops(OPS_BEFORE))
