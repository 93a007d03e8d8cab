"""`deputybot health`: is a poller fetching, are the queues moving? Exit 0 when healthy."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.clock import SystemClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import require_current
from bot.services.health import Health, check
from bot.settings import Settings

EXIT_UNHEALTHY = 1


def add_commands(subparsers: argparse._SubParsersAction, settings: Settings) -> None:  # type: ignore[type-arg]
    """Register `health`."""
    health = subparsers.add_parser(
        "health", help="report poller, sender and queues; exit 1 when something is wrong"
    )
    health.add_argument("--json", action="store_true", help="print JSON")
    health.set_defaults(func=lambda args: asyncio.run(run_health(settings, as_json=args.json)))


async def run_health(settings: Settings, *, as_json: bool) -> int:
    """Read the heartbeats and queues (never migrating) and print the report."""
    engine = create_engine(settings.database_url)
    try:
        await require_current(engine)
        report = await check(session_factory(engine), SystemClock())
    finally:
        await engine.dispose()
    print(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else render(report))
    return 0 if report.ok else EXIT_UNHEALTHY


def render(report: Health) -> str:
    """Describe the report in a few lines for an operator."""
    lines = [
        f"instances alive: {report.instances}; "
        + (
            f"webhook mode (last update {_seconds(report.last_update_seconds)} ago)"
            if report.mode == "webhook"
            else f"poller: {report.poller or 'none'}"
            f" (last fetch {_seconds(report.last_poll_ok_seconds)} ago)"
        ),
        f"inbox: {report.inbox_pending} waiting (oldest {_seconds(report.inbox_oldest_seconds)}),"
        f" {report.inbox_failed} set aside",
        f"outbox: {report.outbox_pending} pending, {report.outbox_due} due"
        f" (oldest {_seconds(report.outbox_oldest_due_seconds)}), {report.outbox_failed} failed,"
        f" {report.held_chats} chats held",
        f"12345 platform: {report.hotline_pending} pending"
        f" (oldest due {_seconds(report.hotline_oldest_due_seconds)}),"
        f" {report.hotline_failed} refused and set aside",
    ]
    lines += [f"PROBLEM: {problem}" for problem in report.problems] or ["OK"]
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    """Format an age in seconds, or a dash."""
    return "-" if value is None else f"{value:.0f} s"
