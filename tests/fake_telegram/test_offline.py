"""Refused connections (go_offline/come_back) and competing pollers over real HTTP."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE, call

BOUND = 5.0  # no test here may take longer


async def test_offline_refuses_connections_and_comes_back_on_the_same_port(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.send_text(ALICE, "queued while offline")
    assert (await call(http, fake, "sendMessage", chat_id=ALICE, text="before"))[0] == 200
    root = fake.root
    host, port = root.removeprefix("http://").split(":")
    async with asyncio.timeout(BOUND):
        await fake.go_offline()
        assert fake.offline
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(host, int(port))
        async with aiohttp.ClientSession() as fresh:
            with pytest.raises(aiohttp.ClientConnectorError) as caught:
                await call(fresh, fake, "getMe")
        assert isinstance(caught.value.os_error, ConnectionRefusedError)
        with pytest.raises(aiohttp.ClientError):
            await call(http, fake, "getMe")
        await fake.come_back()
        assert (fake.root, fake.offline) == (root, False)
        status, body = await call(http, fake, "getUpdates")
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["queued while offline"]
    assert [m.text for m in fake.chat(ALICE)] == ["before"]


async def test_going_offline_cuts_a_pending_long_poll(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(BOUND):
        poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=4))
        await asyncio.sleep(0.1)
        started = loop.time()
        await fake.go_offline()
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await poll
        assert loop.time() - started < 0.5
        await fake.come_back()
        fake.send_text(ALICE, "hello again")
        status, body = await call(http, fake, "getUpdates", timeout=1)
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["hello again"]
    assert fake.conflicts == 0
    assert fake.fault_counts["dropped"] == 1


async def test_going_offline_drops_a_late_answer_after_delivery(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.late_answers("sendMessage", 3)
    async with asyncio.timeout(BOUND):
        pending = asyncio.create_task(call(http, fake, "sendMessage", chat_id=ALICE, text="hi"))
        await fake.wait_for(ALICE, timeout=1)
        await fake.go_offline()
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await pending
    assert [m.text for m in fake.chat(ALICE)] == ["hi"]


async def test_ptb_bot_sees_network_errors_while_offline(fake: FakeTelegram, bot: Bot) -> None:
    async with asyncio.timeout(BOUND):
        await bot.send_message(ALICE, "one")
        await fake.go_offline()
        with pytest.raises(NetworkError):
            await bot.send_message(ALICE, "lost")
        await fake.come_back()
        await bot.send_message(ALICE, "two")
    assert [m.text for m in fake.chat(ALICE)] == ["one", "two"]


async def test_offline_twice_and_stop_while_offline() -> None:
    fake = FakeTelegram()
    with pytest.raises(RuntimeError):
        await fake.go_offline()
    await fake.start()
    async with asyncio.timeout(BOUND):
        await fake.go_offline()
        await fake.go_offline()
        await fake.come_back()
        await fake.come_back()
        async with aiohttp.ClientSession() as http:
            assert (await call(http, fake, "getMe"))[0] == 200
        await fake.go_offline()
        await fake.stop()
    assert not fake.offline


async def test_two_concurrent_pollers_conflict(fake: FakeTelegram) -> None:
    async with (
        asyncio.timeout(BOUND),
        aiohttp.ClientSession() as one,
        aiohttp.ClientSession() as two,
    ):
        first = asyncio.create_task(call(one, fake, "getUpdates", timeout=4))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(call(two, fake, "getUpdates", timeout=4))
        status, body = await first
        assert status == 409
        assert body["description"].startswith("Conflict: terminated by other getUpdates request")
        assert fake.conflicts == 1
        third = asyncio.create_task(call(one, fake, "getUpdates", timeout=4))
        assert (await second)[0] == 409
        assert fake.conflicts == 2
        fake.send_text(ALICE, "who gets it")
        status, body = await third
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["who gets it"]
    assert fake.conflicts == 2
