"""/web in the real bot: the link it sends signs the person in on the bot's own HTTP server."""

from __future__ import annotations

import io
import re
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.services.routing import RoutingHolder
from tests.e2e.harness import NOW, free_port, running_bot

TZ = ZoneInfo("Asia/Shanghai")


async def test_web_link_from_the_bot_opens_the_desk_once(
    database_url: str, routing: RoutingHolder
) -> None:
    port = free_port()
    env = {
        "DEPUTYBOT_HTTP_LISTEN": f"127.0.0.1:{port}",
        "DEPUTYBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    async with running_bot(
        database_url, routing, http=True, env=env, clock=ManualClock(NOW)
    ) as bot:
        cast = await bot.enrol()
        number = await bot.submit(cast.deputy, "小区路灯坏了 <script>alert(1)</script><b>x</b>")
        bot.talk.say(cast.deputy, "/web")
        text = (await bot.talk.expect(cast.deputy, "服务台登录链接")).text
        found = re.search(r"http://\S+/desk/login\?token=\S+", text)
        assert found is not None
        link = found.group(0)
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            home = await browser.get(link)
            assert home.status_code == 200
            assert "张三" in home.text
            assert "代表" in home.text
            ledger = await browser.get(link.split("/desk/")[0] + "/desk/ledger")
            assert ledger.status_code == 200
            assert number in ledger.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in ledger.text
            assert "<script>alert" not in ledger.text
            page = await browser.get(f"{link.split('/desk/')[0]}/desk/item/{number}")
            assert page.status_code == 200
            assert "办理记录" in page.text
            assert "提交" in page.text  # the submitted event, in Chinese
            assert "&lt;script&gt;" in page.text
            assert "<script>alert" not in page.text
            missing = await browser.get(f"{link.split('/desk/')[0]}/desk/item/000000-0000")
            assert missing.status_code == 403  # a deputy: missing and another's look the same
            root = link.split("/desk/")[0]
            sheet = await browser.get(f"{root}/desk/ledger.xlsx?search=路灯")
            assert sheet.status_code == 200
            assert "attachment" in sheet.headers["content-disposition"]
            book = load_workbook(io.BytesIO(sheet.content))
            assert book.sheetnames == ["台账", "事件", "代表履职"]  # no 汇总 of all departments
            assert [r[0] for r in book["台账"].iter_rows(min_row=2, values_only=True)] == [number]
            later = await browser.get(f"{root}/desk/ledger?from=2099-01-01&to=2099-01-31")
            assert "共 0 件" in later.text
            assert 'value="2099-01-01"' in later.text
            again = await browser.get(link)
            assert again.status_code == 403
        bot.talk.say(cast.other_deputy, "/web")
        text = (await bot.talk.expect(cast.other_deputy, "服务台登录链接")).text
        found = re.search(r"http://\S+/desk/login\?token=\S+", text)
        assert found is not None
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as other:
            await other.get(found.group(0))
            theirs = await other.get(found.group(0).split("/desk/")[0] + "/desk/ledger")
            assert theirs.status_code == 200
            assert "共 0 件" in theirs.text
            assert number not in theirs.text
            item = await other.get(f"{found.group(0).split('/desk/')[0]}/desk/item/{number}")
            assert item.status_code == 403  # another's item: refused as if missing
            assert "小区路灯" not in item.text
        async with httpx.AsyncClient(timeout=10) as nobody:
            refused = await nobody.get(link.split("/desk/")[0] + "/desk/ledger")
            assert refused.status_code == 403
            assert number not in refused.text
        bot.talk.say(cast.admin, "/web")
        text = (await bot.talk.expect(cast.admin, "服务台登录链接")).text
        found = re.search(r"http://\S+/desk/login\?token=\S+", text)
        assert found is not None
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as admin:
            await admin.get(found.group(0))
            today = bot.bot_data.services.deps.clock.now().astimezone(TZ).date().isoformat()
            got = await admin.get(f"{root}/desk/ledger.xlsx?from={today}&to={today}")
            book = load_workbook(io.BytesIO(got.content))
            assert book.sheetnames == ["台账", "事件", "汇总", "代表履职"]
            assert book["台账"].max_row == 2  # the header and the one item
        bot.talk.say(cast.stranger, "/web")
        assert "领取邀请码" in (await bot.talk.expect(cast.stranger, "领取邀请码")).text
        assert bot.bot_data.errors == []
