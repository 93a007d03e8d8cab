"""Who polls Telegram: one instance per database holds the poller lease."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)

# Any fixed number: the PostgreSQL advisory-lock key of the poller ("poll").
POLLER_LOCK = 0x706F6C6C


class PollerLease(Protocol):
    """Elects the one instance that polls; another takes over when it dies."""

    async def acquire(self) -> bool:
        """Try to become the poller; True when this instance holds the lease."""
        ...

    async def check(self) -> bool:
        """Return whether the lease is still held (the connection holding it is alive)."""
        ...

    async def release(self) -> None:
        """Give the lease up."""
        ...


class AdvisoryLease:
    """PostgreSQL: a session advisory lock held on a connection of its own.

    When the process dies its connection closes and the server releases the lock at once, so a
    standby instance takes over at its next try.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        """Try the advisory lock on a fresh connection."""
        if self._connection is not None:
            return await self.check()
        connection = await self._engine.connect()
        try:
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": POLLER_LOCK}
            )
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def check(self) -> bool:
        """Ping the connection that holds the lock; losing it loses the lease."""
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except Exception as exc:
            logger.warning("poller lease lost: %s", type(exc).__name__)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        """Unlock and close the connection."""
        if self._connection is None:
            return
        with contextlib.suppress(Exception):
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:k)"), {"k": POLLER_LOCK}
            )
            await self._connection.commit()
        await self._drop()

    async def _drop(self) -> None:
        """Forget the connection (closing it releases the lock server-side)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()


class FileLease:
    """SQLite: an exclusive lock on a file beside the database, released when the process ends."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[str] | None = None

    async def acquire(self) -> bool:
        """Try the file lock without waiting."""
        if self._file is not None:
            return True
        handle = self._path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    async def check(self) -> bool:
        """A file lock lasts as long as the process."""
        return self._file is not None

    async def release(self) -> None:
        """Unlock the file."""
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lease_for(engine: AsyncEngine) -> PollerLease:
    """Return the lease that fits the database backend."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine)
    database = engine.url.database or "deputybot.db"
    return FileLease(Path(f"{database}.poller.lock"))
