"""The real `deputybot run` with every department served by the platform, killed mid-burst."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.models import HotlineMessage, Item
from bot.fake_hotline import FakeHotline
from bot.fake_telegram import FakeTelegram
from tests.e2e.hotline_setup import hotline_env
from tests.e2e.procs import ROUTING, BotProcess, Crowd, bot_env, seed, tally, wait_drained

DEPARTMENT = re.compile(r'^(\w+) = "([^"]+)"$', re.MULTILINE)


def all_on_hotline(folder: Path) -> Path:
    """Write the shipped routing file with every department served by the platform."""
    text = ROUTING.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[departments]\n")
    block, sep2, tail = rest.partition("\n\n")
    block = DEPARTMENT.sub(r'\1 = { name = "\2", reach = "hotline" }', block)
    path = folder / "routing.toml"
    path.write_text(head + sep + block + sep2 + tail, encoding="utf-8")
    (folder / "userdict.txt").write_text(
        (ROUTING.parent / "userdict.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return path


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Run the local Bot API in this process."""
    telegram = FakeTelegram()
    await telegram.start()
    yield telegram
    await telegram.stop()


async def _queue(database_url: str) -> tuple[int, list[str], Counter[str]]:
    """Return pending requests, routed items' numbers, and the statuses of requests."""
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        pending = await session.scalar(
            select(func.count()).where(HotlineMessage.status == "pending")
        )
        routed = list(
            (
                await session.execute(
                    select(Item.tracking_no).where(
                        Item.status == "routed", Item.department.is_not(None)
                    )
                )
            ).scalars()
        )
        statuses = Counter((await session.execute(select(HotlineMessage.status))).scalars())
    await engine.dispose()
    return int(pending or 0), [str(n) for n in routed], statuses


async def test_kill_9_mid_burst_delivers_every_work_order_once(
    database_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    crowd = Crowd(fake, await seed(database_url, fake, deputies=5))
    async with FakeHotline() as platform:
        platform.faults.delay = 0.02
        env = bot_env(
            fake,
            database_url,
            DEPUTYBOT_ROUTING=str(all_on_hotline(tmp_path)),
            **hotline_env(platform),
        )
        bot = BotProcess("bot", env, tmp_path / "bot.log")
        await bot.start()
        stop = asyncio.Event()
        presser = asyncio.create_task(crowd.keep_pressing(stop))
        try:
            for _ in range(3):
                crowd.send(15)
                await asyncio.sleep(random.uniform(0.5, 2.0))
                await bot.kill()
                await bot.start()
            drained = await wait_drained(database_url, crowd, timeout=120)
            stop.set()
            await presser
            assert drained is not None, bot.log()[-3000:]
            for _ in range(600):
                pending, routed, statuses = await _queue(database_url)
                if not pending:
                    break
                await asyncio.sleep(0.1)
        finally:
            await bot.stop(timeout=15)
            bot.close()
    counted = await tally(database_url, crowd)
    assert counted.clean, counted
    assert len(routed) >= 15  # most concerns route to a department
    assert pending == 0, statuses
    assert statuses == {"sent": len(routed)}
    codes = Counter(r.code for r in platform.orders())
    assert set(codes) == set(routed)
    assert all(n == 1 for n in codes.values())  # each work order taken once
    # A request made but not recorded when the process died is made again with the same
    # Idempotency-Key, and the platform drops the repeat: at most one per kill and lane.
    assert platform.repeats <= bot.kills * 4
    assert platform.secret not in bot.log()
