"""/learn: a proposal learned from the corrections, applied or discarded by an administrator."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import callbacks as cb
from bot.db.models import RoutingChange
from bot.services.routing import routing_holder
from classifier.keyword_edit import set_keyword
from tests.conftest import ROOT, ROUTING
from tests.e2e.harness import Harness, running_bot

DEV = ROOT.parent / "shared" / "data" / "teddy2020c-dev.csv"


def _copy(folder: Path) -> Path:
    """Copy the shipped routing file (and its dictionary) where a test may change it."""
    for name in ("routing.toml", "userdict.txt"):
        (folder / name).write_text((ROUTING.parent / name).read_text(encoding="utf-8"))
    return folder / "routing.toml"


async def _change(bot: Harness, change_id: int) -> RoutingChange:
    """Read one routing change."""
    async with bot.bot_data.services.deps.sessions() as session:
        row = await session.get(RoutingChange, change_id)
    assert row is not None
    return row


async def test_a_ready_proposal_is_applied_once_or_discarded(
    database_url: str, tmp_path: Path
) -> None:
    path = _copy(tmp_path)
    routing = routing_holder(path, ZoneInfo("Asia/Shanghai"))
    proposed = set_keyword(
        path.read_text(encoding="utf-8"), routing.current.config, "城乡建设", "飞线充电", 3
    )
    env = {"DEPUTYBOT_LEARN_DATA": str(tmp_path / "unused.csv")}
    async with running_bot(database_url, routing, env=env) as bot:
        cast = await bot.enrol()
        services = bot.bot_data.services
        async with services.deps.sessions.begin() as session:
            rows = [
                RoutingChange(
                    at=services.deps.clock.now(), kind="learn", summary="", file_sha256="",
                    status="ready", chat_id=cast.admin.user_id, proposed=proposed,
                )
                for _ in range(2)
            ]  # fmt: skip
            session.add_all(rows)
            await session.flush()
            applied_id, discarded_id = rows[0].id, rows[1].id
        # run_pending sends each proposal with these buttons; press them on any message.
        for change_id, answer in ((applied_id, "yes"), (discarded_id, "no")):
            bot.talk.say(cast.admin, "/help")
            card = await bot.talk.expect(cast.admin, "管理员可用功能")
            data = cb.make(cb.LEARN, change_id, answer)
            bot.fake.press(cast.admin.user_id, card.message_id, data)
        await bot.talk.expect(cast.admin, "已应用学习结果")
        await bot.talk.expect(cast.admin, "已放弃本次学习建议")
        assert '"飞线充电" = 3' in path.read_text(encoding="utf-8")
        assert "飞线充电" in routing.current.config.topic("urban_rural").keywords  # type: ignore[union-attr]
        assert (await _change(bot, applied_id)).status == "applied"
        assert (await _change(bot, discarded_id)).status == "discarded"
        # Pressed again, or by a deputy: nothing happens.
        before = path.read_text(encoding="utf-8")
        bot.talk.say(cast.deputy, "/help")
        card = await bot.talk.expect(cast.deputy, "人大代表可用功能")
        data = cb.make(cb.LEARN, discarded_id, "yes")
        query = bot.fake.press(cast.deputy.user_id, card.message_id, data)
        assert "失效" in await bot.talk.answer_of(query)
        assert path.read_text(encoding="utf-8") == before
        assert bot.bot_data.errors == []


@pytest.mark.skipif(not DEV.is_file(), reason="needs ../shared/data")
async def test_learn_runs_the_learner_and_answers_with_a_proposal_or_a_refusal(
    database_url: str, tmp_path: Path
) -> None:
    path = _copy(tmp_path)
    routing = routing_holder(path, ZoneInfo("Asia/Shanghai"))
    env = {"DEPUTYBOT_LEARN_DATA": str(DEV)}
    async with running_bot(database_url, routing, env=env) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.deputy, "小区物业不管事，楼道里堆满杂物")
        card = await talk.expect(cast.deputy, "诉求预览")
        talk.press(cast.deputy, card, "换分类")
        talk.press(cast.deputy, await talk.expect(cast.deputy, "请选择分类"), "城乡建设")
        talk.press(cast.deputy, await talk.expect(cast.deputy, "手动选择"), "提交")
        await talk.expect(cast.deputy, "已收到您的诉求")
        talk.say(cast.deputy, "/learn")
        await talk.expect(cast.deputy, "无权")
        talk.say(cast.admin, "/learn 昨天")
        await talk.expect(cast.admin, "用法")
        talk.say(cast.admin, "/learn")
        await talk.expect(cast.admin, "已开始根据纠正记录学习")
        talk.say(cast.admin, "/learn")
        await talk.expect(cast.admin, "已有一次学习正在进行")
        before = path.read_text(encoding="utf-8")
        assert await bot.bot_data.services.learning.run_pending() == 1
        talk.timeout = 30
        answer = await talk.expect(cast.admin, "📚")
        assert path.read_text(encoding="utf-8") == before  # nothing changes before 应用
        assert "纠正记录 1 条" in (answer.text or "")  # the correction made above
        if "关键词学习建议" in (answer.text or ""):
            assert answer.buttons() == ["应用", "放弃"]
        else:
            assert "已拒绝" in (answer.text or "")
            assert not answer.buttons()
        assert bot.bot_data.errors == []
