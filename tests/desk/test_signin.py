"""Desk sign-in: links once only for 10 minutes, sessions for 12 hours; on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import WebLink, WebSession
from bot.db.sessions import Sessions
from bot.desk.web.signin import SignIn, token_hash

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    """Open a migrated database."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


async def test_link_opens_one_session_and_only_hashes_are_stored(sessions: Sessions) -> None:
    clock = ManualClock(START)
    signin = SignIn(sessions, clock)
    token = await signin.issue_link(77)
    opened = await signin.redeem(token)
    assert opened is not None
    assert opened.telegram_id == 77
    assert await signin.redeem(token) is None
    assert await signin.link_state(token) == "used"
    async with sessions() as s:
        links = list((await s.execute(select(WebLink.token_hash))).scalars())
        cookies = list((await s.execute(select(WebSession.token_hash))).scalars())
    assert links == [token_hash(token)]
    assert cookies == [token_hash(opened.cookie)]
    signed = await signin.resolve(opened.cookie)
    assert signed is not None
    assert signed.telegram_id == 77
    assert signed.csrf_ok(opened.csrf)
    assert not signed.csrf_ok("wrong")
    assert not signed.csrf_ok(None)


async def test_expired_and_forged_links_open_nothing(sessions: Sessions) -> None:
    clock = ManualClock(START)
    signin = SignIn(sessions, clock)
    token = await signin.issue_link(77)
    clock.advance(timedelta(minutes=10))
    assert await signin.redeem(token) is None
    assert await signin.link_state(token) == "expired"
    assert await signin.redeem("forged-" + token) is None
    assert await signin.link_state("forged") == "unknown"
    assert await signin.redeem("") is None


async def test_session_ends_at_sign_out_and_after_12_hours(sessions: Sessions) -> None:
    clock = ManualClock(START)
    signin = SignIn(sessions, clock)
    first = await signin.redeem(await signin.issue_link(5))
    second = await signin.redeem(await signin.issue_link(5))
    assert first is not None
    assert second is not None
    signed = await signin.resolve(first.cookie)
    assert signed is not None
    await signin.end(signed)
    assert await signin.resolve(first.cookie) is None
    assert await signin.resolve(second.cookie) is not None
    clock.advance(timedelta(hours=12))
    assert await signin.resolve(second.cookie) is None
    assert await signin.resolve("forged") is None
    assert await signin.resolve(None) is None
