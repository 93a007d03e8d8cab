"""Bring a database to the newest schema with Alembic (imported only when there is work)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from bot.db.engine import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
# The newest revision in migrations/versions (a test keeps this in step with Alembic's head).
HEAD = "0009"
# Any fixed number: PostgreSQL advisory-lock key taken by whoever migrates.
MIGRATION_LOCK = 0x64657075  # "depu"


class SchemaBehind(Exception):
    """The database lacks migrations; a command that only reads does not apply them."""


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def revision(engine: AsyncEngine) -> str | None:
    """Return the database's schema revision, None when it has none yet."""
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if found is None else str(found)
    except DBAPIError:
        return None


async def is_current(engine: AsyncEngine) -> bool:
    """Return whether the database has every migration (for commands that only read)."""
    return await revision(engine) == HEAD


async def require_current(engine: AsyncEngine) -> None:
    """Refuse to read a database that is behind the code's schema."""
    if not await is_current(engine):
        raise SchemaBehind(str(engine.url.database))


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied; concurrent callers wait for one another.

    A database already at the newest revision costs one query (Alembic is not even imported).
    On PostgreSQL a transaction-scoped advisory lock lets one process migrate while the others
    wait and then find the schema up to date; on SQLite the transaction's BEGIN IMMEDIATE does
    the same.
    """
    if await is_current(engine):
        return
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
    from alembic import command

    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
