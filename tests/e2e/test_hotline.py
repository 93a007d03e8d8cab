"""The 12345 connector end to end: work orders out, the platform's reports back."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import HotlineReport, Item, ItemEvent
from bot.hotline.client import encode
from bot.wiring import run_due_jobs
from tests.e2e.hotline_setup import POLLUTION, hotline_bot, until

CST = ZoneInfo("Asia/Shanghai")


async def test_round_trip_reaches_the_deputy_as_a_handler_would(
    database_url: str, tmp_path: Path
) -> None:
    async with hotline_bot(database_url, tmp_path) as line:
        bot, platform = line.bot, line.platform
        cast, number = await line.first_order()
        talk = bot.talk
        order = platform.orders()[0]
        assert order.code == number
        body = order.body
        assert body["department_code"] == "ecology"
        assert body["category"] == "环境保护"
        assert body["source"] == {
            "kind": "deputy",
            "name": "张三",
            "level": "县",
            "district": "K8县",
        }
        assert body["content"] == POLLUTION
        assert body["ack_deadline"]
        assert body["answer_deadline"]
        assert str(cast.deputy.user_id) not in json.dumps(body)  # no Telegram ids
        assert body["callback_url"] is None  # DEPUTYBOT_PUBLIC_URL is not set here
        # Nobody in Telegram was asked to work it (王五 is an ecology handler in the bot).
        assert not [m for m in bot.fake.chat(cast.wang.user_id) if number in (m.text or "")]

        status, answer = await platform.report(number, "受理", handler="王五", unit="12345热线中心")
        assert (status, answer["code"], answer["success"]) == (200, "ok", True)
        acked = await talk.expect(cast.deputy, "已由【生态环境局】签收")
        assert "王五" in (acked.text or "")
        await platform.report(number, "进展", text="已派执法人员到现场取样")
        await talk.expect(cast.deputy, "已派执法人员到现场取样")
        await platform.report(number, "办结", text="已责令停产整改，罚款二十万元")
        answer_card = await talk.expect(cast.deputy, "已责令停产整改")
        assert "满意" in answer_card.buttons()

        talk.press(cast.deputy, answer_card, "不满意")
        await talk.expect(cast.deputy, "原因")
        talk.say(cast.deputy, "晚上还在偷排")
        await line.received(number, "reopened")
        reopened = next(r for r in platform.of(number) if r.kind == "reopened").body
        assert reopened["text"] == "晚上还在偷排"
        assert reopened["rating"] == "unsatisfied"

        await platform.report(number, "办结", text="已查封排污口，并安排夜间巡查")
        second = await talk.expect(cast.deputy, "已查封排污口")
        talk.press(cast.deputy, second, "满意")
        await line.received(number, "rated")
        assert [r.kind for r in platform.of(number)] == ["order", "reopened", "rated"]
        assert platform.repeats == 0

        talk.say(cast.deputy, f"/status {number}")
        history = await talk.expect(cast.deputy, "办理记录")
        assert "12345热线" in (history.text or "")
        assert bot.bot_data.errors == []


async def test_reports_out_of_order_are_applied_and_recorded(
    database_url: str, tmp_path: Path
) -> None:
    async with hotline_bot(database_url, tmp_path) as line:
        bot, platform = line.bot, line.platform
        cast, number = await line.first_order()
        status, answer = await platform.report(number, "办结", text="已处理完毕")
        assert (status, answer["code"]) == (200, "implied")
        await bot.talk.expect(cast.deputy, "已处理完毕")
        status, answer = await platform.report(number, "受理", handler="王五")
        assert (status, answer["code"]) == (200, "late")
        status, answer = await platform.report(number, "退回", text="太晚了")
        assert (status, answer["code"]) == (409, "not_in_state")  # closed: nothing to return
        sessions = bot.bot_data.services.deps.sessions
        async with sessions() as session:
            kinds = list(
                (
                    await session.execute(
                        select(ItemEvent.kind)
                        .join(Item, Item.id == ItemEvent.item_id)
                        .where(Item.tracking_no == number)
                        .order_by(ItemEvent.id)
                    )
                ).scalars()
            )
            outcomes = list(
                (
                    await session.execute(select(HotlineReport.outcome).order_by(HotlineReport.id))
                ).scalars()
            )
        assert kinds[-2:] == ["acknowledged", "answered"]
        assert outcomes == ["implied", "late"]
        assert bot.bot_data.errors == []


async def test_a_return_goes_to_triage_and_an_extension_moves_the_deadline(
    database_url: str, tmp_path: Path
) -> None:
    async with hotline_bot(database_url, tmp_path) as line:
        bot, platform = line.bot, line.platform
        cast = await bot.enrol()
        first = await bot.submit(cast.deputy, POLLUTION)
        second = await bot.submit(cast.deputy, "工厂烟囱冒黑烟，空气污染严重，附近居民咳嗽")
        await line.orders(2)
        await platform.report(first, "退回", text="不属于本中心受理范围")
        card = await bot.talk.expect(cast.admin, "不属于本中心受理范围")
        assert card.buttons()  # the administrators route it from triage
        new_due = "2027-01-20T18:00:00+08:00"
        status, answer = await platform.report(second, "延期", deadline=new_due)
        assert (status, answer["code"]) == (200, "ok")
        async with bot.bot_data.services.deps.sessions() as session:
            item = (
                await session.execute(select(Item).where(Item.tracking_no == second))
            ).scalar_one()
            first_item = (
                await session.execute(select(Item).where(Item.tracking_no == first))
            ).scalar_one()
        assert item.answer_due_at is not None
        assert item.answer_due_at.isoformat().startswith("2027-01-20T10:00")
        assert first_item.status == "triage"
        assert bot.bot_data.errors == []


async def _state(line_bot: object, number: str) -> tuple[int, int]:
    """Return the number of events and of reports recorded (to prove nothing changed)."""
    from tests.e2e.harness import Harness

    assert isinstance(line_bot, Harness)
    async with line_bot.bot_data.services.deps.sessions() as session:
        events = await session.scalar(select(func.count()).select_from(ItemEvent))
        reports = await session.scalar(select(func.count()).select_from(HotlineReport))
    return int(events or 0), int(reports or 0)


async def test_bad_reports_get_their_4xx_and_change_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with hotline_bot(database_url, tmp_path) as line:
        bot, platform = line.bot, line.platform
        cast, number = await line.first_order()
        accepted = platform.event(number, "受理", handler="王五")
        body = encode(accepted)
        before = await _state(bot, number)
        now = time.time()
        forged = {**platform.sign(body), "X-Hotline-Signature": "0" * 64}
        stale = platform.sign(body, now=now - 301)
        other_app = {**platform.sign(body), "X-Hotline-App-Id": "someone-else"}
        cases = [
            (forged, body, 401, "bad_signature"),
            (stale, body, 401, "stale_timestamp"),
            (other_app, body, 401, "unknown_app"),
            ({}, body, 401, "unsigned"),
        ]
        unknown = encode({**accepted, "code": "991231-9999"})
        malformed = b'{"event_id": "x1", "code": '
        no_text = encode({**platform.event(number, "办结"), "text": ""})
        huge = encode({**platform.event(number, "进展"), "text": "长" * 70_000})
        for payload, status, code in (
            (unknown, 404, "unknown_code"),
            (malformed, 422, "malformed"),
            (no_text, 422, "malformed"),
            (huge, 413, "too_large"),
        ):
            cases.append((platform.sign(payload), payload, status, code))
        for headers, payload, status, code in cases:
            got, answer = await platform.send({}, headers=headers, raw=payload)
            assert (got, answer["code"], answer["success"]) == (status, code, False), code
            assert answer["message"]
        assert await _state(bot, number) == before

        # The genuine report is applied once; its replay is acknowledged and ignored.
        got, answer = await platform.send(accepted)
        assert (got, answer["code"]) == (200, "ok")
        after = await _state(bot, number)
        got, answer = await platform.send(accepted)
        assert (got, answer["code"], answer["success"]) == (200, "duplicate", True)
        assert await _state(bot, number) == after

        # Returned to triage, the item is no longer the platform's: an answer makes no sense.
        await platform.report(number, "退回", text="不属于本中心受理范围")
        await bot.talk.expect(cast.admin, "不属于本中心受理范围")
        returned = await _state(bot, number)
        got, answer = await platform.report(number, "办结", text="已处理")
        assert (got, answer["code"]) == (409, "not_with_platform")
        assert await _state(bot, number) == returned
        acked = [m for m in bot.fake.chat(cast.deputy.user_id) if "签收" in (m.text or "")]
        assert len(acked) == 1
        assert bot.bot_data.errors == []


async def test_deadlines_remind_the_platform_and_supervisors_of_a_shared_department(
    database_url: str, tmp_path: Path
) -> None:
    start = datetime(2026, 12, 7, 10, 0, tzinfo=CST)  # a Monday
    clock = ManualClock(start)
    reach = '["telegram", "hotline"]'
    async with hotline_bot(database_url, tmp_path, reach=reach, clock=clock) as line:
        bot, platform = line.bot, line.platform
        cast, number = await line.first_order()
        await bot.talk.expect(cast.wang, number)  # shared: its handler in Telegram has a card
        clock.set(start + timedelta(hours=24, minutes=1))
        await run_due_jobs(bot.bot_data.services)
        bot.bot_data.services.hotline.kick()
        await line.received(number, "reminded")
        reminded = next(r for r in platform.of(number) if r.kind == "reminded").body
        assert reminded["reminder"] == "ack_overdue"
        assert "已超过签收时限" in reminded["text"]
        await bot.talk.expect(cast.wang, "已超过签收时限")
        assert bot.bot_data.errors == []


async def test_a_department_only_the_platform_serves_sends_nothing_to_telegram_people(
    database_url: str, tmp_path: Path
) -> None:
    start = datetime(2026, 12, 7, 10, 0, tzinfo=CST)
    clock = ManualClock(start)
    async with hotline_bot(database_url, tmp_path, clock=clock) as line:
        bot, platform = line.bot, line.platform
        cast, number = await line.first_order()
        clock.set(start + timedelta(days=12))  # long past the answer deadline
        await run_due_jobs(bot.bot_data.services)
        bot.bot_data.services.hotline.kick()

        def reminded() -> set[str]:
            return {r.body["reminder"] for r in platform.of(number) if r.kind == "reminded"}

        await until(lambda: "supervise" in reminded())
        assert {"ack_overdue", "answer_breach", "supervise"} <= reminded()
        await bot.talk.expect(cast.admin, "督办")
        assert not [m for m in bot.fake.chat(cast.wang.user_id) if number in (m.text or "")]
        assert bot.bot_data.errors == []


async def test_the_poll_reads_reports_of_a_platform_that_cannot_call_back(
    database_url: str, tmp_path: Path
) -> None:
    poll = {"DEPUTYBOT_HOTLINE_POLL_SECONDS": "0.2"}
    async with hotline_bot(database_url, tmp_path, extra=poll) as line:
        bot, platform = line.bot, line.platform
        platform.callback_url = None  # it never calls us: the bot has to ask
        cast, number = await line.first_order()
        platform.event(number, "受理", handler="王五")
        platform.event(number, "办结", text="已依法查处，责令整改")
        card = await bot.talk.expect(cast.deputy, "已依法查处")
        assert card.buttons()
        acked = [m for m in bot.fake.chat(cast.deputy.user_id) if "签收" in (m.text or "")]
        assert len(acked) == 1  # polled again and again, applied once
        await asyncio.sleep(0.5)
        async with bot.bot_data.services.deps.sessions() as session:
            reports = await session.scalar(select(func.count()).select_from(HotlineReport))
        assert reports == 2
        assert bot.bot_data.errors == []


async def test_the_openapi_page_documents_the_contract(database_url: str, tmp_path: Path) -> None:
    async with hotline_bot(database_url, tmp_path) as line, httpx.AsyncClient() as client:
        spec = (await client.get(f"{line.bot.web_url}/openapi.json")).json()
        page = await client.get(f"{line.bot.web_url}/docs")
    route = spec["paths"]["/hotline/events"]["post"]
    assert route["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PlatformEvent"
    }
    assert {"401", "404", "409", "413", "422"} <= set(route["responses"])
    event = spec["components"]["schemas"]["PlatformEvent"]
    assert {"event_id", "code", "type", "at"} <= set(event["required"])
    assert "Report" in spec["components"]["schemas"]  # the enum the type refers to
    assert page.status_code == 200
    assert "swagger" in page.text.lower()
