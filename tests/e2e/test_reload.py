"""/reload swaps in a good routing file and refuses a bad one, keeping the old config."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.demo.conversation import tracking_number
from bot.services.routing import routing_holder
from tests.conftest import ROUTING
from tests.e2e.harness import running_bot

CST = ZoneInfo("Asia/Shanghai")


async def test_reload_refuses_a_bad_file_and_keeps_routing(
    database_url: str, tmp_path: Path
) -> None:
    shutil.copy(ROUTING, tmp_path / "routing.toml")
    shutil.copy(ROUTING.parent / "userdict.txt", tmp_path / "userdict.txt")
    routing = routing_holder(tmp_path / "routing.toml", CST)
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        talk.say(cast.admin, "/reload")
        await talk.expect(cast.admin, "分类配置已重新加载")
        good = (tmp_path / "routing.toml").read_text(encoding="utf-8")
        broken = good.replace('department = "housing"', 'department = "nowhere"', 1)
        (tmp_path / "routing.toml").write_text(broken, encoding="utf-8")
        talk.say(cast.admin, "/reload")
        refused = await talk.expect(cast.admin, "已拒绝加载")
        assert "routing.toml:" in (refused.text or "")
        assert "nowhere" in (refused.text or "")
        bad_quiet = good.replace('start = "22:00"', 'start = "25:00"')
        (tmp_path / "routing.toml").write_text(bad_quiet, encoding="utf-8")
        talk.say(cast.admin, "/reload")
        refused = await talk.expect(cast.admin, "已拒绝加载")
        assert "quiet_hours.start" in (refused.text or "")
        talk.say(cast.deputy, "/reload")
        await talk.expect(cast.deputy, "无权")
        talk.say(cast.deputy, "小区门口的路灯坏了一个月，晚上很黑")
        card = await talk.expect(cast.deputy, "住房和城乡建设局")
        talk.press(cast.deputy, card, "提交")
        number = tracking_number(await talk.expect(cast.deputy, "已收到您的诉求"))
        await talk.expect(cast.li, number)
        assert bot.bot_data.errors == []
