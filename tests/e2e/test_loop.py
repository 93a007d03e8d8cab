"""The core loop end to end: real Application, real HTTP, real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, session_factory
from bot.db.models import Correction, Item, ItemEvent, OutboxMessage
from bot.demo.conversation import tracking_number
from bot.services.routing import RoutingHolder
from tests.e2e.harness import running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，老人出门不安全，希望尽快维修"


async def _item_and_events(url: str, number: str) -> tuple[Item, list[str]]:
    """Read an item and the kinds of its events from the database."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        item = (await session.execute(select(Item).where(Item.tracking_no == number))).scalar_one()
        kinds = list(
            (
                await session.execute(
                    select(ItemEvent.kind)
                    .where(ItemEvent.item_id == item.id)
                    .order_by(ItemEvent.id)
                )
            ).scalars()
        )
    await engine.dispose()
    return item, [str(kind) for kind in kinds]


async def test_submit_acknowledge_progress_answer_rate(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, STREETLIGHT)
        card = await talk.expect(cast.deputy, "诉求预览")
        assert card.buttons() == ["提交", "标记紧急", "换分类", "取消"]
        assert "住房和城乡建设局" in (card.text or "")
        assert "判断依据" in (card.text or "")
        talk.press(cast.deputy, card, "提交")
        receipt = await talk.expect(cast.deputy, "已收到您的诉求")
        number = tracking_number(receipt)
        assert "住房和城乡建设局" in (receipt.text or "")
        li_card = await talk.expect(cast.li, number)
        zhao_card = await talk.expect(cast.zhao, number)
        assert li_card.buttons() == ["签收", "退回"] == zhao_card.buttons()
        assert not any(number in (m.text or "") for m in bot.fake.chat(cast.wang.user_id))

        zhao_ack = zhao_card.button_data("签收")
        talk.press(cast.li, li_card, "签收")
        acked = await talk.expect(cast.li, "已签收", buttons=True)
        assert acked.buttons() == ["答复办结", "进展", "退回", "转办", "申请延期"]
        await talk.expect(cast.deputy, "李四")
        retired = await talk.expect(cast.zhao, "已由 李四 签收")
        assert retired.buttons() == []
        late = bot.fake.press(cast.zhao.user_id, zhao_card.message_id, zhao_ack)
        assert await talk.answer_of(late) == "此按钮已失效"

        talk.press(cast.li, acked, "进展")
        await talk.expect(cast.li, "进展说明")
        talk.say(cast.li, "已安排维修班组明天上午检修。")
        progress = await talk.expect(cast.deputy, "办理进展")
        assert "明天上午检修" in (progress.text or "")
        talk.press(cast.li, acked, "答复办结")
        await talk.expect(cast.li, "最终答复")
        talk.say(cast.li, "已更换灯具，恢复照明。")
        answer = await talk.expect(cast.deputy, "已办结")
        assert "已更换灯具" in (answer.text or "")
        assert answer.buttons() == ["满意", "基本满意", "不满意"]
        talk.press(cast.deputy, answer, "基本满意")
        await talk.expect(cast.deputy, "感谢您的评价（基本满意）")
        again = talk.press(cast.deputy, answer, "满意")
        assert await talk.answer_of(again) == "此按钮已失效"
        assert bot.bot_data.errors == []

    item, kinds = await _item_and_events(database_url, number)
    assert (item.status, item.rating, item.answer) == ("closed", "basic", "已更换灯具，恢复照明。")
    assert kinds == ["created", "submitted", "acknowledged", "progress", "answered", "rated"]


