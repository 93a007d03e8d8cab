"""The offline run, part two: move the clock to show reminders, quiet hours and the summary."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.context import Services
from bot.demo.conversation import Conversation, Person, tracking_number
from bot.wiring import run_due_jobs

CST = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 7, 10, 0, tzinfo=CST)


async def _jump(services: Services, clock: ManualClock, moment: datetime, why: str) -> None:
    """Move the clock, run the jobs due then, and let the sender deliver."""
    clock.set(moment)
    print(f"\n⏩ 时钟拨到 {moment.astimezone(CST):%m-%d %H:%M}（{why}）", flush=True)
    await run_due_jobs(services)
    services.outbox.kick()
    await settle(services)


async def settle(services: Services) -> None:
    """Wait until the sender has delivered everything due now."""
    for _ in range(500):
        if not await services.outbox.due_count():
            return
        await asyncio.sleep(0.02)


async def play_clock(
    talk: Conversation, services: Services, clock: ManualClock, people: dict[str, Person]
) -> None:
    """Leave one item unacknowledged and let the days pass."""
    deputy, li, zhao, admin = people["deputy"], people["li"], people["zhao"], people["admin"]
    print("\n== 8. 到期提醒：一件诉求无人签收，时钟快进 ==")
    talk.say(deputy, "幸福小区门口的路灯又坏了，晚上很黑，老人出门不安全，希望尽快维修")
    talk.press(deputy, await talk.expect(deputy, "诉求预览"), "提交")
    number = tracking_number(await talk.expect(deputy, "已收到您的诉求"))
    await talk.expect(li, number)
    await _jump(services, clock, START + timedelta(hours=24, minutes=1), "超过 24 小时签收时限")
    await talk.expect(li, "已超过签收时限")
    await talk.expect(zhao, "已超过签收时限")
    await _jump(services, clock, START + timedelta(hours=36, minutes=1), "夜间静默时段")
    print("   （报告管理员的消息已生成，静默时段内暂不发送，次日 08:00 送达）", flush=True)
    await _jump(services, clock, START + timedelta(hours=46), "次日早上 08:00")
    await talk.expect(admin, "超时未签收")
    await _jump(services, clock, START + timedelta(hours=47, minutes=1), "每日 09:00 待办摘要")
    await talk.expect(li, "每日待办")

    print("\n== 9. 每周一 09:00，管理员收到试点小结（文字和图表） ==")
    await _jump(services, clock, START + timedelta(days=7, minutes=-59), "下周一 09:01")
    await talk.expect(admin, "试点小结")
    await talk.expect_photo(admin)
