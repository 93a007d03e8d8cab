"""Open311 GeoReport v2, read with a third-party client and written with plain HTTP."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
from georeport import GeoReport
from sqlalchemy import func, select

from bot.db.models import ApiKey, Item
from bot.fake_telegram.users import TINY_JPEG
from bot.services.open311 import hash_key
from bot.services.routing import RoutingHolder
from bot.services.summary import compute_summary
from tests.e2e.harness import Harness, running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，联系电话13812345678，晚上很黑"
KEY = "test-api-key-of-the-city-app"
ENV = {
    "DEPUTYBOT_PUBLIC_URL": "http://deputybot.example.org",
    "DEPUTYBOT_HOTLINE_URL": "http://127.0.0.1:9",
    "DEPUTYBOT_HOTLINE_APP_ID": "deputybot",
    "DEPUTYBOT_HOTLINE_SECRET": "media-secret",
}


async def _key(bot: Harness, name: str = "城市服务 App") -> None:
    """Store an API key for another system."""
    async with bot.bot_data.services.deps.sessions.begin() as session:
        session.add(ApiKey(name=name, key_hash=hash_key(KEY), created_at=datetime.now(UTC)))


async def _items(bot: Harness) -> int:
    """Count the items stored."""
    async with bot.bot_data.services.deps.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Item)) or 0)


def _client(bot: Harness, output: str = "json") -> GeoReport:
    """Return the third-party client pointed at the bot's GeoReport root."""
    return GeoReport(f"{bot.web_url}/open311/v2", output_format=output)


async def test_a_third_party_client_reads_services_and_requests(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing, env=ENV, http=True) as bot:
        cast = await bot.enrol()
        number = await bot.submit(cast.deputy, STREETLIGHT)
        card = await bot.talk.expect(cast.li, number)
        bot.talk.press(cast.li, card, "签收")
        acked = await bot.talk.expect(cast.li, "已签收", buttons=True)
        bot.talk.press(cast.li, acked, "答复办结")
        await bot.talk.expect(cast.li, "最终答复")
        bot.talk.say(cast.li, "已更换灯具，回访电话13900001111。")
        await bot.talk.expect(cast.deputy, "已办结")
        other = await bot.submit(cast.deputy, "村口河道有工厂偷排污水，河水发黑发臭")

        for output in ("json", "xml"):
            client = _client(bot, output)
            services = await asyncio.to_thread(client.get_service_list)
            codes = {s["service_code"] for s in services}
            assert {"urban_rural", "environment"} <= codes
            found = await asyncio.to_thread(client.get_service_requests)
            rows = found if isinstance(found, list) else [found]
            assert {r["service_request_id"] for r in rows} == {number, other}
            closed = await asyncio.to_thread(client.get_service_requests, status="closed")
            closed = closed if isinstance(closed, list) else [closed]
            assert [r["service_request_id"] for r in closed] == [number]
            one = await asyncio.to_thread(client.get_service_request, number)
            assert one["status"] == "closed"
            assert one["agency_responsible"] == "住房和城乡建设局"
            assert one["status_notes"] == "已更换灯具，回访电话***********。"
            assert "13812345678" not in one["description"]
            assert "***********" in one["description"]
        async with httpx.AsyncClient() as http:
            every = (await http.get(f"{bot.web_url}/open311/v2/requests.json")).text
            by_code = await http.get(
                f"{bot.web_url}/open311/v2/requests.json", params={"service_code": "environment"}
            )
            missing = await http.get(f"{bot.web_url}/open311/v2/requests/991231-0001.json")
            bad = await http.get(
                f"{bot.web_url}/open311/v2/requests.json", params={"start_date": "yesterday"}
            )
        assert [r["service_request_id"] for r in by_code.json()] == [other]
        assert missing.status_code == 404
        assert missing.json()[0]["code"] == 404
        assert bad.status_code == 400
        for private in ("张三", str(cast.deputy.user_id), str(cast.li.user_id), "李四"):
            assert private not in every
        assert bot.bot_data.errors == []


