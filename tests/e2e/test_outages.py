"""The bot over HTTP while the Bot API is away, with two instances, and with poison input."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.models import Item
from bot.fake_telegram import FakeTelegram
from bot.services.routing import RoutingHolder
from tests.e2e.harness import running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"
OUTAGE_SECONDS = 3.0


async def _items(url: str) -> int:
    """Count stored items."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(Item))
    await engine.dispose()
    return int(count or 0)


@pytest.mark.parametrize("kind", ["401", "404", "502", "refused"])
async def test_an_outage_of_the_bot_api_loses_nothing_and_pages_nobody(
    database_url: str, routing: RoutingHolder, kind: str
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk, fake = bot.talk, bot.fake
        talk.say(cast.deputy, f"{STREETLIGHT}（第一处）")
        first = await talk.expect(cast.deputy, "诉求预览")
        await bot.outbox_settled()  # the outage starts once the preview is known to be sent
        if kind == "refused":
            await fake.go_offline()
        else:
            fake.error_phase(int(kind), seconds=OUTAGE_SECONDS)
        # The press and the new concern happen while the bot cannot reach Telegram.
        talk.press(cast.deputy, first, "提交")
        talk.say(cast.deputy, f"{STREETLIGHT}（第二处）")
        await asyncio.sleep(OUTAGE_SECONDS)
        if kind == "refused":
            await fake.come_back()
        await talk.expect(cast.deputy, "已收到您的诉求")
        second = await talk.expect(cast.deputy, "（第二处）")
        talk.press(cast.deputy, second, "提交")
        await talk.expect(cast.deputy, "已收到您的诉求")
        previews = [m for m in fake.chat(cast.deputy.user_id) if "诉求预览" in m.history[0]]
        assert len(previews) == 2
        assert not [m for m in fake.chat(cast.admin.user_id) if "出错" in m.text]
        assert bot.bot_data.errors == []
    assert await _items(database_url) == 2


async def test_two_instances_share_one_poller_and_handle_each_update_once(
    database_url: str, routing: RoutingHolder
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        async with running_bot(database_url, routing, fake=telegram) as first:
            cast = await first.enrol()
            async with running_bot(database_url, routing, fake=telegram) as second:
                for _ in range(20):
                    telegram.send_text(cast.deputy.user_id, "/help")
                    telegram.send_text(cast.li.user_id, "/help")
                for person in (cast.deputy, cast.li):
                    for _ in range(20):
                        await first.talk.expect(person, "可用功能")
                await asyncio.sleep(1.0)
                for person in (cast.deputy, cast.li):
                    assert sum("可用功能" in m.text for m in telegram.chat(person.user_id)) == 20
                leaders = [
                    b.bot_data.runtime.poller is not None
                    and b.bot_data.runtime.poller.state.leading
                    for b in (first, second)
                ]
                assert sorted(leaders) == [False, True]
                assert second.bot_data.errors == []
            # The second instance stops; whichever polled, the first one now does.
            telegram.send_text(cast.deputy.user_id, "/help")
            await first.talk.expect(cast.deputy, "可用功能")
            assert telegram.conflicts == 0
            assert first.bot_data.errors == []
    finally:
        await telegram.stop()


async def test_poison_input_gets_a_clear_answer_and_changes_nothing(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk, fake = bot.talk, bot.fake
        talk.say(cast.deputy, STREETLIGHT)
        preview = await talk.expect(cast.deputy, "诉求预览")
        user = cast.deputy.user_id
        for forged in ("sub:²", "sub:2147483653", "sub:1:x\x00", "sub:-1", "ack:01:"):
            query = fake.press(user, preview.message_id, forged)
            assert await talk.answer_of(query) == "此按钮已失效"
        for text in ("路灯坏了\x00", "路灯坏了\ud800"):
            talk.say(cast.deputy, text)
            await talk.expect(cast.deputy, "无法识别的字符")
        talk.say(cast.deputy, "\u200b\u2060 \u200b")
        await talk.expect(cast.deputy, "内容为空")
        talk.say(cast.deputy, "/help")
        await talk.expect(cast.deputy, "人大代表可用功能")
        assert bot.bot_data.errors == []
    assert await _items(database_url) == 1


async def test_a_stranger_guessing_codes_is_answered_a_few_times_then_ignored(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        stranger = cast.stranger.user_id
        for n in range(30):
            bot.fake.send_text(stranger, f"/start guess{n:03d}")
        bot.talk.say(cast.deputy, "/help")
        await bot.talk.expect(cast.deputy, "人大代表可用功能")
        await asyncio.sleep(1.0)
        replies = bot.fake.chat(stranger)
        assert len(replies) == 5
        assert all("邀请码无效" in m.text for m in replies)
        assert bot.bot_data.errors == []
