"""Two bot instances on one database: every reminder, digest and message goes out once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from telegram import Bot

from bot.clock import ManualClock
from bot.context import Services
from bot.db.models import Item, Member, OutboxMessage, Reminder
from bot.fake_telegram import FakeTelegram
from bot.runtime.sender import OutboxSender
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from bot.wiring import build_services, run_due_jobs

CST = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 7, 10, 0, tzinfo=CST)
ITEMS = 120
HANDLERS = (201, 202, 203)
ADMIN = 900


async def seed(services: Services) -> None:
    """Store three handlers, a deputy, last week's closed item and items overdue now."""
    async with services.deps.sessions.begin() as session:
        deputy = Member(
            telegram_id=101,
            role="deputy",
            name="张三",
            level="县",
            district="K8县",
            joined_at=START,
            invite_code="seed-d",
        )
        session.add(deputy)
        for telegram_id in HANDLERS:
            session.add(
                Member(
                    telegram_id=telegram_id,
                    role="handler",
                    name=f"承办{telegram_id}",
                    department="housing",
                    joined_at=START,
                    invite_code=f"seed-{telegram_id}",
                )
            )
        await session.flush()
        last_week = START - timedelta(days=6)
        session.add(
            Item(
                tracking_no="261201-0000",
                status="closed",
                deputy_id=deputy.id,
                source_chat_id=101,
                source_message_id=0,
                text="上周已办结的诉求",
                topic="urban_rural",
                department="housing",
                created_at=last_week,
                submitted_at=last_week,
                closed_at=last_week + timedelta(days=1),
            )
        )
        for n in range(ITEMS):
            session.add(
                Item(
                    tracking_no=f"261207-{n + 1:04d}",
                    status="routed",
                    deputy_id=deputy.id,
                    source_chat_id=101,
                    source_message_id=n + 1,
                    text=f"路灯坏了 第{n + 1}处",
                    topic="urban_rural",
                    department="housing",
                    created_at=START,
                    submitted_at=START,
                    routed_at=START,
                    ack_due_at=START + timedelta(hours=24),
                    answer_due_at=START + timedelta(days=7),
                    next_reminder_at=START + timedelta(hours=24),
                )
            )


async def test_two_instances_send_everything_exactly_once(
    database_url: str, routing: RoutingHolder
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    for chat in (101, ADMIN, *HANDLERS):
        telegram.add_user(chat, f"用户{chat}")
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=database_url,  # type: ignore[call-arg]
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        _env_file=None,
    )
    # Wednesday 09:30: acknowledgement overdue and escalated, daily digests and the weekly
    # summary due; nothing is in quiet hours.
    clock = ManualClock(START + timedelta(days=2, minutes=-30))
    first = await build_services(settings, clock, routing)
    await seed(first)
    second = await build_services(settings, clock, routing)
    root = telegram.root
    try:
        async with Bot(
            telegram.token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot"
        ) as bot:
            issued = await asyncio.gather(run_due_jobs(first), run_due_jobs(second))
            await asyncio.gather(
                OutboxSender(bot, first.outbox, first.deliveries).drain(),
                OutboxSender(bot, second.outbox, second.deliveries).drain(),
            )
        async with first.deps.sessions() as session:
            reminders = await session.scalar(select(func.count()).select_from(Reminder))
            rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
            unsent = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
    finally:
        await first.engine.dispose()
        await second.engine.dispose()
        await telegram.stop()

    assert reminders == ITEMS * 2  # 签收超时催办 and the escalation to the admins
    assert sum(issued) == ITEMS * 2 + len(HANDLERS) + 1  # + daily digests + weekly summary
    assert unsent == 0
    delivered = [(m.chat_id, m.text or "", m.photo) for m in telegram.messages]
    assert len(delivered) == rows
    duplicates = [key for key, count in Counter(delivered).items() if count > 1]
    assert duplicates == []
    for handler in HANDLERS:
        texts = [text for chat, text, _ in delivered if chat == handler]
        assert sum("已超过签收时限" in text for text in texts) == ITEMS
        assert sum("每日待办" in text for text in texts) == 1
    admin = [(text, photo) for chat, text, photo in delivered if chat == ADMIN]
    assert sum("超时未签收" in text for text, _ in admin) == ITEMS
    assert sum(photo for _, photo in admin) == 1
