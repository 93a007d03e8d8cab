"""The clock: reminder ladder, quiet hours, 回访, 回头看, digests, extension; moved, not slept."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.engine import create_engine, session_factory
from bot.db.models import Item, OutboxMessage, Reminder
from bot.demo.conversation import tracking_number
from bot.services.routing import RoutingHolder
from tests.e2e.harness import Harness, running_bot

CST = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=CST)
STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，老人出门不安全，希望尽快维修"
WATER_CUT = "小区停水两天了，自来水管道爆裂，请尽快抢修"


async def _at(bot: Harness, clock: ManualClock, moment: datetime) -> int:
    """Move the clock, run the due jobs, let the sender deliver; return the reminders issued."""
    clock.set(moment)
    services = bot.bot_data.services
    issued = await services.reminders.sweep(moment)
    await services.digests.daily_due(moment)
    services.outbox.kick()
    return issued


async def _reminders(url: str) -> list[tuple[str, int]]:
    """List (kind, round) of every reminder issued."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(select(Reminder.kind, Reminder.round).order_by(Reminder.id))
        ).all()
    await engine.dispose()
    return [(kind, round_) for kind, round_ in rows]


async def test_ladder_quiet_hours_followup_and_lookback(
    database_url: str, routing: RoutingHolder
) -> None:
    clock = ManualClock(MONDAY)
    async with running_bot(database_url, routing, clock=clock) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        card = await talk.expect(cast.li, number)
        assert "签收时限：12-08 10:00｜答复时限：12-14 10:00" in (card.text or "")
        await talk.expect(cast.zhao, number)

        assert await _at(bot, clock, MONDAY + timedelta(hours=23, minutes=59)) == 0
        assert await _at(bot, clock, MONDAY + timedelta(hours=24, minutes=1)) == 1
        for handler in (cast.li, cast.zhao):
            await talk.expect(handler, "已超过签收时限")
        assert await _at(bot, clock, MONDAY + timedelta(hours=25)) == 0

        # 12 h after the breach it is 22:01: the admins' escalation waits for the morning.
        assert await _at(bot, clock, MONDAY + timedelta(hours=36, minutes=1)) == 1
        held = [m for m in bot.fake.chat(cast.admin.user_id) if "超时未签收" in (m.text or "")]
        assert held == []
        await _at(bot, clock, datetime(2026, 12, 9, 8, 0, tzinfo=CST))
        await talk.expect(cast.admin, "超时未签收")

        talk.press(cast.li, card, "签收")
        acked = await talk.expect(cast.li, "已签收", buttons=True)
        assert await _at(bot, clock, datetime(2026, 12, 10, 21, 59, tzinfo=CST)) == 0
        assert await _at(bot, clock, datetime(2026, 12, 10, 22, 1, tzinfo=CST)) == 1  # 50 %, held
        await _at(bot, clock, datetime(2026, 12, 11, 8, 0, tzinfo=CST))
        await talk.expect(cast.li, "已过 50%")
        assert await _at(bot, clock, datetime(2026, 12, 13, 0, 30, tzinfo=CST)) == 1  # 80 %, held
        await _at(bot, clock, datetime(2026, 12, 13, 8, 0, tzinfo=CST))
        await talk.expect(cast.li, "已过 80%")
        assert await _at(bot, clock, datetime(2026, 12, 14, 10, 1, tzinfo=CST)) == 2
        await talk.expect(cast.li, "已超过答复时限")
        await talk.expect(cast.zhao, "已超过答复时限")
        await talk.expect(cast.admin, "督办")
        supervised = await talk.expect(cast.head, "督办")
        assert number in (supervised.text or "")

        talk.press(cast.li, acked, "答复办结")
        await talk.expect(cast.li, "最终答复")
        talk.say(cast.li, "已更换灯具。")
        await talk.expect(cast.deputy, "已办结")
        closed = datetime(2026, 12, 14, 10, 1, tzinfo=CST)
        assert await _at(bot, clock, closed + timedelta(hours=23)) == 0
        assert await _at(bot, clock, closed + timedelta(days=1, minutes=1)) == 1
        followup = await talk.expect(cast.deputy, "回访")
        assert followup.buttons() == ["满意", "基本满意", "不满意"]
        assert await _at(bot, clock, closed + timedelta(days=2)) == 0
        talk.press(cast.deputy, followup, "满意")
        await talk.expect(cast.deputy, "感谢您的评价")

        assert await _at(bot, clock, closed + timedelta(days=30, hours=1)) == 1
        lookback = await talk.expect(cast.deputy, "回头看")
        talk.press(cast.deputy, lookback, "又出现了")
        again = await talk.expect(cast.deputy, "重新立案")
        new_number = tracking_number(again)
        assert new_number != number
        recurred = await talk.expect(cast.li, new_number)
        assert f"原诉求 {number}" in (recurred.text or "")
        stale = bot.fake.press(cast.deputy.user_id, lookback.message_id, f"look:{1}:again")
        assert await talk.answer_of(stale) == "此按钮已失效"
        assert bot.bot_data.errors == []

    kinds = [kind for kind, _ in await _reminders(database_url)]
    assert kinds[:8] == [
        "ack_overdue",
        "ack_escalate",
        "answer_50",
        "answer_80",
        "answer_breach",
        "supervise",
        "followup",
        "lookback",
    ]
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        linked = (
            await session.execute(select(Item.recurrence_of).where(Item.tracking_no == new_number))
        ).scalar_one()
        pending = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.status != "sent")))
            .scalars()
            .all()
        )
    await engine.dispose()
    assert linked is not None
    assert list(pending) == []


