"""The desk in a real browser: headless Chromium (Debian's package) driven by Playwright.

Sign in with the link the bot sent, filter the ledger, open an item, download the view as
Excel, reroute a triage item and see the deputy told; a handler is refused another
department's item. Screenshots of each page are saved under the test's temporary folder.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright import async_api as playwright

from bot.clock import ManualClock
from bot.demo.conversation import Person, tracking_number
from bot.services.routing import RoutingHolder
from tests.e2e.harness import NOW, Harness, running_bot
from tests.e2e.test_desk_pages import LINK, desk_env, to_triage

# .ci/run installs the browser and names it, so there a missing browser fails instead of skipping.
CHROMIUM = os.environ.get("DEPUTYBOT_TEST_BROWSER") or shutil.which("chromium")
if not CHROMIUM:
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)
PHONE = playwright.ViewportSize(
    width=390, height=844
)  # a phone's screen: the desk must read on one


@pytest.fixture
async def chromium() -> AsyncIterator[playwright.Browser]:
    """Start headless Chromium for one test."""
    async with playwright.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            await browser.close()


def streetlight_photo() -> bytes:
    """Return a small real JPEG (the browser must be able to draw it)."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (230, 170, 60)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


async def link_for(bot: Harness, person: Person) -> str:
    """Ask the bot for a sign-in link as the person would."""
    bot.talk.say(person, "/web")
    found = LINK.search((await bot.talk.expect(person, "服务台登录链接")).text or "")
    assert found is not None
    return found.group(0)


class Shots:
    """Save numbered full-page screenshots in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def take(self, page: playwright.Page, name: str) -> None:
        """Save the page as NN-name.png."""
        self.count += 1
        await page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


async def test_a_person_works_the_desk_in_chromium(
    database_url: str, routing: RoutingHolder, chromium: playwright.Browser, tmp_path: Path
) -> None:
    shots = Shots(tmp_path / "screenshots")
    async with running_bot(
        database_url, routing, http=True, env=desk_env(), clock=ManualClock(NOW)
    ) as bot:
        cast = await bot.enrol()
        caption = "小区路灯坏了好几天 <b>请尽快</b>"
        bot.fake.send_photo(cast.deputy.user_id, caption=caption, data=streetlight_photo())
        bot.talk.press(cast.deputy, await bot.talk.expect(cast.deputy, "诉求预览"), "提交")
        housing = tracking_number(await bot.talk.expect(cast.deputy, "已收到您的诉求"))
        ecology = await bot.submit(cast.other_deputy, "河道有人偷排污水，气味难闻")
        triage = await to_triage(bot, cast.deputy, "嗯嗯嗯")
        await bot.talk.expect(cast.admin, "系统未能自动分类")

        context = await chromium.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
        page = await context.new_page()
        await page.goto(await link_for(bot, cast.admin))
        assert "已登录：管理员" in await page.inner_text("main")
        await shots.take(page, "home")

        await page.click("text=台账")
        assert "共 3 件" in await page.inner_text("main")
        await shots.take(page, "ledger")
        await page.select_option("select[name=department]", "housing")
        await page.click("button:has-text('筛选')")
        listed = await page.inner_text("table")
        assert housing in listed
        assert ecology not in listed
        assert "共 1 件" in await page.inner_text("main")
        await shots.take(page, "ledger-housing")

        async with page.expect_download() as info:
            await page.click("text=下载本页筛选结果")
        workbook = tmp_path / "view.xlsx"
        await (await info.value).save_as(workbook)
        rows = list(load_workbook(workbook)["台账"].iter_rows(min_row=2, values_only=True))
        assert [row[0] for row in rows] == [housing]

        await page.click(f"text={housing}")
        shown = await page.inner_text("main")
        assert "办理记录" in shown
        assert "<b>请尽快</b>" in shown  # the deputy's HTML shows as text
        assert await page.locator("main b").count() == 0  # and never as markup
        photo = page.locator("img[alt='现场图片']")
        await photo.wait_for()
        assert await photo.evaluate("img => img.complete && img.naturalWidth > 0")
        await shots.take(page, "item")

        await page.goto(f"{bot.web_url}/desk/triage")
        assert triage in await page.inner_text("main")
        await shots.take(page, "triage")
        form = page.locator(f"form[action='/desk/triage/{triage}']")
        await form.locator("select[name=department]").select_option("ecology")
        await form.locator("button").click()
        assert "已改派至【生态环境局】" in await page.inner_text("main")
        await shots.take(page, "triage-routed")
        await bot.talk.expect(cast.deputy, f"{triage} 已派至【生态环境局】办理")
        await bot.talk.expect(cast.wang, "新派单")

        await page.goto(f"{bot.web_url}/desk/summary")
        assert "收到诉求 3 件" in await page.inner_text("main")
        chart = page.locator("img[alt='试点小结图表']")
        await chart.wait_for()
        assert await chart.evaluate("img => img.complete && img.naturalWidth > 0")
        await shots.take(page, "summary")
        await page.goto(f"{bot.web_url}/desk/records")
        assert "张三" in await page.inner_text("main")
        await shots.take(page, "records")

        handler = await (await chromium.new_context(viewport=PHONE, locale="zh-CN")).new_page()
        await handler.goto(await link_for(bot, cast.li))
        refused = await handler.goto(f"{bot.web_url}/desk/item/{ecology}")
        assert refused is not None
        assert refused.status == 403
        assert "气味难闻" not in await handler.inner_text("body")
        await shots.take(handler, "handler-refused")
        admin_page = await handler.goto(f"{bot.web_url}/desk/triage")
        assert admin_page is not None
        assert admin_page.status == 403
        await context.close()
        assert bot.bot_data.errors == []
    names = sorted(p.name for p in shots.folder.iterdir())
    assert len(names) == shots.count == 9
    assert re.fullmatch(r"01-home\.png", names[0])
