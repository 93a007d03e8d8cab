"""转办: a handler hands an item to another department with a reason; an administrator decides."""

from __future__ import annotations

from bot.demo.conversation import tracking_number
from bot.fake_telegram import BotMessage
from bot.services.routing import RoutingHolder
from tests.e2e.harness import Cast, Harness, running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"


async def _acknowledged(bot: Harness) -> tuple[Cast, str, BotMessage]:
    """Submit the streetlight concern and have 李四 acknowledge it: cast, number, his card."""
    cast, talk = await bot.enrol(), bot.talk
    number = await bot.submit(cast.deputy, STREETLIGHT)
    talk.press(cast.li, await talk.expect(cast.li, number), "签收")
    return cast, number, await talk.expect(cast.li, "已签收", buttons=True)


async def test_a_transfer_approved_moves_the_item_to_the_other_department(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast, number, acked = await _acknowledged(bot)
        talk = bot.talk
        talk.press(cast.li, acked, "转办")
        picker = await talk.expect(cast.li, "转办的部门")
        assert "住房和城乡建设局" not in picker.buttons()
        talk.press(cast.li, picker, "生态环境局")
        await talk.expect(cast.li, "转办的理由")
        talk.say(cast.li, "路灯属于市政照明，应由城管或生态环境部门办理。")
        await talk.expect(cast.li, "等待管理员审批")
        request = await talk.expect(cast.admin, "转办申请")
        assert "住房和城乡建设局 → 生态环境局" in (request.text or "")
        forged = bot.fake.press(cast.li.user_id, acked.message_id, request.button_data("批准转办"))
        assert await talk.answer_of(forged) == "此按钮已失效"
        talk.press(cast.admin, request, "批准转办")
        new_card = await talk.expect(cast.wang, number)
        assert new_card.buttons() == ["签收", "退回"]
        await talk.expect(cast.li, "转办申请已批准")
        await talk.expect(cast.li, "已转办至【生态环境局】")
        await talk.expect(cast.deputy, "已派至【生态环境局】")
        done = await talk.expect(cast.admin, "转办：批准转办")
        assert done.buttons() == []
        talk.say(cast.admin, f"/status {number}")
        history = await talk.expect(cast.admin, "办理记录")
        assert "申请转办" in (history.text or "")
        assert "转办" in (history.text or "")
        talk.press(cast.wang, new_card, "签收")
        await talk.expect(cast.deputy, "王五")
        assert bot.bot_data.errors == []


async def test_a_transfer_refused_leaves_the_item_with_its_handler(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast, number, acked = await _acknowledged(bot)
        talk = bot.talk
        talk.press(cast.li, acked, "转办")
        talk.press(cast.li, await talk.expect(cast.li, "转办的部门"), "生态环境局")
        await talk.expect(cast.li, "转办的理由")
        talk.say(cast.li, "不属于我局。")
        request = await talk.expect(cast.admin, "转办申请")
        again = talk.press(cast.li, acked, "转办")
        assert await talk.answer_of(again) == f"{number} 已有转办申请等待审批。"
        talk.press(cast.admin, request, "不批准")
        refused = await talk.expect(cast.li, "未获批准")
        assert "生态环境局" in (refused.text or "")
        assert not any(number in (m.text or "") for m in bot.fake.chat(cast.wang.user_id))
        talk.press(cast.li, acked, "答复办结")
        await talk.expect(cast.li, "最终答复")
        assert tracking_number(refused) == number
        assert bot.bot_data.errors == []
