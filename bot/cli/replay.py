"""Feed stored items to `check-config --replay`, and corrections to `learn --from-db`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from bot.db.engine import create_engine, session_factory
from bot.db.migrate import require_current
from bot.db.models import Item
from bot.services.corrections import examples_since
from bot.settings import Settings
from classifier.dataset import Sample


def stored_items(settings: Settings) -> Iterable[tuple[str, str, str]]:
    """Return (tracking number, title, text) of every submitted item."""
    return asyncio.run(_load(settings))


async def _load(settings: Settings) -> list[tuple[str, str, str]]:
    """Read the submitted items from the database."""
    engine = create_engine(settings.database_url)
    try:
        await require_current(engine)
        async with session_factory(engine)() as session:
            query = select(Item.tracking_no, Item.text).where(Item.tracking_no.is_not(None))
            rows = (await session.execute(query.order_by(Item.id))).all()
            return [(str(no), "", text) for no, text in rows]
    finally:
        await engine.dispose()


def stored_corrections(settings: Settings, since: str | None) -> list[Sample]:
    """Return the corrections people made (since a date) as labelled samples."""
    return asyncio.run(_corrections(settings, since))


async def _corrections(settings: Settings, since: str | None) -> list[Sample]:
    """Read the corrections from the database."""
    start = None
    if since:
        day = date.fromisoformat(since)
        start = datetime(day.year, day.month, day.day, tzinfo=settings.tz)
    engine = create_engine(settings.database_url)
    try:
        await require_current(engine)
        async with session_factory(engine)() as session:
            rows = await examples_since(session, start)
    finally:
        await engine.dispose()
    return [Sample("", text, topic) for text, topic, _ in rows]
