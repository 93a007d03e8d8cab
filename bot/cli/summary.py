"""The `summary` command: the pilot summary of a period, as text, JSON or a PNG chart."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot import texts
from bot.clock import SystemClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.services.summary import compute_summary
from bot.services.summary_text import Names, render_text, to_json
from bot.settings import Settings
from classifier import load


def add_commands(subparsers: argparse._SubParsersAction[Any], settings: Settings) -> None:
    """Register `summary --from DATE --to DATE [--json] [--png FILE]`."""
    summary = subparsers.add_parser(
        "summary", help="summarize the items submitted between two local dates (inclusive)"
    )
    summary.add_argument("--from", dest="first", required=True, type=day, help="YYYY-MM-DD")
    summary.add_argument("--to", dest="last", required=True, type=day, help="YYYY-MM-DD, included")
    summary.add_argument("--json", action="store_true", help="print JSON instead of text")
    summary.add_argument("--png", type=Path, metavar="FILE", help="also write a chart")
    summary.set_defaults(func=lambda args: asyncio.run(run_summary(settings, args)))


def day(value: str) -> date:
    """Parse a YYYY-MM-DD date for argparse."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


async def run_summary(settings: Settings, args: argparse.Namespace) -> int:
    """Compute the summary of [--from, --to] in local days and print or draw it."""
    first: date = args.first
    last: date = args.last
    if last < first:
        print(texts.SUMMARY_BAD_PERIOD)
        return 2
    tz = settings.tz
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    names = Names.from_config(load(settings.routing).config)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        summary = await compute_summary(
            session_factory(engine), start=start, end=end, now=SystemClock().now(), tz=tz
        )
    finally:
        await engine.dispose()
    if args.json:
        print(json.dumps(to_json(summary), ensure_ascii=False, indent=2))
    else:
        print(render_text(summary, names))
    if args.png is not None:
        from bot.services.chart import render_chart

        args.png.write_bytes(render_chart(summary, names))
    return 0
