"""Webhook mode: Telegram pushes updates to the bot's own HTTP server; nothing lost or doubled."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.db.models import InboxUpdate
from bot.fake_telegram import FakeTelegram
from bot.runtime.lifecycle import WebhookRefused
from bot.services.routing import RoutingHolder
from tests.e2e.harness import ADMIN_ID, CAST, Harness, free_port, running_bot
from tests.e2e.hotline_setup import until
from tests.e2e.procs import ROOT, BotProcess, Crowd, bot_env, seed, tally, wait_drained

SECRET = "webhook-secret_123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_env(port: int) -> dict[str, str]:
    """Return the settings of a bot that Telegram pushes to on this port."""
    return {
        "DEPUTYBOT_HTTP_LISTEN": f"127.0.0.1:{port}",
        "DEPUTYBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
        "DEPUTYBOT_WEBHOOK_SECRET": SECRET,
    }


async def _stored(bot: Harness) -> int:
    """Count the updates in the inbox."""
    async with bot.bot_data.services.deps.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def test_the_loop_works_with_updates_pushed_to_the_webhook(
    database_url: str, routing: RoutingHolder
) -> None:
    port = free_port()
    async with running_bot(database_url, routing, env=webhook_env(port), http=True) as bot:
        assert bot.fake.calls_of("setWebhook")
        cast = await bot.enrol()
        number = await bot.submit(cast.deputy, "小区门口的路灯坏了一个月，晚上很黑")
        card = await bot.talk.expect(cast.li, number)
        bot.talk.press(cast.li, card, "签收")
        await bot.talk.expect(cast.deputy, "已由【住房和城乡建设局】签收")
        assert not bot.fake.calls_of("getUpdates")  # nobody polled
        assert bot.fake.webhook.pushed > 10
        assert bot.bot_data.errors == []


async def test_the_webhook_refuses_what_telegram_did_not_send_and_takes_a_repeat_once(
    database_url: str, routing: RoutingHolder
) -> None:
    port = free_port()
    async with running_bot(database_url, routing, env=webhook_env(port), http=True) as bot:
        cast = await bot.enrol()
        before = await _stored(bot)
        update = {
            "update_id": 990001,
            "message": {
                "message_id": 77,
                "date": 1765000000,
                "chat": {"id": cast.deputy.user_id, "type": "private"},
                "from": {"id": cast.deputy.user_id, "is_bot": False, "first_name": "张三"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        async with httpx.AsyncClient() as client:
            bad_json = await client.post(url, content=b"{not json", headers={HEADER: SECRET})
            assert bad_json.status_code == 400
            for headers, body, status in (
                ({}, update, 401),
                ({HEADER: "wrong"}, update, 401),
                ({HEADER: SECRET}, {"no": "update"}, 400),
                ({HEADER: SECRET}, [1, 2], 400),
                ({HEADER: SECRET}, {"update_id": True, "message": {}}, 400),
                ({HEADER: SECRET}, {"update_id": -1, "message": update["message"]}, 400),
                ({HEADER: SECRET}, {"update_id": 990002}, 400),
                ({HEADER: SECRET}, {"update_id": 990003, "message": "text"}, 400),
                ({HEADER: SECRET}, {"update_id": 990004, "message": {"text": "no chat"}}, 400),
            ):
                response = await client.post(url, json=body, headers=headers)
                assert response.status_code == status
            assert await _stored(bot) == before
            big = await client.post(
                url, content=b"{" + b" " * (1024 * 1024 + 1), headers={HEADER: SECRET}
            )
            assert big.status_code == 413
            for _ in range(2):
                response = await client.post(url, json=update, headers={HEADER: SECRET})
                assert response.status_code == 200
        await bot.talk.expect(cast.deputy, "人大代表可用功能")
        assert await _stored(bot) == before + 1
        await asyncio.sleep(0.5)
        helps = [m for m in bot.fake.chat(cast.deputy.user_id) if "人大代表可用功能" in m.text]
        assert len(helps) == 1
        assert bot.bot_data.errors == []


async def test_updates_pushed_while_the_server_is_away_arrive_once_it_is_back(
    database_url: str, routing: RoutingHolder
) -> None:
    port = free_port()
    async with running_bot(database_url, routing, env=webhook_env(port), http=True) as bot:
        cast = await bot.enrol()
        connector = bot.bot_data.runtime.connector
        assert connector is not None
        await connector.stop_serving()
        for n in range(3):
            bot.talk.say(cast.deputy, f"/status 26120{n}")
        await until(lambda: bot.fake.webhook.failed >= 2)
        await connector.serve("127.0.0.1", port, on_update=bot.bot_data.runtime.processor.kick)
        for n in range(3):
            await bot.talk.expect(cast.deputy, f"未找到编号为 26120{n} 的诉求")
        assert bot.bot_data.errors == []


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Run the local Bot API in this process."""
    telegram = FakeTelegram()
    await telegram.start()
    yield telegram
    await telegram.stop()


