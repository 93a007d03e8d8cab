"""Show that the summary's memory follows the period, not the table, in one run.

Usage: python bench/summary_data.py [--sizes 100000 1000000] [--period 5000] [--url URL]
Seeds a fixed week of `--period` items, then grows the rest of the table to each size in turn
(items spread over the years before, most with acknowledged/answered/rated events) and times
compute_summary on the week at each size, printing peak Python memory (tracemalloc) and the
ratio largest / smallest (the target is about 1.0). Without --url it uses a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot.db.engine import create_engine, session_factory  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Item, ItemEvent, Member  # noqa: E402
from bot.services.summary import compute_summary  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
WEEK_START = datetime(2026, 12, 7, tzinfo=TZ).astimezone(UTC)
WEEK_END = WEEK_START + timedelta(days=7)
TOPICS = [("urban_rural", "housing"), ("environment", "ecology"), ("transport", "transport")]
STATUSES = ["closed"] * 6 + ["acknowledged"] * 2 + ["routed", "triage"]
DISTRICTS = ["岳麓区", "雨花区", "天心区", "开福区", "芙蓉区"]
BATCH = 5000


def rows(first_id: int, count: int, start: datetime, span: timedelta, rng: random.Random) -> Any:
    """Yield (item, events) dicts for `count` items submitted in [start, start + span)."""
    for offset in range(count):
        item_id = first_id + offset
        submitted = start + span * rng.random()
        topic, department = rng.choice(TOPICS)
        status = rng.choice(STATUSES)
        item = {
            "id": item_id, "tracking_no": f"B{item_id:09d}", "status": status,
            "deputy_id": 1 + item_id % len(DISTRICTS), "source_chat_id": 1,
            "source_message_id": item_id, "text": "bench", "topic": topic,
            "department": department, "confidence": 1.0, "matched": [], "abstained": False,
            "created_at": submitted, "submitted_at": submitted, "routed_at": submitted,
            "ack_due_at": submitted + timedelta(hours=24),
            "answer_due_at": submitted + timedelta(days=5), "reopen_count": 0,
            "urgent": False, "extension_used": False,
        }  # fmt: skip
        events: list[tuple[str, datetime, str | None]] = []
        if status in ("closed", "acknowledged"):
            events.append(("acknowledged", submitted + timedelta(hours=rng.uniform(0.5, 30)), None))
        if status == "closed":
            events.append(("answered", submitted + timedelta(hours=rng.uniform(31, 150)), "ok"))
            events.append(
                ("rated", submitted + timedelta(days=7), rng.choice(["满意", "基本满意"]))
            )
        yield (
            item,
            [
                {"item_id": item_id, "at": at, "kind": kind, "actor_role": "handler", "note": note}
                for kind, at, note in events
            ],
        )


async def seed(engine: AsyncEngine, first_id: int, count: int, start: datetime, days: int) -> None:
    """Insert items and their events in batches."""
    rng = random.Random(first_id)
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    generated = rows(first_id, count, start, timedelta(days=days), rng)
    for index, (item, item_events) in enumerate(generated, 1):
        items.append(item)
        events.extend(item_events)
        if len(items) == BATCH or index == count:
            async with engine.begin() as connection:
                await connection.execute(insert(Item), items)
                if events:
                    await connection.execute(insert(ItemEvent), events)
            items, events = [], []


async def measure(engine: AsyncEngine) -> tuple[float, int, int]:
    """Summarize the week; return seconds, peak traced bytes and the count received."""
    sessions = session_factory(engine)
    tracemalloc.start()
    began = time.perf_counter()
    summary = await compute_summary(
        sessions, start=WEEK_START, end=WEEK_END, now=WEEK_END + timedelta(days=1), tz=TZ
    )
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, summary.received


async def main(sizes: list[int], period: int, url: str | None) -> None:
    """Seed, grow and measure."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                insert(Member),
                [
                    {"id": i + 1, "telegram_id": i + 1, "role": "deputy", "name": f"d{i}",
                     "level": "市", "district": d, "joined_at": WEEK_START, "invite_code": "x"}
                    for i, d in enumerate(DISTRICTS)
                ],
            )  # fmt: skip
        await seed(engine, 1, period, WEEK_START - timedelta(days=7), 14)
        stored, peaks = period, []
        for size in sorted(sizes):
            began = time.perf_counter()
            await seed(engine, stored + 1, size - stored, WEEK_START - timedelta(days=1000), 986)
            stored = size
            seeded = time.perf_counter() - began
            await measure(engine)  # warm the caches
            seconds, peak, received = await measure(engine)
            peaks.append(peak)
            print(
                f"table {size:>9,} items (seeded in {seeded:5.1f}s): week of {received:,} items "
                f"summarized in {seconds:6.3f}s, peak Python memory {peak / 1e6:6.2f} MB"
            )
        print(f"peak memory ratio largest / smallest table: {peaks[-1] / peaks[0]:.2f}")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--period", type=int, default=5000, help="items in the measured week")
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    options = parser.parse_args()
    asyncio.run(main(options.sizes, options.period, options.url))
