"""The offline run, the 12345 part: one department is served by a simulated hotline platform."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot import texts
from bot.demo.conversation import Conversation, Person, tracking_number
from bot.fake_hotline import FakeHotline, Received

# The department the simulated platform serves in the demo, as the routing file writes it.
SERVED = 'transport = "交通运输局"'
SERVED_BY_PLATFORM = 'transport = { name = "交通运输局", reach = "hotline" }'
KINDS = {
    "order": "新工单",
    "reopened": "重办（代表不满意）",
    "rated": "代表评价",
    "follow_up": "回头看",
    "withdrawn": "撤回",
    "reminded": "催办",
    "updated": "办理更新",
}


def demo_routing(shipped: Path, folder: Path) -> Path:
    """Write the shipped routing file with transport served by the 12345 platform."""
    text = shipped.read_text(encoding="utf-8")
    if SERVED not in text:
        raise ValueError(f"{shipped} has no line {SERVED!r} for the demo to switch to hotline")
    path = folder / "routing.toml"
    path.write_text(text.replace(SERVED, SERVED_BY_PLATFORM), encoding="utf-8")
    for extra in shipped.parent.glob("*.txt"):  # the jieba dictionary it names
        (folder / extra.name).write_text(extra.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def demo_platform(callback_url: str) -> FakeHotline:
    """Return a platform that accepts, then answers, every new work order by itself."""
    platform = FakeHotline(auto=timedelta(seconds=0.5), callback_url=callback_url)
    platform.on_received = _print_received
    platform.on_reported = _print_reported
    return platform


def _print_received(received: Received) -> None:
    """Print a request as the platform received it."""
    body = received.body
    kind = KINDS.get(received.kind, received.kind)
    detail = (
        f"{body.get('category')} → {body.get('department')}；{body.get('content')}；"
        f"来源：{body['source'].get('name')}（{body['source'].get('level')}级人大代表）；"
        f"答复时限 {body.get('answer_deadline')}"
        if received.kind == "order"
        else (body.get("text") or texts.RATINGS.get(str(body.get("rating")), ""))
    )
    print(f"   🏢 12345平台 ← {kind} {received.code}：{detail}（已验签）", flush=True)


def _print_reported(event: dict[str, Any], status: int, answer: dict[str, Any]) -> None:
    """Print a report the platform sent back, and deputybot's answer."""
    said = event.get("text") or event.get("handler") or ""
    print(
        f"   🏢 12345平台 → 回调 {event['type']} {event['code']}：{said}"
        f"（deputybot 答复 {status} {answer.get('code')}）",
        flush=True,
    )


async def play_hotline(
    talk: Conversation, platform: FakeHotline, people: dict[str, Person]
) -> None:
    """Send a transport concern through the platform and rate its answer."""
    deputy = people["deputy"]
    print("\n== 7. 交通运输局由 12345 热线平台办理：推送工单，平台签收、答复，代表评价 ==")
    talk.say(deputy, "火车站出租车拒载、不打表，司机态度恶劣")
    talk.press(deputy, await talk.expect(deputy, "诉求预览"), "提交")
    number = tracking_number(await talk.expect(deputy, "已收到您的诉求"))
    await talk.expect(deputy, f"{number} 已由【交通运输局】签收")
    answer = await talk.expect(deputy, f"诉求 {number} 已办结")
    talk.press(deputy, answer, "满意")
    await talk.expect(deputy, "感谢您的评价")
    for _ in range(250):
        if any(r.kind == "rated" for r in platform.of(number)):
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the platform never heard the rating of {number}")
