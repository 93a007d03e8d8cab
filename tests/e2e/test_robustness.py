"""Nothing lost: bad input, re-delivered updates, Bot API failures, restarts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.models import Item, OutboxMessage
from bot.fake_telegram import FakeTelegram
from bot.services.routing import RoutingHolder
from tests.e2e.harness import running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"


async def _count_items(url: str) -> int:
    """Count items of every status."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(Item))
    await engine.dispose()
    return int(count or 0)


async def test_bad_input_gets_a_clear_answer_and_stores_nothing(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, "路" * 4001)
        await talk.expect(cast.deputy, "内容过长（4001 字）")
        talk.say(cast.deputy, "   ")
        await talk.expect(cast.deputy, "内容为空")
        bot.fake.send_sticker(cast.deputy.user_id)
        await talk.expect(cast.deputy, "暂只支持文字或带说明的图片")
        assert bot.bot_data.errors == []
    assert await _count_items(database_url) == 0


async def test_redelivered_update_creates_one_item(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        before = len(bot.fake.calls)
        talk = bot.talk
        talk.say(cast.deputy, STREETLIGHT)
        update_id = bot.fake.last_update_id()
        await talk.expect(cast.deputy, "诉求预览")
        bot.fake.redeliver(update_id)
        talk.say(cast.deputy, "/help")
        await talk.expect(cast.deputy, "人大代表可用功能")
        previews = [m for m in bot.fake.chat(cast.deputy.user_id) if "诉求预览" in (m.text or "")]
        assert len(previews) == 1
        assert len(bot.fake.calls) > before
        assert bot.bot_data.errors == []
    assert await _count_items(database_url) == 1


async def test_failed_sends_are_retried_and_never_doubled(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        bot.fake.fail_next("sendMessage", error_code=429, retry_after=1)
        bot.fake.fail_next("sendMessage", error_code=502)
        talk.say(cast.deputy, STREETLIGHT)
        card = await talk.expect(cast.deputy, "诉求预览")
        talk.press(cast.deputy, card, "提交")
        await talk.expect(cast.li, "新派单")
        bot.fake.block(cast.zhao.user_id)
        assert bot.bot_data.errors == []
        # Count previews as first sent: the preview is edited to "已提交" meanwhile.
        sent = [m.history[0] for m in bot.fake.chat(cast.deputy.user_id)]
        assert sum("诉求预览" in text for text in sent) == 1
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        errors = list(
            (
                await session.execute(
                    select(OutboxMessage.last_error).where(OutboxMessage.attempts > 1)
                )
            ).scalars()
        )
    await engine.dispose()
    assert errors, "the failed attempts should be on record"


async def test_restart_between_press_and_answer_loses_nothing(
    database_url: str, routing: RoutingHolder
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        async with running_bot(database_url, routing, fake=telegram) as bot:
            cast = await bot.enrol()
            talk = bot.talk
            talk.say(cast.deputy, STREETLIGHT)
            card = await talk.expect(cast.deputy, "诉求预览")
        # The bot goes down before 提交 is pressed; a new process serves the same database.
        async with running_bot(database_url, routing, fake=telegram) as bot:
            bot.talk.seen |= talk.seen
            talk = bot.talk
            talk.press(cast.deputy, card, "提交")
            await talk.expect(cast.deputy, "已收到您的诉求")
            talk.press(cast.li, await talk.expect(cast.li, "新派单"), "签收")
            acked = await talk.expect(cast.li, "已签收", buttons=True)
            talk.press(cast.li, acked, "答复办结")
            await talk.expect(cast.li, "最终答复")
        # Down again while the handler is typing the answer.
        async with running_bot(database_url, routing, fake=telegram) as bot:
            bot.talk.seen |= talk.seen
            bot.talk.say(cast.li, "已修复。")
            await bot.talk.expect(cast.li, "已办结")
            await bot.talk.expect(cast.deputy, "已办结")
            assert bot.bot_data.errors == []
    finally:
        await telegram.stop()


async def test_an_unexpected_error_is_logged_and_admins_told(
    database_url: str, routing: RoutingHolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(bot.bot_data.services.queries, "mine", broken)
        bot.talk.say(cast.deputy, "/mine")
        note = await bot.talk.expect(cast.admin, "机器人处理消息时出错")
        await bot.talk.expect(cast.deputy, "处理您刚才的操作时出错")
        assert "RuntimeError" in (note.text or "")
        assert "boom" not in (note.text or "")
        # Tried once and retried three times (each rolled back), then set aside and paged once.
        assert [type(e) for e in bot.bot_data.errors] == [RuntimeError] * 4
        bot.talk.say(cast.deputy, "/mine")
        await bot.talk.expect(cast.deputy, "处理您刚才的操作时出错")
        pages = [m for m in bot.fake.chat(cast.admin.user_id) if "出错" in (m.text or "")]
        assert len(pages) == 1, "a second failure of the same kind within 10 minutes is counted"
