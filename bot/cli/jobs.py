"""`deputybot jobs run-once`: run every sweep and digest due at a moment, deliver, exit."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from bot.settings import Settings


def add_commands(subparsers: argparse._SubParsersAction, settings: Settings) -> None:  # type: ignore[type-arg]
    """Register `jobs run-once`."""
    jobs = subparsers.add_parser("jobs", help="scheduled jobs")
    actions = jobs.add_subparsers(dest="action", required=True)
    once = actions.add_parser("run-once", help="run what is due now (or at --now), then exit")
    once.add_argument(
        "--now", type=_moment, help="ISO time with offset, e.g. 2026-12-01T09:00:00+08:00"
    )
    once.set_defaults(func=lambda args: asyncio.run(run_once(settings, args.now)))


def _moment(text: str) -> datetime:
    """Parse an ISO moment that names its offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the offset, e.g. +08:00")
    return moment


async def run_once(settings: Settings, now: datetime | None) -> int:
    """Queue what is due, deliver it through the configured Bot API, report, exit."""
    # Imported here: the Bot API client and every service are not needed by other commands.
    from telegram import Bot

    from bot.clock import ManualClock, SystemClock
    from bot.runtime.sender import OutboxSender
    from bot.wiring import build_services, run_due_jobs

    if not settings.token:
        print("deputybot: jobs run-once needs TELEGRAM_BOT_TOKEN to deliver", file=sys.stderr)
        return 2
    clock = ManualClock(now) if now else SystemClock()
    services = await build_services(settings, clock)
    try:
        queued = await run_due_jobs(services)
        api = settings.telegram_api_url
        async with Bot(
            settings.token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot"
        ) as bot:
            await OutboxSender(bot, services.outbox, services.deliveries).drain()
        waiting = await services.outbox.pending_count()
    finally:
        await services.engine.dispose()
    print(f"已生成 {queued} 条提醒/摘要；发件箱待发送 {waiting} 条（含静默时段顺延的消息）。")
    return 0
