"""The desk's summary, records and triage pages over HTTP, in each role's scope."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from bot.clock import ManualClock
from bot.demo.conversation import Person, tracking_number
from bot.fake_telegram.users import TINY_JPEG
from bot.services.routing import RoutingHolder
from tests.e2e.harness import NOW, Harness, free_port, running_bot

LINK = re.compile(r"http://\S+/desk/login\?token=\S+")


def desk_env() -> dict[str, str]:
    """Serve the desk on a known port, with that address as its public URL."""
    port = free_port()
    return {
        "DEPUTYBOT_HTTP_LISTEN": f"127.0.0.1:{port}",
        "DEPUTYBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }


def browser(bot: Harness) -> httpx.AsyncClient:
    """Return an HTTP client on the bot's server that keeps cookies and follows redirects."""
    return httpx.AsyncClient(base_url=bot.web_url, follow_redirects=True, timeout=10)


async def sign_in(bot: Harness, client: httpx.AsyncClient, person: Person) -> None:
    """Ask the bot for a link as the person would and open it in the client."""
    bot.talk.say(person, "/web")
    found = LINK.search((await bot.talk.expect(person, "服务台登录链接")).text or "")
    assert found is not None
    assert (await client.get(found.group(0))).status_code == 200


async def to_triage(bot: Harness, deputy: Person, text: str) -> str:
    """Submit a concern no keyword matches; return its number once the admin has its card."""
    bot.talk.say(deputy, text)
    bot.talk.press(deputy, await bot.talk.expect(deputy, "诉求预览"), "提交")
    told = await bot.talk.expect(deputy, "已转人工分拨")
    found = re.search(r"\d{6}-\d{4,}", told.text or "")
    assert found is not None
    return found.group(0)


async def test_admin_pages_and_roles(database_url: str, routing: RoutingHolder) -> None:
    async with running_bot(
        database_url, routing, http=True, env=desk_env(), clock=ManualClock(NOW)
    ) as bot:
        cast = await bot.enrol()
        mine = await bot.submit(cast.deputy, "小区路灯坏了好几天，晚上很黑")
        theirs = await bot.submit(cast.other_deputy, "河道有人偷排污水，气味难闻")
        async with browser(bot) as admin, browser(bot) as deputy, browser(bot) as handler:
            await sign_in(bot, admin, cast.admin)
            await sign_in(bot, deputy, cast.deputy)
            await sign_in(bot, handler, cast.li)
            home = await admin.get("/desk/")
            for link in ("/desk/ledger", "/desk/records", "/desk/summary", "/desk/triage"):
                assert f'href="{link}"' in home.text
            summary = await admin.get("/desk/summary")
            assert summary.status_code == 200
            assert "收到诉求 2 件" in summary.text
            assert "响应率" in summary.text
            assert "住房和城乡建设局" in summary.text
            chart = await admin.get("/desk/summary.png")
            assert chart.headers["content-type"] == "image/png"
            assert chart.content.startswith(b"\x89PNG")
            records = await admin.get("/desk/records")
            assert "张三" in records.text
            assert "钱七" in records.text
            ids = re.findall(r"/desk/records/(\d+)", records.text)
            assert len(ids) == 2
            one = await admin.get(f"/desk/records/{ids[0]}")
            assert one.status_code == 200
            assert "履职档案" in one.text

            deputy_home = await deputy.get("/desk/")
            assert 'href="/desk/records"' in deputy_home.text
            assert 'href="/desk/summary"' not in deputy_home.text
            for page in ("/desk/summary", "/desk/summary.png", "/desk/triage"):
                refused = await deputy.get(page)
                assert refused.status_code == 403
                assert "收到诉求" not in refused.text
            own = await deputy.get("/desk/records")
            assert "张三" in own.text
            assert "钱七" not in own.text
            own_ids = re.findall(r"/desk/records/(\d+)", own.text)
            assert len(own_ids) == 1
            record = await deputy.get(f"/desk/records/{own_ids[0]}")
            assert mine in record.text
            other_id = next(i for i in ids if i != own_ids[0])
            hidden = await deputy.get(f"/desk/records/{other_id}")
            assert hidden.status_code == 403
            assert theirs not in hidden.text

            for page in ("/desk/summary", "/desk/triage", "/desk/records"):
                assert (await handler.get(page)).status_code == 403
        assert bot.bot_data.errors == []


