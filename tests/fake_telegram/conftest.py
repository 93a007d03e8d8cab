"""Fixtures: a started FakeTelegram with two users, a raw HTTP client and a PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot

from bot.fake_telegram import FakeTelegram

ALICE = 1001
BOB = 1002


async def call(
    http: aiohttp.ClientSession,
    fake: FakeTelegram,
    method: str,
    *,
    read_timeout: float | None = None,
    **params: Any,
) -> tuple[int, dict[str, Any]]:
    """POST JSON params and return (status, body); read_timeout bounds the wait for it."""
    url = f"{fake.root}/bot{fake.token}/{method}"
    timeout = aiohttp.ClientTimeout(total=30, sock_read=read_timeout)
    async with http.post(url, json=params, timeout=timeout) as response:
        return response.status, await response.json()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Start a long-polling server with Alice and Bob."""
    server = FakeTelegram()
    server.add_user(ALICE, "Alice", username="alice")
    server.add_user(BOB, "Bob")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """Open a raw HTTP client."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """Open a real PTB Bot pointed at the fake server."""
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b