async def test_urgent_items_are_not_held_at_night(
    database_url: str, routing: RoutingHolder
) -> None:
    night = datetime(2026, 12, 8, 21, 0, tzinfo=CST)
    clock = ManualClock(night)
    async with running_bot(database_url, routing, clock=clock) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, WATER_CUT)
        card = await talk.expect(cast.deputy, "诉求预览")
        assert (card.text or "").startswith("【紧急】")
        talk.press(cast.deputy, card, "提交")
        number = tracking_number(await talk.expect(cast.deputy, "已收到您的诉求"))
        assigned = await talk.expect(cast.li, number)
        assert "签收时限：12-08 23:00" in (assigned.text or "")
        # Acknowledge and answer are both due at 23:00: 催办 for each, and 督办.
        assert await _at(bot, clock, datetime(2026, 12, 8, 23, 1, tzinfo=CST)) == 3
        await talk.expect(cast.li, "已超过签收时限")
        await talk.expect(cast.li, "已超过答复时限")
        await talk.expect(cast.admin, "督办")
        assert bot.bot_data.errors == []


async def test_deputy_can_mark_a_draft_urgent(database_url: str, routing: RoutingHolder) -> None:
    clock = ManualClock(MONDAY)
    async with running_bot(database_url, routing, clock=clock) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, STREETLIGHT)
        card = await talk.expect(cast.deputy, "诉求预览")
        assert not (card.text or "").startswith("【紧急】")
        talk.press(cast.deputy, card, "标记紧急")
        card = await talk.expect(cast.deputy, "【紧急】")
        assert "取消紧急" in card.buttons()
        talk.press(cast.deputy, card, "提交")
        number = tracking_number(await talk.expect(cast.deputy, "已收到您的诉求"))
        assigned = await talk.expect(cast.li, number)
        assert (assigned.text or "").startswith("【紧急】")
        assert "签收时限：12-07 12:00" in (assigned.text or "")
        assert bot.bot_data.errors == []


async def test_daily_digest_once_and_only_with_work(
    database_url: str, routing: RoutingHolder
) -> None:
    clock = ManualClock(MONDAY)
    async with running_bot(database_url, routing, clock=clock) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        await talk.expect(cast.li, number)
        tuesday = datetime(2026, 12, 8, 8, 59, tzinfo=CST)
        await _at(bot, clock, tuesday)
        assert not any("每日待办" in (m.text or "") for m in bot.fake.messages)
        await _at(bot, clock, tuesday + timedelta(minutes=2))
        digest = await talk.expect(cast.li, "每日待办")
        await talk.expect(cast.zhao, "每日待办")
        assert len(digest.buttons()) == 1
        assert number in digest.buttons()[0]
        await _at(bot, clock, tuesday + timedelta(hours=3))
        assert sum("每日待办" in (m.text or "") for m in bot.fake.chat(cast.li.user_id)) == 1
        assert not any("每日待办" in (m.text or "") for m in bot.fake.chat(cast.wang.user_id))
        talk.press(cast.li, digest, digest.buttons()[0])
        opened = await talk.expect(cast.li, "新派单")
        assert opened.buttons() == ["签收", "退回"]
        assert bot.bot_data.errors == []