async def test_kill_9_in_webhook_mode_loses_nothing_and_doubles_nothing(
    database_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    crowd = Crowd(fake, await seed(database_url, fake, deputies=5))
    env = bot_env(fake, database_url, **webhook_env(free_port()))
    bot = BotProcess("bot", env, tmp_path / "bot.log")
    await bot.start()
    stop = asyncio.Event()
    presser = asyncio.create_task(crowd.keep_pressing(stop))
    try:
        for _ in range(3):
            crowd.send(15)
            await asyncio.sleep(1.0)
            await bot.kill()
            await bot.start()
        drained = await wait_drained(database_url, crowd, timeout=30)
        stop.set()
        await presser
        report = await _health(bot.env)
    finally:
        await bot.stop(timeout=15)
        bot.close()
    counted = await tally(database_url, crowd)
    assert drained is not None, bot.log()[-3000:]
    assert (counted.concerns, counted.presses) == (45, 45)
    assert counted.clean, counted
    assert counted.sent_twice <= bot.kills, counted.duplicates
    assert not fake.calls_of("getUpdates")
    assert SECRET not in bot.log()
    assert fake.token not in bot.log()
    assert report["ok"], report
    assert (report["mode"], report["poller"]) == ("webhook", None)
    assert report["last_update_seconds"] is not None
    assert (report["inbox_pending"], report["outbox_due"]) == (0, 0)


async def _health(env: dict[str, str]) -> dict[str, Any]:
    """Run `deputybot health --json` with a bot's environment and return its report."""
    health = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", "--json", cwd=str(ROOT), env=env,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(health.communicate(), 60)
    report: dict[str, Any] = json.loads(output)
    assert health.returncode == (0 if report["ok"] else 1)
    return report


async def test_polling_again_deletes_the_webhook_left_set_and_gets_what_waited(
    database_url: str, routing: RoutingHolder
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        async with httpx.AsyncClient() as client:
            url = f"{telegram.base_url}{telegram.token}/setWebhook"
            answer = await client.post(url, json={"url": f"http://127.0.0.1:{free_port()}/x"})
            assert answer.status_code == 200
        telegram.add_user(ADMIN_ID, "管理员")
        telegram.send_text(ADMIN_ID, "/help")  # queued at Telegram while the webhook is set
        async with running_bot(database_url, routing, fake=telegram) as bot:
            await bot.talk.expect(CAST.admin, "可用功能")
            assert len(telegram.calls_of("deleteWebhook")) == 1
            assert telegram.calls_of("getUpdates")
            assert bot.bot_data.errors == []
    finally:
        await telegram.stop()


async def test_set_webhook_is_retried_while_telegram_fails_and_a_refusal_stops_start_up(
    database_url: str, routing: RoutingHolder
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        telegram.fail_next("setWebhook", error_code=502)
        env = webhook_env(free_port())
        async with running_bot(database_url, routing, fake=telegram, env=env, http=True) as bot:
            assert len(telegram.calls_of("setWebhook")) == 2
            bot.talk.say(CAST.admin, "/help")
            await bot.talk.expect(CAST.admin, "可用功能")
        telegram.fail_next("setWebhook", error_code=400, description="Bad Request: bad webhook")
        with pytest.raises(WebhookRefused, match=r"(?i)bad webhook"):
            async with running_bot(database_url, routing, fake=telegram, env=env, http=True):
                pass
        assert telegram.webhook.url == env["DEPUTYBOT_WEBHOOK_URL"]  # never deleted
    finally:
        await telegram.stop()


async def test_a_webhook_url_telegram_refuses_stops_the_process_with_one_line(
    database_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    await seed(database_url, fake, deputies=1)
    fake.fail_next("setWebhook", error_code=400, description="Bad Request: bad webhook: bad port")
    bot = BotProcess(
        "bot", bot_env(fake, database_url, **webhook_env(free_port())), tmp_path / "b.log"
    )
    try:
        await bot.start()
        assert await bot.wait_exit(60) == 5
    finally:
        await bot.stop(timeout=15)
        bot.close()
    log = bot.log()
    assert "Telegram refused the webhook" in log
    assert "check DEPUTYBOT_WEBHOOK_URL" in log
    assert "Traceback" not in log
    assert SECRET not in log