async def test_another_system_files_a_request_routed_like_a_deputys(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing, env=ENV, http=True) as bot:
        cast = await bot.enrol()
        await _key(bot)
        url = f"{bot.web_url}/open311/v2/requests.json"
        before = await _items(bot)
        async with httpx.AsyncClient() as http:
            for data, status in (
                ({"api_key": "wrong", "description": STREETLIGHT}, 403),
                ({"description": STREETLIGHT}, 403),
                ({"api_key": KEY, "description": ""}, 400),
                ({"api_key": KEY, "description": STREETLIGHT, "service_code": "nope"}, 400),
                ({"api_key": KEY, "description": STREETLIGHT, "lat": "north"}, 400),
                ({"api_key": KEY, "description": "长" * 70_000}, 413),
            ):
                response = await http.post(url, data=data)
                assert response.status_code == status, data
                assert response.json()[0]["code"] == status
            assert await _items(bot) == before
            made = await http.post(
                url,
                data={
                    "api_key": KEY,
                    "description": STREETLIGHT,
                    "address_string": "K8县幸福路 12 号",
                    "lat": "28.19",
                    "long": "112.97",
                },
            )
            assert made.status_code == 201
            number = made.json()[0]["service_request_id"]
            chosen = await http.post(
                url.replace(".json", ".xml"),
                json={"api_key": KEY, "description": "河水发黑发臭", "service_code": "environment"},
            )
            assert chosen.status_code == 201
            assert "<service_request_id>" in chosen.text
        card = await bot.talk.expect(cast.li, number)
        assert "城市服务 App（开放接口 Open311 提交）" in (card.text or "")
        await bot.talk.expect(cast.wang, "河水发黑发臭")
        async with httpx.AsyncClient() as http:
            got = (await http.get(f"{bot.web_url}/open311/v2/requests/{number}.json")).json()[0]
        assert got["address"] == "K8县幸福路 12 号"
        assert (got["lat"], got["long"]) == (28.19, 112.97)
        bot.talk.say(cast.admin, f"/status {number}")
        history = await bot.talk.expect(cast.admin, "办理记录")
        assert "开放接口" in (history.text or "")
        now = datetime.now(UTC)
        summary = await compute_summary(
            bot.bot_data.services.deps.sessions,
            start=now - timedelta(days=1),
            end=now + timedelta(days=1),
            now=now,
            tz=bot.bot_data.services.deps.tz,
        )
        assert summary is not None
        assert bot.bot_data.errors == []


async def test_a_photo_link_serves_the_photo_and_nothing_else(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing, env=ENV, http=True) as bot:
        cast = await bot.enrol()
        bot.fake.send_photo(cast.deputy.user_id, caption=STREETLIGHT)
        bot.talk.press(cast.deputy, await bot.talk.expect(cast.deputy, "诉求预览"), "提交")
        await bot.talk.expect(cast.deputy, "已收到您的诉求")
        async with httpx.AsyncClient() as http:
            listed = (await http.get(f"{bot.web_url}/open311/v2/requests.json")).json()
            link = listed[0]["media_url"]
            assert link.startswith("http://deputybot.example.org/media/")
            path = link.removeprefix("http://deputybot.example.org")
            photo = await http.get(f"{bot.web_url}{path}")
            forged = await http.get(f"{bot.web_url}{path[:-4]}abcd")
            other = await http.get(f"{bot.web_url}/media/999/{path.rsplit('/', 1)[1]}")
        assert photo.status_code == 200
        assert photo.content == TINY_JPEG
        assert (forged.status_code, other.status_code) == (404, 404)
        async with bot.bot_data.services.deps.sessions() as session:
            file_id = await session.scalar(select(Item.photo_file_id))
        assert file_id
        assert file_id not in json.dumps(listed)  # the Telegram file id never leaves
        assert bot.bot_data.errors == []
