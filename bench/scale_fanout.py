"""The fan-out half of bench/scale.py: digests at the rate limit, a deputy's preview meanwhile."""

from __future__ import annotations

import asyncio
import statistics
import time

from bot.app import build_application
from bot.fake_telegram import BotMessage, FakeTelegram
from bot.runtime.lifecycle import polling
from bot.services import outbox
from bot.settings import Settings
from tests.e2e.procs import ADMIN, seed

LIMIT = 30.0  # messages a second Telegram allows a bot (PTB's AIORateLimiter default)
FIRST_CHAT = 700_000


async def fan_out(url: str, count: int) -> None:
    """Drain `count` bulk messages while a deputy writes; print the rate and the latencies."""
    fake = FakeTelegram()
    await fake.start()
    deputy = (await seed(url, fake, deputies=1))[0]
    chats = [FIRST_CHAT + n for n in range(count)]
    for chat in chats:
        fake.add_user(chat, f"承办{chat}")
    arrivals: list[float] = []

    def arrived(message: BotMessage) -> None:
        if message.chat_id >= FIRST_CHAT and not message.edited:
            arrivals.append(time.perf_counter())

    fake.on_message = arrived
    settings = Settings(  # type: ignore[call-arg]
        DEPUTYBOT_DATABASE_URL=url,
        DEPUTYBOT_TELEGRAM_API_URL=fake.root,
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        _env_file=None,
    )
    application = build_application(settings, token=fake.token)
    latencies: list[float] = []
    async with polling(application, poll_timeout=1):
        services = application.bot_data.services
        async with services.deps.sessions.begin() as session:
            now = services.deps.clock.now()
            for chat in chats:
                text = f"📋 每日待办（测试，{chat}）"
                outbox.send(session, now, chat_id=chat, text=text, bulk=True)
        services.outbox.kick()
        began = time.perf_counter()
        while len(arrivals) < count and time.perf_counter() - began < count / 5:
            mark = fake.mark()
            sent = time.perf_counter()
            fake.send_text(deputy, f"小区门口的路灯坏了（第{len(latencies) + 1}次）")
            await fake.wait_for(deputy, lambda m: "诉求预览" in m.text, timeout=60, after=mark)
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(0.5)
        if len(arrivals) < count:
            await fake.wait_for(FIRST_CHAT + count - 1, timeout=1.0 + count / 5)
    await fake.stop()
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
    rate = (len(arrivals) - 1) / span if span else float("nan")
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan")
    print(f"\nfan-out of {count:,} bulk messages: {len(arrivals):,} delivered in {span:.1f} s")
    share = rate / LIMIT
    print(f"  rate {rate:.1f} msg/s = {share:.2f} of the {LIMIT:.0f} msg/s limit (target >= 0.95)")
    print(
        f"  a deputy's preview card meanwhile: {len(latencies)} concerns, median"
        f" {statistics.median(latencies):.2f} s, p95 {p95:.2f} s (target p95 <= 1 s)"
    )