async def test_extension_needs_approval_once(database_url: str, routing: RoutingHolder) -> None:
    clock = ManualClock(MONDAY)
    async with running_bot(database_url, routing, clock=clock) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        talk.press(cast.li, await talk.expect(cast.li, number), "签收")
        acked = await talk.expect(cast.li, "已签收", buttons=True)
        assert "申请延期" in acked.buttons()
        extend = acked.button_data("申请延期")
        talk.press(cast.li, acked, "申请延期")
        await talk.expect(cast.li, "延期理由")
        talk.say(cast.li, "需要协调供电公司更换变压器。")
        await talk.expect(cast.li, "等待管理员审批")
        request = await talk.expect(cast.admin, "延期申请")
        assert "延期后：12-21 10:00" in (request.text or "")
        forged = bot.fake.press(cast.li.user_id, acked.message_id, request.button_data("批准延期"))
        assert await talk.answer_of(forged) == "此按钮已失效"
        talk.press(cast.admin, request, "批准延期")
        await talk.expect(cast.li, "新的答复时限：12-21 10:00")
        again = bot.fake.press(cast.li.user_id, acked.message_id, extend)
        assert await talk.answer_of(again) == f"{number} 已申请过延期，每件诉求仅可延期一次。"
        assert bot.bot_data.errors == []


async def test_weekly_summary_once_and_on_demand(database_url: str, routing: RoutingHolder) -> None:
    clock = ManualClock(MONDAY)
    async with running_bot(database_url, routing, clock=clock) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        # Nothing submitted yet: no summary of nothing on this first Monday.
        await _at(bot, clock, MONDAY + timedelta(minutes=5))
        assert not any("试点小结" in (m.text or "") for m in bot.fake.messages)
        talk.say(cast.deputy, STREETLIGHT)
        talk.press(cast.deputy, await talk.expect(cast.deputy, "诉求预览"), "提交")
        await talk.expect(cast.deputy, "已收到您的诉求")
        next_monday = MONDAY + timedelta(days=7, hours=-1, minutes=1)
        await _at(bot, clock, next_monday - timedelta(minutes=2))
        assert not any("试点小结" in (m.text or "") for m in bot.fake.messages)
        await _at(bot, clock, next_monday)
        weekly = await talk.expect(cast.admin, "试点小结（2026-12-07 至 2026-12-13）")
        assert "收到诉求 1 件" in (weekly.text or "")
        await talk.expect_photo(cast.admin)
        sheet = await talk.expect(cast.admin, "上周台账")
        assert sheet.document == "试点台账_2026-12-07至2026-12-13.xlsx"
        assert sheet.file_bytes is not None
        book = load_workbook(io.BytesIO(sheet.file_bytes))
        assert book.sheetnames == ["台账", "事件", "汇总", "代表履职"]
        assert [row[2] for row in book["台账"].iter_rows(min_row=2, values_only=True)] == ["张三"]
        await _at(bot, clock, next_monday + timedelta(hours=3))
        assert sum("试点小结" in (m.text or "") for m in bot.fake.chat(cast.admin.user_id)) == 1
        assert sum(m.document is not None for m in bot.fake.chat(cast.admin.user_id)) == 1
        talk.say(cast.admin, "/summary month")
        await talk.expect(cast.admin, "试点小结（2026-11-15 00:00 至 2026-12-14 12:01）")
        await talk.expect_photo(cast.admin)
        talk.say(cast.deputy, "/summary")
        await talk.expect(cast.deputy, "无权")
        talk.say(cast.admin, "/summary year")
        await talk.expect(cast.admin, "用法：/summary")
        assert bot.bot_data.errors == []
