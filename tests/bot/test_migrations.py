"""Migrations: they build exactly the models' schema, and go down and up again."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Base


def _differences(connection: Connection) -> list[Any]:
    """Compare the migrated database with the models."""
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


def _down_and_up(connection: Connection, url: str) -> None:
    """Downgrade to nothing and upgrade again on one connection."""
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, "base")
    command.upgrade(config, "head")


async def test_migrations_match_models_and_round_trip(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    async with engine.begin() as connection:
        await connection.run_sync(_down_and_up, database_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    await engine.dispose()
