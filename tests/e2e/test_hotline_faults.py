"""The 12345 connector under faults: the platform away, failing, refusing; two instances."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.cli.health import render
from bot.clock import ManualClock, SystemClock
from bot.db.models import HotlineMessage, Item, Member
from bot.domain.rules import Action
from bot.fake_hotline import FakeHotline
from bot.hotline.client import HotlineClient
from bot.hotline.sender import HotlineSender
from bot.services.acting import Act
from bot.services.health import check
from bot.settings import Settings
from bot.wiring import build_services
from tests.e2e.harness import Harness
from tests.e2e.hotline_setup import POLLUTION, hotline_bot, hotline_env, hotline_routing, until

CST = ZoneInfo("Asia/Shanghai")
SMOKE = "工厂烟囱冒黑烟，空气污染严重"
NOISE = "工地夜间施工噪音扰民，环境污染严重"


async def test_platform_away_then_back_gets_everything_once_in_order(
    database_url: str, tmp_path: Path
) -> None:
    async with hotline_bot(database_url, tmp_path) as line:
        bot, platform = line.bot, line.platform
        cast, first = await line.first_order()
        await platform.report(first, "办结", text="已处理完毕")
        card = await bot.talk.expect(cast.deputy, "已处理完毕")

        await platform.go_offline()
        bot.talk.press(cast.deputy, card, "不满意")
        await bot.talk.expect(cast.deputy, "原因")
        bot.talk.say(cast.deputy, "根本没有处理")
        await bot.talk.expect(cast.deputy, "重新办理")
        second = await bot.submit(cast.deputy, SMOKE)
        platform.faults.status = 503  # back, but failing for a while
        await platform.come_back()
        await asyncio.sleep(1.5)
        third = await bot.submit(cast.deputy, NOISE)
        await asyncio.sleep(1.0)
        assert len(platform.received) == 1  # only the first order went through so far
        platform.faults.status = None

        await until(lambda: len(platform.received) == 4, seconds=40)
        assert [r.kind for r in platform.of(first)] == ["order", "reopened"]
        assert [r.kind for r in platform.of(second)] == ["order"]
        assert [r.kind for r in platform.of(third)] == ["order"]
        assert len({r.key for r in platform.received}) == 4
        assert platform.repeats == 0
        assert (503, "fault") in platform.refused
        assert await settled_states(bot, {"sent": 4}) == {"sent": 4}
        assert bot.bot_data.errors == []


async def settled_states(bot: Harness, wanted: dict[str, int]) -> Counter[str]:
    """Return the hotline queue's states once they match (the platform answers before we mark)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10.0
    while True:
        async with bot.bot_data.services.deps.sessions() as session:
            states = Counter((await session.execute(select(HotlineMessage.status))).scalars())
        if states == wanted or loop.time() > deadline:
            return states
        await asyncio.sleep(0.05)


async def test_a_refused_work_order_is_set_aside_and_told_to_the_administrators(
    database_url: str, tmp_path: Path
) -> None:
    async with hotline_bot(database_url, tmp_path) as line:
        bot, platform = line.bot, line.platform
        cast = await bot.enrol()
        platform.faults.refuse_orders = 1
        refused = await bot.submit(cast.deputy, POLLUTION)
        await until(lambda: (400, "refused") in platform.refused)
        later = await bot.submit(cast.deputy, SMOKE)
        await line.orders(1)
        assert [r.code for r in platform.orders()] == [later]
        note = await bot.talk.expect(cast.admin, "12345平台拒收")
        assert refused in (note.text or "")
        assert await settled_states(bot, {"failed": 1, "sent": 1}) == {"failed": 1, "sent": 1}
        async with bot.bot_data.services.deps.sessions() as session:
            rows = (
                await session.execute(select(HotlineMessage).order_by(HotlineMessage.id))
            ).scalars()
            outcome = [(r.code, r.status, (r.last_error or "")[:3]) for r in rows]
        assert outcome == [(refused, "failed", "400"), (later, "sent", "")]
        report = await check(bot.bot_data.services.deps.sessions, SystemClock())
        assert (report.hotline_failed, report.hotline_pending) == (1, 0)
        assert "12345 platform: 0 pending" in render(report)
        assert bot.bot_data.errors == []


async def test_two_instances_deliver_each_work_order_once(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeHotline() as platform:
        platform.faults.delay = 0.05
        routing = hotline_routing(tmp_path)
        values: dict[str, object] = {
            "DEPUTYBOT_DATABASE_URL": database_url,
            "DEPUTYBOT_ADMIN_IDS": "900",
            "_env_file": None,
            **hotline_env(platform),
        }
        settings = Settings(**values)  # type: ignore[arg-type]
        clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=CST))
        first = await build_services(settings, clock, routing)
        second = await build_services(settings, clock, routing)
        try:
            deputy = await _drafts(first, 30)
            actor = await first.actors.resolve(deputy)
            async with first.deps.sessions() as session:
                ids = list((await session.execute(select(Item.id).order_by(Item.id))).scalars())
            for item_id in ids:
                await first.acting(Act(Action.SUBMIT, item_id, actor))
            senders = [
                HotlineSender(
                    HotlineClient(platform.url, platform.app_id, platform.secret),
                    services.hotline,
                    services.hotline_deliveries,
                )
                for services in (first, second)
            ]
            await asyncio.gather(*(sender.drain() for sender in senders))
            for sender in senders:
                await sender.stop()
        finally:
            await first.engine.dispose()
            await second.engine.dispose()
    codes = [r.code for r in platform.orders()]
    assert len(codes) == 30
    assert len(set(codes)) == 30
    assert platform.repeats == 0
    assert all(s.counts.get("sent", 0) > 0 for s in senders)  # both took part


async def _drafts(services: object, count: int) -> int:
    """Store a deputy with `count` drafts routed to ecology; return the deputy's chat."""
    from bot.context import Services

    assert isinstance(services, Services)
    now = datetime(2026, 12, 7, 10, 0, tzinfo=CST)
    async with services.deps.sessions.begin() as session:
        deputy = Member(
            telegram_id=101,
            role="deputy",
            name="张三",
            level="县",
            district="K8县",
            joined_at=now,
            invite_code="seed",
        )
        session.add(deputy)
        await session.flush()
        for n in range(count):
            session.add(
                Item(
                    status="draft",
                    deputy_id=deputy.id,
                    source_chat_id=101,
                    source_message_id=n + 1,
                    text=f"{POLLUTION} 第{n + 1}处",
                    topic="environment",
                    department="ecology",
                    created_at=now,
                )
            )
    return 101
