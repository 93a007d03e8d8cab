"""/record in the bot: a deputy's own record, an administrator's look at anyone's."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.services.routing import RoutingHolder
from tests.e2e.harness import NOW, running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"
POTHOLE = "村口道路有个大坑，雨天积水，车辆经过很危险"


async def test_a_deputy_reads_their_record_and_an_admin_anyones(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing, clock=ManualClock(NOW)) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        await bot.submit(cast.deputy, STREETLIGHT)
        await bot.submit(cast.deputy, POTHOLE)
        await bot.submit(cast.other_deputy, POTHOLE)

        talk.say(cast.deputy, "/record 钱七")  # a deputy only ever sees their own
        own = (await talk.expect(cast.deputy, "履职档案")).text or ""
        assert "张三" in own
        assert "钱七" not in own
        assert own.count("提交诉求 2 件") == 2  # this month and this year

        talk.say(cast.admin, "/record 钱七")
        other = (await talk.expect(cast.admin, "履职档案")).text or ""
        assert "钱七（市级 A市）" in other
        assert "提交诉求 1 件" in other

        talk.say(cast.admin, "/record")
        assert "用法" in ((await talk.expect(cast.admin, "/record")).text or "")
        talk.say(cast.admin, "/record 无此人")
        assert "未找到代表" in ((await talk.expect(cast.admin, "无此人")).text or "")
        talk.say(cast.li, "/record")
        assert "无权" in ((await talk.expect(cast.li, "无权")).text or "")
