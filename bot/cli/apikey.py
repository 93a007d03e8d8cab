"""`deputybot apikey create|list|revoke`: keys other systems use to file Open311 requests."""

from __future__ import annotations

import argparse
import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.db.engine import create_engine, session_factory
from bot.db.migrate import require_current, upgrade
from bot.db.models import ApiKey
from bot.services.open311 import hash_key
from bot.settings import Settings


def add_commands(subparsers: argparse._SubParsersAction[Any], settings: Settings) -> None:
    """Register `apikey create --name NAME`, `apikey list` and `apikey revoke ID`."""
    keys = subparsers.add_parser("apikey", help="API keys for Open311 POST requests")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key; it is printed once, stored hashed")
    create.add_argument("--name", required=True, help="the system the key is for")
    create.set_defaults(func=lambda args: asyncio.run(run_create(settings, args.name)))
    listing = actions.add_parser("list", help="print the keys (never the keys themselves)")
    listing.set_defaults(func=lambda args: asyncio.run(run_list(settings)))
    revoke = actions.add_parser("revoke", help="stop a key from working")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=lambda args: asyncio.run(run_revoke(settings, args.id)))


async def run_create(settings: Settings, name: str) -> int:
    """Store a new key's hash and print the key."""
    name = name.strip()[:64]
    if not name:
        print("apikey create: --name must not be empty")
        return 2
    key = secrets.token_urlsafe(24)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with session_factory(engine).begin() as session:
            row = ApiKey(name=name, key_hash=hash_key(key), created_at=datetime.now(UTC))
            session.add(row)
            await session.flush()
            number = row.id
    finally:
        await engine.dispose()
    print(f"API key {number} for {name} (shown only now; give it to that system):\n{key}")
    return 0


async def run_list(settings: Settings) -> int:
    """Print every key's number, name and state."""
    engine = create_engine(settings.database_url)
    try:
        await require_current(engine)
        async with session_factory(engine)() as session:
            rows = list((await session.execute(select(ApiKey).order_by(ApiKey.id))).scalars())
    finally:
        await engine.dispose()
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        print(f"{row.id}\t{row.name}\tcreated {row.created_at:%Y-%m-%d}\t{state}")
    if not rows:
        print("no API keys")
    return 0


async def run_revoke(settings: Settings, number: int) -> int:
    """Revoke a key by its number."""
    engine = create_engine(settings.database_url)
    try:
        await require_current(engine)
        async with session_factory(engine).begin() as session:
            row = await session.get(ApiKey, number)
            if row is None:
                print(f"no API key {number}")
                return 1
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
    finally:
        await engine.dispose()
    print(f"API key {number} ({row.name}) revoked")
    return 0
