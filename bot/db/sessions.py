"""Sessions for services: a transaction of their own, or a part of the caller's unit of work.

Processing one Telegram update is one unit of work: every service call it makes joins the same
transaction (as a savepoint, so a refusal undoes only its own part), the update is marked done
in that transaction, and what must wait for the commit (waking the sender, answering a button)
runs after it. Outside a unit, each service call commits on its own, as before.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None] | None]
# Execution option of sessions that only read (SQLite then skips the write lock).
READ_ONLY = "deputybot_read_only"


class Unit:
    """One transaction shared by every service call made while it is open."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.failure: BaseException | None = None
        self._after: list[AfterCommit] = []

    def after_commit(self, action: AfterCommit) -> None:
        """Run `action` once the unit has committed (never if it rolls back)."""
        if action not in self._after:
            self._after.append(action)

    def fail(self, error: BaseException) -> None:
        """Mark the unit failed: it rolls back instead of committing."""
        if self.failure is None:
            self.failure = error

    async def run_after_commit(self) -> None:
        """Run the deferred actions; one failing does not stop the others."""
        for action in self._after:
            try:
                result = action()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("after-commit action failed")


class UnitFailed(Exception):
    """A unit of work was marked failed by an error handler; it was rolled back."""


_current: ContextVar[Unit | None] = ContextVar("deputybot_unit", default=None)


def current_unit() -> Unit | None:
    """Return the unit of work open in this task, if any."""
    return _current.get()


async def after_commit(action: AfterCommit) -> None:
    """Defer `action` to the end of the open unit of work, or run it now when there is none."""
    unit = _current.get()
    if unit is not None:
        unit.after_commit(action)
        return
    result = action()
    if inspect.isawaitable(result):
        await result


def dialect_name(session: AsyncSession) -> str:
    """Return "postgresql" or "sqlite" for the session's database."""
    return str(session.get_bind().dialect.name)


class Sessions:
    """What services open sessions with; joins the caller's unit of work when one is open."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """Open a transaction: a savepoint of the open unit, or a transaction of its own."""
        unit = _current.get()
        if unit is None:
            async with self._factory.begin() as session:
                yield session
            return
        async with unit.session.begin_nested():
            yield unit.session

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        """Open a session for reading: the unit's own, or a fresh one."""
        unit = _current.get()
        if unit is None:
            async with self._factory() as session:
                await session.connection(execution_options={READ_ONLY: True})
                yield session
            return
        yield unit.session

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        """Open a unit of work; it commits when the block ends unless it failed."""
        async with self._factory() as session:
            unit = Unit(session)
            token = _current.set(unit)
            try:
                async with session.begin():
                    yield unit
                    if unit.failure is not None:
                        raise UnitFailed(type(unit.failure).__name__) from unit.failure
            finally:
                _current.reset(token)
        await unit.run_after_commit()
