"""item photo

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo_file_id", sa.String(length=256), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("photo_file_id")
