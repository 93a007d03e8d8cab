"""Engine and session factory for SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.sessions import READ_ONLY, Sessions


def create_engine(url: str, *, foreign_keys: bool = True) -> AsyncEngine:
    """Create an async engine; SQLite gets WAL, foreign keys and a busy timeout.

    Migrations run with SQLite's foreign keys off (they recreate tables that others refer to);
    they check the keys themselves when done.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        pragmas = _sqlite_pragmas if foreign_keys else _sqlite_pragmas_for_migrations
        event.listen(engine.sync_engine, "connect", pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    # The bot's queries are short: PostgreSQL's JIT would spend longer compiling than running.
    return create_async_engine(
        url, pool_pre_ping=True, connect_args={"server_settings": {"jit": "off"}}
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on the SQLite settings a concurrent bot needs."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_pragmas_for_migrations(dbapi_connection: Any, _record: Any) -> None:
    """Turn on what a migration needs: WAL and the busy timeout, not foreign keys."""
    _sqlite_pragmas(dbapi_connection, _record)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def session_factory(engine: AsyncEngine) -> Sessions:
    """Return the sessions services use; objects stay usable after commit."""
    return Sessions(async_sessionmaker(engine, expire_on_commit=False))


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock up front so concurrent writers wait instead of failing.

    A session opened for reading only begins a plain (deferred) transaction: in WAL mode it
    neither waits for nor blocks the writer.
    """
    reading = connection.get_execution_options().get(READ_ONLY)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