async def test_triage_route_needs_csrf_and_tells_everyone(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(
        database_url, routing, http=True, env=desk_env(), clock=ManualClock(NOW)
    ) as bot:
        cast = await bot.enrol()
        number = await to_triage(bot, cast.deputy, "嗯嗯嗯 <b>请尽快</b>")
        card = await bot.talk.expect(cast.admin, "系统未能自动分类")
        async with browser(bot) as admin, browser(bot) as handler:
            await sign_in(bot, admin, cast.admin)
            await sign_in(bot, handler, cast.li)
            page = await admin.get("/desk/triage")
            assert number in page.text
            assert "&lt;b&gt;请尽快&lt;/b&gt;" in page.text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf is not None
            form = {"department": "housing"}
            without = await admin.post(f"/desk/triage/{number}", data=form)
            assert without.status_code == 403
            forged = await admin.post(f"/desk/triage/{number}", data={**form, "csrf": "x" * 43})
            assert forged.status_code == 403
            theirs = await handler.post(
                f"/desk/triage/{number}", data={**form, "csrf": csrf.group(1)}
            )
            assert theirs.status_code == 403  # another session's token, and not an admin
            status = await admin.get(f"/desk/item/{number}")
            assert "待分拨" in status.text  # nothing changed so far
            bogus = await admin.post(
                f"/desk/triage/{number}", data={"department": "nowhere", "csrf": csrf.group(1)}
            )
            assert bogus.status_code == 409
            routed = await admin.post(
                f"/desk/triage/{number}", data={**form, "csrf": csrf.group(1)}
            )
            assert routed.status_code == 200
            assert "已改派至【住房和城乡建设局】" in routed.text
            assert number not in routed.text.split("已改派")[1]  # gone from the queue
            await bot.talk.expect(cast.li, "新派单")
            await bot.talk.expect(cast.deputy, "住房和城乡建设局")
            retired = await bot.talk.expect(cast.admin, f"{number} 已派至【住房和城乡建设局】")
            assert retired.message_id == card.message_id  # the Telegram card, retired
            assert retired.buttons() == []
            again = await admin.post(f"/desk/triage/{number}", data={**form, "csrf": csrf.group(1)})
            assert again.status_code == 409  # no longer in triage: the bot's refusal, no change
        assert bot.bot_data.errors == []


async def test_an_items_photo_shows_in_scope_only(
    database_url: str, routing: RoutingHolder
) -> None:
    env = desk_env()
    async with running_bot(
        database_url, routing, http=True, env=env, clock=ManualClock(NOW)
    ) as bot:
        cast = await bot.enrol()
        bot.fake.send_photo(cast.deputy.user_id, caption="小区路灯坏了，照片为证")
        bot.talk.press(cast.deputy, await bot.talk.expect(cast.deputy, "诉求预览"), "提交")
        with_photo = tracking_number(await bot.talk.expect(cast.deputy, "已收到您的诉求"))
        without = await bot.submit(cast.deputy, "小区门口路灯不亮")
        async with browser(bot) as deputy, browser(bot) as other, browser(bot) as nobody:
            await sign_in(bot, deputy, cast.deputy)
            await sign_in(bot, other, cast.other_deputy)
            page = await deputy.get(f"/desk/item/{with_photo}")
            assert f'src="/desk/item/{with_photo}/photo"' in page.text
            photo = await deputy.get(f"/desk/item/{with_photo}/photo")
            assert photo.status_code == 200
            assert photo.content == TINY_JPEG
            assert "src=" not in (await deputy.get(f"/desk/item/{without}")).text
            assert (await deputy.get(f"/desk/item/{without}/photo")).status_code == 404
            theirs = await other.get(f"/desk/item/{with_photo}/photo")
            assert theirs.status_code == 403
            assert theirs.content != TINY_JPEG
            assert (await nobody.get(f"/desk/item/{with_photo}/photo")).status_code == 403
        assert bot.bot_data.errors == []


async def test_an_item_late_for_acknowledgement_shows_the_summarys_hours_in_the_ledger(
    database_url: str, routing: RoutingHolder
) -> None:
    clock = ManualClock(NOW)
    async with running_bot(database_url, routing, http=True, env=desk_env(), clock=clock) as bot:
        cast = await bot.enrol()
        number = await bot.submit(cast.deputy, "小区路灯坏了好几天，晚上很黑")
        clock.advance(timedelta(days=3))  # nobody acknowledged it
        async with browser(bot) as admin:
            await sign_in(bot, admin, cast.admin)
            summary = (await admin.get("/desk/summary")).text
            listed = re.search(rf"{number}</a></td><td>[^<]*</td><td>([\d.]+)</td>", summary)
            ledger = (await admin.get("/desk/ledger")).text
            row = re.search(rf"{number}</a></td>(?:<td>[^<]*</td>){{5}}<td>([\d.]+)</td>", ledger)
            item = (await admin.get(f"/desk/item/{number}")).text
        assert listed is not None
        assert row is not None
        assert float(listed.group(1)) == float(row.group(1)) > 24
        assert f"签收已超时 {row.group(1)} 小时" in item
