"""Engine and session factory for SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.sessions import Sessions


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on the SQLite settings a concurrent bot needs."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: AsyncEngine) -> Sessions:
    """Return the sessions services use; objects stay usable after commit."""
    return Sessions(async_sessionmaker(engine, expire_on_commit=False))


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock up front so concurrent writers wait instead of failing."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
