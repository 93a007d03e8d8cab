"""A bot whose ecology department is served by the simulated 12345 platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.fake_hotline import FakeHotline
from bot.services.routing import RoutingHolder, routing_holder
from tests.conftest import ROUTING
from tests.e2e.harness import Cast, Harness, running_bot

ECOLOGY = 'ecology = "生态环境局"'
POLLUTION = "化工厂每天晚上偷排污水，河水发黑发臭，鱼都死了"


def hotline_routing(folder: Path, reach: str = '"hotline"') -> RoutingHolder:
    """Write the shipped routing file with ecology reached by the platform; load it."""
    text = ROUTING.read_text(encoding="utf-8")
    assert ECOLOGY in text
    text = text.replace(ECOLOGY, f'ecology = {{ name = "生态环境局", reach = {reach} }}')
    path = folder / "routing.toml"
    path.write_text(text, encoding="utf-8")
    (folder / "userdict.txt").write_text(
        (ROUTING.parent / "userdict.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return routing_holder(path, ZoneInfo("Asia/Shanghai"), hotline=True)


def hotline_env(platform: FakeHotline, **extra: str) -> dict[str, str]:
    """Return the settings that point the bot at the platform."""
    return {
        "DEPUTYBOT_HOTLINE_URL": platform.url,
        "DEPUTYBOT_HOTLINE_APP_ID": platform.app_id,
        "DEPUTYBOT_HOTLINE_SECRET": platform.secret,
        **extra,
    }


@dataclass
class Hotline:
    """The bot, the platform, and the way between them."""

    bot: Harness
    platform: FakeHotline

    async def first_order(self) -> tuple[Cast, str]:
        """Enrol the cast, submit the pollution concern, wait for its work order."""
        cast = await self.bot.enrol()
        number = await self.bot.submit(cast.deputy, POLLUTION)
        await self.orders(1)
        return cast, number

    async def orders(self, count: int, seconds: float = 10.0) -> None:
        """Wait until the platform has received `count` work orders."""
        await until(lambda: len(self.platform.orders()) >= count, seconds)

    async def received(self, code: str, kind: str, seconds: float = 10.0) -> None:
        """Wait until the platform has received a request of a kind about a work order."""
        await until(lambda: any(r.kind == kind for r in self.platform.of(code)), seconds)


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for a condition, failing after so many seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def hotline_bot(
    database_url: str,
    folder: Path,
    *,
    reach: str = '"hotline"',
    clock: Clock | None = None,
    extra: dict[str, str] | None = None,
) -> AsyncIterator[Hotline]:
    """Start the platform and the bot (with its HTTP server) wired to each other."""
    async with FakeHotline() as platform:
        routing = hotline_routing(folder, reach)
        env = hotline_env(platform, **(extra or {}))
        async with running_bot(database_url, routing, env=env, http=True, clock=clock) as bot:
            platform.callback_url = f"{bot.web_url}/hotline/events"
            yield Hotline(bot, platform)
