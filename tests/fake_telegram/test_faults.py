"""Fault modes over real HTTP: late answers, slow calls, error phases, clearing and counters."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE, call

BOUND = 5.0  # no test here may take longer


async def test_late_answer_is_delivered_although_the_client_times_out(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.late_answers("sendMessage", 0.5, times=1)
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(BOUND):
        with pytest.raises(TimeoutError):
            await call(http, fake, "sendMessage", chat_id=ALICE, text="hi", read_timeout=0.15)
        assert [m.text for m in fake.chat(ALICE)] == ["hi"]
        started = loop.time()
        status, _ = await call(http, fake, "sendMessage", chat_id=ALICE, text="again")
        assert status == 200
        assert loop.time() - started < 0.4
    assert fake.fault_counts["late"] == 1


async def test_late_answer_arrives_after_the_delay(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.late_answers("SENDMESSAGE", 0.3)
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(BOUND):
        started = loop.time()
        pending = asyncio.create_task(call(http, fake, "sendMessage", chat_id=ALICE, text="hi"))
        stored = await fake.wait_for(ALICE, timeout=0.2)
        assert stored.text == "hi"
        assert not pending.done()
        status, body = await pending
        assert (status, body["result"]["text"]) == (200, "hi")
        assert loop.time() - started >= 0.3
        await call(http, fake, "sendMessage", chat_id=ALICE, text="still late")
        assert loop.time() - started >= 0.6
    assert fake.fault_counts["late"] == 2


async def test_late_answer_times_out_a_ptb_bot(fake: FakeTelegram, bot: Bot) -> None:
    fake.late_answers("sendMessage", 0.5, times=1)
    async with asyncio.timeout(BOUND):
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "delivered anyway", read_timeout=0.1)
        assert [m.text for m in fake.chat(ALICE)] == ["delivered anyway"]
        await bot.send_message(ALICE, "on time", read_timeout=0.3)


async def test_slow_call_takes_effect_after_the_delay(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.slow_calls("sendMessage", 0.3, times=1)
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(BOUND):
        started = loop.time()
        pending = asyncio.create_task(call(http, fake, "sendMessage", chat_id=ALICE, text="hi"))
        await asyncio.sleep(0.1)
        assert fake.chat(ALICE) == []
        assert not pending.done()
        status, body = await pending
        assert (status, body["result"]["text"]) == (200, "hi")
        assert loop.time() - started >= 0.3
        assert [m.text for m in fake.chat(ALICE)] == ["hi"]
        started = loop.time()
        await call(http, fake, "sendMessage", chat_id=ALICE, text="fast again")
        assert loop.time() - started < 0.25
    assert fake.fault_counts["slow"] == 1


@pytest.mark.parametrize(
    ("code", "description"),
    [
        pytest.param(401, "Unauthorized", id="401"),
        pytest.param(404, "Not Found", id="404"),
        pytest.param(502, "Bad Gateway", id="502"),
    ],
)
async def test_error_phase_refuses_every_call_until_it_ends(
    fake: FakeTelegram, http: aiohttp.ClientSession, code: int, description: str
) -> None:
    photo = fake.send_photo(ALICE, data=b"JPEG")
    _, got = await call(http, fake, "getFile", file_id=photo["photo"][-1]["file_id"])
    file_url = f"{fake.base_file_url}{fake.token}/{got['result']['file_path']}"
    fake.error_phase(code, seconds=0.3)
    expected = {"ok": False, "error_code": code, "description": description}
    async with asyncio.timeout(BOUND):
        calls: list[tuple[str, dict[str, Any]]] = [
            ("getMe", {}),
            ("getUpdates", {"timeout": 2}),
            ("sendMessage", {"chat_id": ALICE, "text": "lost"}),
        ]
        for method, params in calls:
            assert await call(http, fake, method, **params) == (code, expected)
        async with http.get(file_url) as response:
            assert (response.status, await response.json()) == (code, expected)
        assert fake.chat(ALICE) == []
        await asyncio.sleep(0.35)
        assert (await call(http, fake, "getMe"))[0] == 200
        async with http.get(file_url) as response:
            assert await response.read() == b"JPEG"
    assert fake.fault_counts["phase"] == 4


async def test_error_phase_ends_a_pending_long_poll(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(BOUND):
        poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=4))
        await asyncio.sleep(0.1)
        started = loop.time()
        fake.error_phase(502, description="Bad Gateway: upstream restarting")
        status, body = await poll
        assert (status, body["description"]) == (502, "Bad Gateway: upstream restarting")
        assert loop.time() - started < 0.5
        fake.clear_faults()
        fake.send_text(ALICE, "back")
        status, body = await call(http, fake, "getUpdates", timeout=1)
        assert [u["message"]["text"] for u in body["result"]] == ["back"]
    assert fake.fault_counts["phase"] == 1


async def test_error_phase_cuts_a_slow_call_before_it_takes_effect(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.slow_calls("sendMessage", 2)
    async with asyncio.timeout(BOUND):
        pending = asyncio.create_task(call(http, fake, "sendMessage", chat_id=ALICE, text="x"))
        await asyncio.sleep(0.1)
        fake.error_phase(503)
        status, body = await pending
    assert (status, body["description"]) == (503, "Service Unavailable")
    assert fake.chat(ALICE) == []


async def test_error_phase_seen_by_a_ptb_bot(fake: FakeTelegram, bot: Bot) -> None:
    async with asyncio.timeout(BOUND):
        fake.error_phase(502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(ALICE, "hi")
        fake.error_phase(401)
        with pytest.raises(InvalidToken):
            await bot.get_me()
        fake.clear_faults()
        await bot.send_message(ALICE, "hi")


async def test_clear_faults_ends_every_mode(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    loop = asyncio.get_running_loop()
    fake.late_answers("sendMessage", 3)
    fake.slow_calls("getMe", 3)
    fake.fail_next("getChat", error_code=500, times=3)
    async with asyncio.timeout(BOUND):
        held = asyncio.create_task(call(http, fake, "sendMessage", chat_id=ALICE, text="held"))
        await fake.wait_for(ALICE, timeout=1)
        fake.error_phase(502)
        started = loop.time()
        fake.clear_faults()
        assert (await held)[0] == 200
        assert (await call(http, fake, "getMe"))[0] == 200
        assert (await call(http, fake, "getChat", chat_id=ALICE))[0] == 200
        assert (await call(http, fake, "sendMessage", chat_id=ALICE, text="x"))[0] == 200
        assert loop.time() - started < 0.5


async def test_fault_counts(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    assert fake.fault_counts == {"late": 0, "slow": 0, "phase": 0, "injected": 0, "dropped": 0}
    fake.late_answers("getMe", 0.01, times=2)
    fake.slow_calls("getChat", 0.01, times=1)
    fake.fail_next("getChat")
    async with asyncio.timeout(BOUND):
        for _ in range(3):
            await call(http, fake, "getMe")
        assert (await call(http, fake, "getChat", chat_id=ALICE))[0] == 429
        fake.error_phase(500, seconds=1)
        await call(http, fake, "getMe")
    assert fake.fault_counts == {"late": 2, "slow": 1, "phase": 1, "injected": 1, "dropped": 0}


@pytest.mark.parametrize(
    ("method", "seconds", "times"),
    [
        pytest.param("noSuchMethod", 1, None, id="unknown-method"),
        pytest.param("getMe", -1, None, id="negative-seconds"),
        pytest.param("getMe", 1, 0, id="zero-times"),
    ],
)
def test_delay_arguments_are_checked(method: str, seconds: float, times: int | None) -> None:
    fake = FakeTelegram()
    for fault in (fake.late_answers, fake.slow_calls):
        with pytest.raises(ValueError):  # noqa: PT011 - the message differs by case
            fault(method, seconds, times=times)
    with pytest.raises(ValueError, match="seconds must not be negative"):
        fake.error_phase(502, seconds=-1)
