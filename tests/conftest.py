"""Shared fixtures: a database on SQLite (and PostgreSQL when configured), the routing file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.db.engine import create_engine
from bot.services.routing import RoutingHolder, routing_holder

ROOT = Path(__file__).resolve().parents[1]
ROUTING = ROOT / "config" / "routing.toml"
POSTGRES_URL = os.environ.get("DEPUTYBOT_TEST_POSTGRES_URL")

BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    BACKENDS.append(pytest.param("postgresql", id="postgresql"))


@pytest.fixture(scope="session")
def routing() -> RoutingHolder:
    """Load the shipped routing file once per test run."""
    return routing_holder(ROUTING, ZoneInfo("Asia/Shanghai"))


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Give each test an empty database: a fresh SQLite file, or a wiped PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    assert POSTGRES_URL is not None
    await _wipe_postgres(POSTGRES_URL)
    yield POSTGRES_URL


async def _wipe_postgres(url: str) -> None:
    """Drop and recreate the public schema."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
