"""Fixtures of the bot package's tests: a migrated database and the local Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.sessions import Sessions
from bot.fake_telegram import FakeTelegram

CHAT = 4242
ADMIN = 9001


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    """Open a migrated database."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """Run the local Bot API with a user (CHAT) and an administrator (ADMIN)."""
    fake = FakeTelegram()
    await fake.start()
    fake.add_user(CHAT, "张三")
    fake.add_user(ADMIN, "管理员")
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """A PTB Bot talking to the local Bot API."""
    async with Bot(telegram.token, base_url=f"{telegram.root}/bot") as client:
        yield client
