"""The real `deputybot run` process under faults: kill -9, Telegram away at start, a bad token."""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db.engine import create_engine
from bot.fake_telegram import FakeTelegram
from tests.e2e.procs import ROOT, BotProcess, Crowd, bot_env, seed, tally, wait_drained


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Run the local Bot API in this process."""
    telegram = FakeTelegram()
    await telegram.start()
    yield telegram
    await telegram.stop()


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Collect the bot processes a test starts, and stop every one of them at the end."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.stop(timeout=15)
        process.close()


def _bot(
    processes: list[BotProcess], fake: FakeTelegram, url: str, tmp_path: Path, **env: str
) -> BotProcess:
    """Prepare a bot process against the emulator."""
    process = BotProcess("bot", bot_env(fake, url, **env), tmp_path / f"bot{len(processes)}.log")
    processes.append(process)
    return process


async def test_kill_9_during_bursts_loses_nothing_and_doubles_nothing(
    database_url: str, fake: FakeTelegram, processes: list[BotProcess], tmp_path: Path
) -> None:
    crowd = Crowd(fake, await seed(database_url, fake, deputies=5))
    bot = _bot(processes, fake, database_url, tmp_path)
    await bot.start()
    stop = asyncio.Event()
    presser = asyncio.create_task(crowd.keep_pressing(stop))
    for _ in range(3):
        crowd.send(20)
        await asyncio.sleep(random.uniform(0.3, 1.5))
        await bot.kill()
        await bot.start()
    drained = await wait_drained(database_url, crowd, timeout=120)
    stop.set()
    await presser
    counted = await tally(database_url, crowd)
    assert drained is not None, bot.log()[-3000:]
    assert (counted.concerns, counted.presses) == (60, 60)
    assert counted.clean, counted
    # A message sent but not yet marked sent when the process died goes out again: at most
    # one per kill (the sender makes one call at a time).
    assert counted.sent_twice <= bot.kills, counted.duplicates
    assert fake.token not in bot.log()
    health = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", "--json", cwd=str(ROOT), env=bot.env,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(health.communicate(), 60)
    report = json.loads(output)
    assert health.returncode == 0, report
    assert report["poller"] is not None
    assert (report["inbox_pending"], report["outbox_due"]) == (0, 0)


async def test_telegram_unreachable_at_start_up_is_waited_for(
    database_url: str, fake: FakeTelegram, processes: list[BotProcess], tmp_path: Path
) -> None:
    deputy = (await seed(database_url, fake, deputies=1))[0]
    await fake.go_offline()
    bot = _bot(processes, fake, database_url, tmp_path)
    await bot.start()
    assert await bot.wait_exit(4) is None, "the bot must keep retrying, not exit"
    await fake.come_back()
    fake.send_text(deputy, "/help")
    await fake.wait_for(deputy, lambda m: "人大代表可用功能" in m.text, timeout=60)
    assert "Telegram unreachable at start-up" in bot.log()


async def test_a_rejected_token_stops_the_process_with_one_line(
    database_url: str, fake: FakeTelegram, processes: list[BotProcess], tmp_path: Path
) -> None:
    await seed(database_url, fake, deputies=1)
    fake.error_phase(401)
    bot = _bot(processes, fake, database_url, tmp_path)
    await bot.start()
    assert await bot.wait_exit(30) == 1
    log = bot.log()
    assert "Telegram rejected the bot token" in log
    assert "Traceback" not in log
    assert fake.token not in log
    assert fake.token.partition(":")[2] not in log


async def test_a_poller_that_cannot_fetch_exits_so_it_is_restarted(
    database_url: str, fake: FakeTelegram, processes: list[BotProcess], tmp_path: Path
) -> None:
    deputy = (await seed(database_url, fake, deputies=1))[0]
    bot = _bot(processes, fake, database_url, tmp_path, DEPUTYBOT_POLL_STALL_SECONDS="5")
    await bot.start()
    fake.send_text(deputy, "/help")
    await fake.wait_for(deputy, lambda m: "可用功能" in m.text, timeout=60)
    fake.error_phase(404)
    assert await bot.wait_exit(60) == 3
    assert "no successful getUpdates" in bot.log()
    fake.clear_faults()
    await bot.start()
    fake.send_text(deputy, "/help")
    await fake.wait_for(deputy, lambda m: "可用功能" in m.text, timeout=60)


async def test_three_processes_starting_at_once_on_a_fresh_database_all_succeed(
    database_url: str, fake: FakeTelegram, processes: list[BotProcess], tmp_path: Path
) -> None:
    fake.add_user(100001, "张三")
    first = _bot(processes, fake, database_url, tmp_path)
    second = _bot(processes, fake, database_url, tmp_path)
    invite = asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "invite", "deputy", "--name", "张三", "--level", "县",
        "--district", "K8县", cwd=str(ROOT), env=first.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    inviting, *_ = await asyncio.gather(invite, first.start(), second.start())
    output, _ = await asyncio.wait_for(inviting.communicate(), 60)
    assert inviting.returncode == 0, output.decode()
    code = re.search(r"邀请码：(\w+)", output.decode())
    assert code is not None
    fake.send_text(100001, f"/start {code.group(1)}")
    await fake.wait_for(100001, lambda m: "绑定成功" in m.text, timeout=60)
    for process in (first, second):
        assert process.running, process.log()
        assert "Traceback" not in process.log()
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    await engine.dispose()
    assert len(versions) == 1


async def test_a_stop_signal_while_telegram_is_unreachable_ends_the_process(
    database_url: str, fake: FakeTelegram, processes: list[BotProcess], tmp_path: Path
) -> None:
    await fake.go_offline()
    bot = _bot(processes, fake, database_url, tmp_path)
    await bot.start()
    await asyncio.sleep(2)
    assert await bot.stop(timeout=10) == 0, bot.log()
    assert "stopped before Telegram could be reached" in bot.log()