async def test_unsatisfied_reopens_to_same_department(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        talk.press(cast.li, await talk.expect(cast.li, number), "签收")
        talk.press(cast.li, await talk.expect(cast.li, "已签收", buttons=True), "答复办结")
        await talk.expect(cast.li, "最终答复")
        talk.say(cast.li, "已修复。")
        talk.press(cast.deputy, await talk.expect(cast.deputy, "已办结"), "不满意")
        await talk.expect(cast.deputy, "不满意的原因")
        talk.say(cast.deputy, "两天后又坏了。")
        await talk.expect(cast.deputy, "重新办理")
        for handler in (cast.li, cast.zhao):
            reopened = await talk.expect(handler, "重办")
            assert "两天后又坏了" in (reopened.text or "")
            assert reopened.buttons() == ["签收", "退回"]
        talk.press(cast.zhao, reopened, "签收")
        await talk.expect(cast.deputy, "赵六")
        assert bot.bot_data.errors == []

    item, kinds = await _item_and_events(database_url, number)
    assert (item.status, item.reopen_count, item.rating) == ("acknowledged", 1, None)
    assert kinds[-3:] == ["rated", "reopened", "acknowledged"]


async def test_return_goes_to_triage_and_admin_reroutes(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        talk.press(cast.li, await talk.expect(cast.li, number), "退回")
        await talk.expect(cast.li, "退回")
        zhao_card = await talk.expect(cast.zhao, number)
        talk.say(cast.li, "路灯归城管局管理，不属于本部门。")
        await talk.expect(cast.li, "已退回")
        await talk.expect(cast.deputy, "重新确定承办部门")
        assert (await talk.expect(cast.zhao, "已退回分拨")).message_id == zhao_card.message_id
        triage = await talk.expect(cast.admin, "待分拨")
        assert "路灯归城管局管理" in (triage.text or "")
        assert "生态环境局" in triage.buttons()
        receipt = bot.fake.chat(cast.deputy.user_id)[-1]
        stray = bot.fake.press(
            cast.deputy.user_id, receipt.message_id, triage.button_data("生态环境局")
        )
        assert await talk.answer_of(stray) == "此按钮已失效"
        talk.press(cast.admin, triage, "生态环境局")
        card = await talk.expect(cast.wang, number)
        assert card.buttons() == ["签收", "退回"]
        await talk.expect(cast.deputy, "已派至【生态环境局】")
        talk.press(cast.wang, card, "签收")
        await talk.expect(cast.deputy, "王五")
        assert bot.bot_data.errors == []

    item, kinds = await _item_and_events(database_url, number)
    assert (item.status, item.department) == ("acknowledged", "ecology")
    assert kinds == ["created", "submitted", "returned", "rerouted", "acknowledged"]


async def test_unclear_concern_goes_to_triage(database_url: str, routing: RoutingHolder) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, "嗯嗯嗯")  # no keyword of any topic
        card = await talk.expect(cast.deputy, "诉求预览")
        assert "未能自动判断" in (card.text or "")
        talk.press(cast.deputy, card, "提交")
        await talk.expect(cast.deputy, "已转人工分拨")
        triage = await talk.expect(cast.admin, "系统未能自动分类")
        talk.press(cast.admin, triage, "住房和城乡建设局")
        await talk.expect(cast.li, "新派单")
        await talk.expect(cast.admin, "已派至【住房和城乡建设局】")
        assert bot.bot_data.errors == []


async def test_reclassify_and_cancel(database_url: str, routing: RoutingHolder) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, STREETLIGHT)
        card = await talk.expect(cast.deputy, "诉求预览")
        talk.press(cast.deputy, card, "换分类")
        picker = await talk.expect(cast.deputy, "请选择分类")
        environment = next(b for b in picker.buttons() if "环境" in b)
        talk.press(cast.deputy, picker, environment)
        card = await talk.expect(cast.deputy, "生态环境局")
        assert "手动选择" in (card.text or "")
        talk.press(cast.deputy, card, "提交")
        number = tracking_number(await talk.expect(cast.deputy, "已收到您的诉求"))
        await talk.expect(cast.wang, number)

        talk.say(cast.deputy, "学校门口的路灯坏了")
        card = await talk.expect(cast.deputy, "诉求预览")
        submit = card.button_data("提交")
        talk.press(cast.deputy, card, "取消")
        await talk.expect(cast.deputy, "已取消")
        stale = bot.fake.press(cast.deputy.user_id, card.message_id, submit)
        assert await talk.answer_of(stale) == "此按钮已失效"
        assert bot.bot_data.errors == []


@pytest.mark.parametrize("instant", [False, True], ids=["long-polling", "instant-getupdates"])
async def test_runs_against_both_polling_styles(
    database_url: str, routing: RoutingHolder, instant: bool
) -> None:
    async with running_bot(database_url, routing, instant_get_updates=instant) as bot:
        cast = await bot.enrol()
        bot.talk.say(cast.deputy, STREETLIGHT)
        card = await bot.talk.expect(cast.deputy, "诉求预览")
        bot.talk.press(cast.deputy, card, "提交")
        await bot.talk.expect(cast.li, "新派单")
        assert bot.bot_data.errors == []


async def test_every_outbox_row_was_delivered_once(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        bot.talk.say(cast.deputy, STREETLIGHT)
        bot.talk.press(cast.deputy, await bot.talk.expect(cast.deputy, "诉求预览"), "提交")
        await bot.talk.expect(cast.zhao, "新派单")
        await bot.talk.expect(cast.deputy, "已收到您的诉求")
        await bot.talk.expect(cast.deputy, "已提交")
        sent = [m for m in bot.fake.calls if m[0] == "sendMessage"]
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        rows = list((await session.execute(select(OutboxMessage))).scalars())
    await engine.dispose()
    sends = [r for r in rows if r.op == "send"]
    assert [(r.op, r.chat_id, r.last_error) for r in rows if r.status != "sent"] == []
    assert len(sends) == len(sent)


async def test_photo_with_caption_reaches_the_handlers(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        bot.fake.send_photo(cast.deputy.user_id)
        await talk.expect(cast.deputy, "图片下方")
        bot.fake.send_photo(cast.deputy.user_id, caption=STREETLIGHT)
        card = await talk.expect(cast.deputy, "诉求预览")
        assert (card.text or "").startswith("📷")
        talk.press(cast.deputy, card, "提交")
        number = tracking_number(await talk.expect(cast.deputy, "已收到您的诉求"))
        assigned = await talk.expect(cast.li, number)
        assert "📷" in (assigned.text or "")
        picture = await talk.expect_photo(cast.li)
        assert number in (picture.text or "")
        assert bot.bot_data.errors == []


async def test_unsure_preview_offers_its_top_topics(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, "孩子上学难")
        card = await talk.expect(cast.deputy, "诉求预览")
        assert "可能属于「教育文体」「城乡建设」「卫生计生」" in (card.text or "")
        assert "上学" in (card.text or "")  # the words that decided it
        assert "请点“提交”" not in (card.text or "")
        assert card.buttons()[:4] == [
            "教育文体（教育局）",
            "城乡建设（住房和城乡建设局）",
            "卫生计生（卫生健康委员会）",
            "不确定，交人工分拨",
        ]
        talk.press(cast.deputy, card, "教育文体（教育局）")
        card = await talk.expect(cast.deputy, "手动选择")
        assert "教育局" in (card.text or "")
        assert card.buttons()[0] == "提交"  # a sure card keeps today's layout
        talk.press(cast.deputy, card, "提交")
        await talk.expect(cast.deputy, "已收到您的诉求")
        async with bot.bot_data.services.deps.sessions() as session:
            chosen = (await session.execute(select(Correction))).scalar_one()
        assert (chosen.predicted, chosen.abstained, chosen.topic) == (
            "education",
            True,
            "education",
        )
        assert chosen.decided_by == "deputy"
        assert bot.bot_data.errors == []
