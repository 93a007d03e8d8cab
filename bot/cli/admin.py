"""Administrator commands that work on the database without the bot running."""

from __future__ import annotations

import argparse
import asyncio

import httpx

from bot import texts
from bot.clock import SystemClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.services.errors import Refused
from bot.services.invites import Invites, InviteView
from bot.services.routing import routing_holder
from bot.settings import Settings


def add_commands(subparsers: argparse._SubParsersAction, settings: Settings) -> None:  # type: ignore[type-arg]
    """Register `invite` and `migrate`."""
    invite = subparsers.add_parser("invite", help="create a one-time invite code")
    roles = invite.add_subparsers(dest="role", required=True)
    deputy = roles.add_parser("deputy", help="invite a deputy")
    deputy.add_argument("--name", required=True)
    deputy.add_argument("--level", required=True, help="全国/省/市/县/乡")
    deputy.add_argument("--district", required=True)
    handler = roles.add_parser("handler", help="invite a department handler")
    handler.add_argument("--department", required=True, help="department code from routing.toml")
    handler.add_argument("--name", required=True)
    supervisor = roles.add_parser("supervisor", help="invite a department head (gets 督办)")
    supervisor.add_argument("--department", required=True, help="department code from routing.toml")
    supervisor.add_argument("--name", required=True)
    invite.set_defaults(func=lambda args: asyncio.run(_invite(settings, args)))
    migrate = subparsers.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(func=lambda args: asyncio.run(_migrate(settings)))


async def _migrate(settings: Settings) -> int:
    """Apply pending migrations."""
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    await engine.dispose()
    print("数据库已是最新结构。")
    return 0


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    """Create an invite and print its code and deep link."""
    departments = routing_holder(
        settings.routing, settings.tz, hotline=settings.hotline_configured
    ).current.departments
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    invites = Invites(session_factory(engine), SystemClock(), lambda: departments)
    try:
        view = await _create(invites, args)
    except Refused as refusal:
        print(refusal.text)
        return 1
    finally:
        await engine.dispose()
    username = settings.bot_username or await _bot_username(settings)
    link = f"https://t.me/{username or '<bot username>'}?start={view.code}"
    expires = view.expires_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    print(
        texts.INVITE_CREATED.format(
            code=view.code, who=view.description, expires=expires, link=link
        )
    )
    return 0


async def _create(invites: Invites, args: argparse.Namespace) -> InviteView:
    """Create the invite the arguments describe."""
    if args.role == "deputy":
        return await invites.create_deputy(
            name=args.name, level=args.level, district=args.district, by="cli"
        )
    return await invites.create_handler(
        department=args.department, name=args.name, by="cli", role=args.role
    )


async def _bot_username(settings: Settings) -> str | None:
    """Ask the Bot API for the bot's username; None when offline."""
    if not settings.token:
        return None
    url = f"{settings.telegram_api_url}/bot{settings.token}/getMe"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url)
        username = response.json().get("result", {}).get("username")
    except (httpx.HTTPError, ValueError):
        return None
    return str(username) if username else None
