"""Bring a database to the newest schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from bot.db.engine import create_engine

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


# Any fixed number: PostgreSQL advisory-lock key taken by whoever migrates.
MIGRATION_LOCK = 0x64657075  # "depu"


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied; concurrent callers wait for one another.

    On PostgreSQL a transaction-scoped advisory lock lets one process migrate while the others
    wait and then find the schema up to date; on SQLite the transaction's BEGIN IMMEDIATE does
    the same.
    """
    if engine.dialect.name == "sqlite":
        await _upgrade_sqlite(engine)
        return
    async with engine.begin() as connection:
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
        )
        await connection.run_sync(_upgrade_on, str(engine.url))


async def _upgrade_sqlite(engine: AsyncEngine) -> None:
    """Migrate SQLite on a connection without foreign keys, then check every key holds."""
    url = engine.url.render_as_string(hide_password=False)
    migrating = create_engine(url, foreign_keys=False)
    try:
        async with migrating.begin() as connection:
            await connection.run_sync(_upgrade_on, url)
            broken = (await connection.execute(text("PRAGMA foreign_key_check"))).all()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        await migrating.dispose()


def _upgrade_on(connection: Connection, url: str) -> None:
    """Run `alembic upgrade head` on an open connection."""
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class SchemaBehind(Exception):
    """The database lacks migrations; a command that only reads does not apply them."""


async def require_current(engine: AsyncEngine) -> None:
    """Refuse to read a database that is behind the code's schema."""
    if not await is_current(engine):
        raise SchemaBehind(str(engine.url.database))


async def is_current(engine: AsyncEngine) -> bool:
    """Return whether the database has every migration (for commands that only read)."""
    async with engine.connect() as connection:
        return bool(await connection.run_sync(_at_head))


def _at_head(connection: Connection) -> bool:
    """Compare the database's Alembic revision with the newest one."""
    script = ScriptDirectory.from_config(alembic_config(str(connection.engine.url)))
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())
