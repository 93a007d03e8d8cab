"""The `export` command: the ledger, events, summary and deputies' records as an .xlsx file."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot import texts
from bot.cli.summary import day
from bot.clock import Clock, SystemClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.desk.excel import write_workbook
from bot.desk.ledger import EVERYTHING, LedgerFilter
from bot.services.summary import compute_summary
from bot.services.summary_text import Names
from bot.settings import Settings
from classifier.loader import load_config

WALL = SystemClock()


def add_commands(subparsers: argparse._SubParsersAction[Any], settings: Settings) -> None:
    """Register `export --from DATE --to DATE [--department CODE] FILE.xlsx`."""
    export = subparsers.add_parser(
        "export", help="write the items received between two local dates to an Excel workbook"
    )
    export.add_argument("--from", dest="first", required=True, type=day, help="YYYY-MM-DD")
    export.add_argument("--to", dest="last", required=True, type=day, help="YYYY-MM-DD, included")
    export.add_argument("--department", metavar="CODE", help="only this department's items")
    export.add_argument("file", type=Path, metavar="FILE.xlsx")
    export.set_defaults(func=lambda args: asyncio.run(run_export(settings, args)))


async def run_export(settings: Settings, args: argparse.Namespace, clock: Clock = WALL) -> int:
    """Write the workbook of [--from, --to]; one line and exit code 2 on a bad argument."""
    first: date = args.first
    last: date = args.last
    if last < first:
        print(texts.SUMMARY_BAD_PERIOD)
        return 2
    config = load_config(settings.routing)  # names only: no classifier to build
    codes = [d.code for d in config.departments]
    if args.department is not None and args.department not in codes:
        print(texts.EXPORT_BAD_DEPARTMENT.format(code=args.department, codes="、".join(codes)))
        return 2
    tz = settings.tz
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    now = clock.now()
    target: Path = args.file
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        partial.touch()  # refuse an unwritable place before any work
    except OSError as exc:
        print(texts.EXPORT_CANNOT_WRITE.format(file=target, reason=exc.strerror or exc))
        return 2
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        summary = await compute_summary(sessions, start=start, end=end, now=now, tz=tz)
        flt = LedgerFilter(start=start, end=end, department=args.department)
        async with sessions() as session:
            written = await write_workbook(
                session, partial, flt=flt, scope=EVERYTHING, summary=summary,
                names=Names.from_config(config), now=now, tz=tz,
            )  # fmt: skip
        partial.replace(target)  # a workbook appears whole or not at all
    finally:
        partial.unlink(missing_ok=True)
        await engine.dispose()
    print(
        texts.EXPORT_DONE.format(
            items=written.items, events=written.events, deputies=written.deputies, file=target
        )
    )
    return 0
