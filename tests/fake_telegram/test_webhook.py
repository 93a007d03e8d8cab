"""Webhook push: with a webhook set, each update is POSTed in order, retried until accepted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.fake_telegram import FakeTelegram
from bot.web.server import free_port

from .conftest import ALICE, call

BOUND = 10.0
SECRET = "s3cret-token_1"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Receiver:
    """A webhook endpoint that answers with the statuses it is given (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Return the URL to give setWebhook."""
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def start(self) -> None:
        """Listen on the port (a free one when 0)."""
        app = web.Application()
        app.router.add_post("/telegram/webhook", self._take)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _take(self, request: web.Request) -> web.Response:
        self.received.append((await request.json(), request.headers.get(HEADER)))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"ok": status < 300}, status=status)

    def ids(self) -> list[int]:
        """Return the update ids received, in order (repeats included)."""
        return [int(update["update_id"]) for update, _ in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """Run a webhook endpoint that accepts everything."""
    endpoint = Receiver()
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


async def until(condition: Callable[[], bool]) -> None:
    """Wait until the condition holds, failing after BOUND seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BOUND
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_each_update_is_pushed_in_order_with_the_secret_and_polling_is_refused(
    fake: FakeTelegram, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    status, _ = await call(http, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
    assert status == 200
    sent = [fake.send_text(ALICE, text) for text in ("one", "two", "three")]
    # The receiver sees a push before the emulator has its answer: wait for both sides.
    await until(lambda: len(receiver.received) == 3 and fake.webhook.pushed == 3)
    assert [u["message"]["text"] for u, _ in receiver.received] == ["one", "two", "three"]
    assert [u["message"]["message_id"] for u, _ in receiver.received] == [
        m["message_id"] for m in sent
    ]
    assert receiver.ids() == sorted(receiver.ids())
    assert {header for _, header in receiver.received} == {SECRET}
    status, body = await call(http, fake, "getUpdates")
    assert (status, "webhook is active" in body["description"]) == (409, True)
    _, info = await call(http, fake, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    assert "last_error_message" not in info["result"]
    assert fake.webhook.pushed == 3


async def test_a_refused_push_is_retried_until_accepted_and_the_next_waits_for_it(
    fake: FakeTelegram, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    receiver.statuses = [500, 401]
    await call(http, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
    first = fake.send_text(ALICE, "first")
    fake.send_text(ALICE, "second")
    await until(lambda: len(receiver.received) == 4 and len(fake.webhook.attempts) == 4)
    ids = receiver.ids()
    assert ids[:3] == [ids[0]] * 3
    assert ids[3] == ids[0] + 1
    assert receiver.received[0][0]["message"]["message_id"] == first["message_id"]
    assert [outcome for _, outcome in fake.webhook.attempts] == ["500", "401", "200", "200"]
    assert fake.webhook.failed == 2


async def test_a_webhook_nobody_listens_on_is_retried_until_it_listens(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    endpoint = Receiver(port=free_port("127.0.0.1"))
    await call(http, fake, "setWebhook", url=endpoint.url, secret_token=SECRET)
    fake.send_text(ALICE, "while away")
    await until(lambda: fake.webhook.failed >= 2)
    _, info = await call(http, fake, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 1
    assert info["result"]["last_error_message"] == "Connection refused"
    assert {outcome for _, outcome in fake.webhook.attempts} == {"refused"}
    await endpoint.start()
    try:
        await until(lambda: len(endpoint.received) == 1)
    finally:
        await endpoint.stop()
    assert endpoint.received[0][0]["message"]["text"] == "while away"
    _, info = await call(http, fake, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0


async def test_deleting_the_webhook_stops_the_pushes_and_get_updates_has_the_rest(
    fake: FakeTelegram, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    receiver.statuses = [503] * 1000
    await call(http, fake, "setWebhook", url=receiver.url)
    fake.send_text(ALICE, "kept")
    await until(lambda: len(receiver.received) >= 1)
    assert receiver.received[0][1] is None  # no secret_token given, no header sent
    await call(http, fake, "deleteWebhook")
    pushes = len(receiver.received)
    status, body = await call(http, fake, "getUpdates")
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["kept"]
    await asyncio.sleep(0.3)
    assert len(receiver.received) <= pushes + 1  # at most the push that was in flight


async def test_set_webhook_takes_allowed_updates_and_refuses_a_url_that_is_not_http(
    fake: FakeTelegram, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    status, body = await call(http, fake, "setWebhook", url="ftp://example.invalid/hook")
    assert status == 400
    assert "bad webhook" in body["description"]
    await call(http, fake, "setWebhook", url=receiver.url, allowed_updates=["callback_query"])
    _, sent = await call(http, fake, "sendMessage", chat_id=ALICE, text="press")
    fake.send_text(ALICE, "not wanted")
    fake.press(ALICE, sent["result"]["message_id"], "data")
    await until(lambda: len(receiver.received) == 1)
    await asyncio.sleep(0.1)
    assert [next(k for k in u if k != "update_id") for u, _ in receiver.received] == [
        "callback_query"
    ]
    _, info = await call(http, fake, "getWebhookInfo")
    assert info["result"]["allowed_updates"] == ["callback_query"]
