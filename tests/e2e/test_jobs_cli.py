"""`deputybot jobs run-once --now …`: catch up after downtime through the configured Bot API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cli.jobs import run_once
from bot.clock import ManualClock
from bot.fake_telegram import FakeTelegram
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from bot.wiring import build_services
from tests.e2e.test_instances import ADMIN, HANDLERS, ITEMS, START, seed


async def test_run_once_sends_what_is_due_and_holds_the_night(
    database_url: str, routing: RoutingHolder, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    for chat in (101, ADMIN, *HANDLERS):
        telegram.add_user(chat, f"用户{chat}")
    settings = Settings(
        TELEGRAM_BOT_TOKEN=telegram.token,  # type: ignore[call-arg]
        DEPUTYBOT_TELEGRAM_API_URL=telegram.root,
        DEPUTYBOT_DATABASE_URL=database_url,
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        DEPUTYBOT_ROUTING=str(routing.path),
        _env_file=None,
    )
    services = await build_services(settings, ManualClock(START), routing)
    await seed(services)
    await services.engine.dispose()
    try:
        # Tuesday 23:00: acknowledgement is overdue, but it is quiet hours: queued, held.
        assert await run_once(settings, START + timedelta(hours=37)) == 0
        assert "待发送" in capsys.readouterr().out
        assert not any("已超过签收时限" in (m.text or "") for m in telegram.messages)
        # Wednesday 09:00: the held reminders, the escalation and the digests go out once.
        assert await run_once(settings, START + timedelta(hours=47)) == 0
        assert await run_once(settings, START + timedelta(hours=47, minutes=5)) == 0
    finally:
        await telegram.stop()
    for handler in HANDLERS:
        texts = [m.text or "" for m in telegram.chat(handler)]
        assert sum("已超过签收时限" in text for text in texts) == ITEMS
        assert sum("每日待办" in text for text in texts) == 1
    assert "待发送 0 条" in capsys.readouterr().out


async def test_run_once_needs_a_token(database_url: str) -> None:
    settings = Settings(DEPUTYBOT_DATABASE_URL=database_url, _env_file=None)  # type: ignore[call-arg]
    assert await run_once(settings, START) == 2
