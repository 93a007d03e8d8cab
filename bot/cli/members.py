"""`deputybot members list|revoke`: who is bound, and revoking a binding from the server."""

from __future__ import annotations

import argparse
import asyncio
import unicodedata
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import texts
from bot.clock import SystemClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import require_current, upgrade
from bot.services.acting import Acting
from bot.services.base import ServiceDeps
from bot.services.errors import Refused
from bot.services.members import CLI, MemberRecord, Members
from bot.services.outbox import Outbox
from bot.services.routing import routing_holder
from bot.settings import Settings


def add_commands(subparsers: argparse._SubParsersAction[Any], settings: Settings) -> None:
    """Register `members list [--all]` and `members revoke ID`."""
    members = subparsers.add_parser("members", help="list bound members, or revoke a binding")
    actions = members.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="print the bound members")
    listing.add_argument("--all", action="store_true", help="include revoked members")
    listing.set_defaults(func=lambda args: asyncio.run(run_list(settings, everyone=args.all)))
    revoke = actions.add_parser(
        "revoke", help="revoke a binding; open items go back to the department"
    )
    revoke.add_argument("id", type=int, help="the member's id, as `members list` prints it")
    revoke.set_defaults(func=lambda args: asyncio.run(run_revoke(settings, args.id)))


@asynccontextmanager
async def _members(settings: Settings, *, migrate: bool) -> AsyncIterator[Members]:
    """Build the members service (migrating first if asked; else refusing an old schema)."""
    holder = routing_holder(settings.routing, settings.tz, hotline=settings.hotline_configured)
    engine = create_engine(settings.database_url)
    try:
        await (upgrade(engine) if migrate else require_current(engine))
        sessions = session_factory(engine)
        clock = SystemClock()
        outbox = Outbox(sessions, clock)
        deps = ServiceDeps(sessions, clock, holder, settings.admin_ids, outbox, settings.tz)
        yield Members(deps, Acting(deps))
    finally:
        await engine.dispose()


async def run_list(settings: Settings, *, everyone: bool) -> int:
    """Print the members as a table."""
    async with _members(settings, migrate=False) as members:
        rows = await members.list(by=CLI, include_revoked=everyone)
    print(render_table(rows, settings.tz))
    return 0


async def run_revoke(settings: Settings, member_id: int) -> int:
    """Revoke one member; the running bot delivers the messages it queued."""
    async with _members(settings, migrate=True) as members:
        try:
            result = await members.revoke(member_id, by=CLI)
        except Refused as refusal:
            print(refusal.text)
            return 1
    print(result.report())
    print(texts.REVOKE_QUEUED)
    return 0


def render_table(rows: Sequence[MemberRecord], tz: ZoneInfo) -> str:
    """Lay the members out in aligned columns (Chinese characters count double)."""
    if not rows:
        return texts.MEMBERS_EMPTY
    table = [list(texts.MEMBERS_COLUMNS)]
    for row in rows:
        if row.role == "deputy":
            place = texts.MEMBER_PLACE_DEPUTY.format(level=row.level, district=row.district)
        else:
            place = row.department or ""
        revoked = (
            texts.MEMBERS_REVOKED_AT.format(at=_at(row.revoked_at, tz), by=row.revoked_by)
            if row.revoked_at
            else texts.MEMBERS_NOT_REVOKED
        )
        role = texts.ROLES.get(row.role, row.role)
        table.append([str(row.id), role, row.name, place, _at(row.joined_at, tz), revoked])
    widths = [max(_width(line[n]) for line in table) for n in range(len(table[0]))]
    return "\n".join(
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in table
    )


def _at(moment: datetime | None, tz: ZoneInfo) -> str:
    """Format a moment in local time."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _width(text: str) -> int:
    """Return how many terminal columns a text takes."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
