"""Raw HTTP: routing, parameter encodings, long polling, offsets and instant mode."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE, call


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


async def test_get_with_query_string(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    url = f"{fake.root}/bot{fake.token}/sendMessage"
    async with http.get(url, params={"chat_id": str(ALICE), "text": "via GET"}) as response:
        body = await response.json()
    assert body["result"]["text"] == "via GET"


async def test_multipart_attach_reference(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(ALICE))
    form.add_field("photo", "attach://pic")
    form.add_field("pic", b"IMAGE", filename="pic.jpg", content_type="image/jpeg")
    async with http.post(f"{fake.root}/bot{fake.token}/sendPhoto", data=form) as response:
        body = await response.json()
    assert body["ok"] is True
    assert fake.messages[-1].file_bytes == b"IMAGE"
    assert fake.calls[-1] == (
        "sendPhoto",
        {"chat_id": ALICE, "photo": "attach://pic", "pic": "<upload pic.jpg>"},
    )


async def test_negative_offset_keeps_last_updates(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    for text in ("one", "two", "three"):
        fake.send_text(ALICE, text)
    _, body = await call(http, fake, "getUpdates", offset=-1)
    assert [u["message"]["text"] for u in body["result"]] == ["three"]
    _, again = await call(http, fake, "getUpdates")
    assert [u["message"]["text"] for u in again["result"]] == ["three"]


async def test_allowed_updates_filters(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    _, sent = await call(http, fake, "sendMessage", chat_id=ALICE, text="x")
    fake.press(ALICE, sent["result"]["message_id"], "data")
    fake.send_text(ALICE, "text")
    _, body = await call(http, fake, "getUpdates", allowed_updates=["message"])
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["message"]


async def test_webhook_blocks_polling(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    await call(http, fake, "setWebhook", url="https://example.invalid/hook")
    _, info = await call(http, fake, "getWebhookInfo")
    assert info["result"]["url"] == "https://example.invalid/hook"
    status, body = await call(http, fake, "getUpdates")
    assert status == 409
    assert "webhook is active" in body["description"]
    assert fake.conflicts == 1
    await call(http, fake, "deleteWebhook", drop_pending_updates=True)
    status, _ = await call(http, fake, "getUpdates")
    assert status == 200


async def test_second_poll_terminates_first(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(call(http, fake, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    _, second = await call(http, fake, "getUpdates", timeout=0)
    status, body = await first
    assert second["result"] == []
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


@pytest.mark.parametrize(
    ("params", "description"),
    [
        pytest.param({"chat_id": ALICE, "action": "typing"}, None, id="ok"),
        pytest.param({"chat_id": ALICE, "action": "dancing"}, "wrong parameter action", id="bad"),
        pytest.param({"action": "typing"}, "chat_id is empty", id="no-chat"),
    ],
)
async def test_send_chat_action(
    fake: FakeTelegram, http: aiohttp.ClientSession, params: dict[str, Any], description: str | None
) -> None:
    status, body = await call(http, fake, "sendChatAction", **params)
    assert status == (200 if description is None else 400)
    assert description is None or description in body["description"]
