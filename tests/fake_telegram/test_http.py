"""Raw HTTP: routing, parameter encodings, long polling, offsets and instant mode."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE


async def call(
    http: aiohttp.ClientSession, fake: FakeTelegram, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST JSON params and return (status, body)."""
    async with http.post(f"{fake.root}/bot{fake.token}/{method}", json=params) as response:
        return response.status, await response.json()


async def test_get_me_case_insensitive_and_get(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{fake.root}/bot{fake.token}/GETME") as response:
        body = await response.json()
    assert body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "deputy_test_bot"
    assert body["result"]["can_join_groups"] is True


@pytest.mark.parametrize(
    ("path", "status", "description"),
    [
        pytest.param("/bot999:WRONG/getMe", 401, "Unauthorized", id="bad-token"),
        pytest.param("/bot{token}/noSuchMethod", 404, "Not Found", id="unknown-method"),
    ],
)
async def test_routing_errors(
    fake: FakeTelegram, http: aiohttp.ClientSession, path: str, status: int, description: str
) -> None:
    async with http.post(fake.root + path.format(token=fake.token)) as response:
        body = await response.json()
    assert response.status == status
    assert body == {"ok": False, "error_code": status, "description": description}


async def test_form_encoded_reply_markup(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    form = {"chat_id": str(ALICE), "text": "Sure?", "reply_markup": json.dumps(markup)}
    async with http.post(f"{fake.root}/bot{fake.token}/sendMessage", data=form) as response:
        body = await response.json()
    assert body["result"]["reply_markup"] == markup
    assert body["result"]["from"]["is_bot"] is True
    assert body["result"]["chat"] == {
        "id": ALICE,
        "type": "private",
        "first_name": "Alice",
        "username": "alice",
    }
    assert fake.last(ALICE) is not None
    assert fake.last(ALICE).button_data("Yes") == "y"  # type: ignore[union-attr]


async def test_long_poll_returns_when_update_arrives(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    fake.send_text(ALICE, "hi")
    status, body = await poll
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["hi"]
    assert 0.2 <= loop.time() - started < 2


async def test_long_poll_honours_timeout(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    _, body = await call(http, fake, "getUpdates", timeout=0.5)
    assert body == {"ok": True, "result": []}
    assert 0.45 <= loop.time() - started < 2


async def test_offset_confirms_earlier_updates(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    for text in ("one", "two", "three"):
        fake.send_text(ALICE, text)
    _, body = await call(http, fake, "getUpdates", limit=2)
    first = [u["update_id"] for u in body["result"]]
    assert len(first) == 2
    _, again = await call(http, fake, "getUpdates")
    assert [u["update_id"] for u in again["result"]][:2] == first
    _, rest = await call(http, fake, "getUpdates", offset=first[-1] + 1)
    assert [u["message"]["text"] for u in rest["result"]] == ["three"]
    _, after = await call(http, fake, "getUpdates", offset=rest["result"][0]["update_id"] + 1)
    assert after["result"] == []


async def test_instant_mode_ignores_timeout(http: aiohttp.ClientSession) -> None:
    fake = FakeTelegram(instant_get_updates=True)
    await fake.start()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        _, body = await call(http, fake, "getUpdates", timeout=30)
        assert body["result"] == []
        assert loop.time() - started < 1
    finally:
        await fake.stop()


async def test_stop_ends_pending_long_poll(http: aiohttp.ClientSession) -> None:
    fake = FakeTelegram()
    await fake.start()
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=30))
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await fake.stop()
    _, body = await poll
    assert body["result"] == []
    assert loop.time() - started < 1
