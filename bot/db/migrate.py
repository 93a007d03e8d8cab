"""Bring a database to the newest schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_on, str(engine.url))


def _upgrade_on(connection: Connection, url: str) -> None:
    """Run `alembic upgrade head` on an open connection."""
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
