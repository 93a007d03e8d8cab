"""Time one reminder sweep and one weekly summary at 10,000 and 1,000,000 items, in one run.

Usage: python bench/sweep.py [--sizes 10000 1000000] [--due 20] [--url URL]
Each size gets a fresh database: items spread over the two years before the week measured,
1% of them open; in both sizes the same number (`--due`) of open items have a reminder due
now and the measured week holds the same number of new items, so any difference comes from the
size of the table. Prints seconds and peak Python memory (tracemalloc) of the sweep and of the
summary at each size, and the ratios largest / smallest (targets: sweep time <= 2, memory ~1).
Without --url it uses a temporary SQLite file per size.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.db.models import Item, Member  # noqa: E402
from bot.services.summary import compute_summary  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 14, 10, 0, tzinfo=TZ)
TIMED_ROUNDS = 3
WEEK = timedelta(days=7)
WEEK_ITEMS = 2000
BATCH = 20_000


def _item(n: int, submitted: datetime, *, open_: bool, due: datetime | None) -> dict[str, Any]:
    """Describe one item row: closed long ago, or open with its next reminder `due` or later."""
    closed = None if open_ else submitted + timedelta(days=3)
    reminder = due or (NOW + timedelta(days=2) if open_ else None)
    answer_due = submitted + timedelta(days=5)
    return {
        "tracking_no": f"B{n:09d}", "status": "acknowledged" if open_ else "closed",
        "deputy_id": 1, "source_chat_id": 1, "source_message_id": n, "text": "路灯坏了",
        "topic": "urban_rural", "department": "housing", "confidence": 1.0, "matched": [],
        "abstained": False, "created_at": submitted, "submitted_at": submitted,
        "routed_at": submitted, "acknowledged_at": submitted + timedelta(hours=2),
        "ack_due_at": submitted + timedelta(hours=24), "answer_due_at": answer_due,
        "closed_at": closed, "rating": None if open_ else "satisfied", "reopen_count": 0,
        "urgent": False, "extension_used": False, "next_reminder_at": reminder,
    }  # fmt: skip


def _rows(size: int, due: int) -> Any:
    """Yield the rows of a table of `size` items: 1% open, `due` of them due now."""
    open_every = 100
    history = size - WEEK_ITEMS
    for n in range(size):
        if n < history:
            submitted = NOW - WEEK - timedelta(days=730) * ((n + 1) / history)
        else:
            submitted = NOW - WEEK + WEEK * ((n - history) / WEEK_ITEMS)
        open_ = n % open_every == 0
        batch = (n // open_every) // due
        when = None
        if open_ and batch <= TIMED_ROUNDS + 1:
            when = _sweep_time(batch) - timedelta(minutes=1)
            submitted = NOW - timedelta(days=10)  # every due item owes the same reminders
        yield _item(n, submitted, open_=open_, due=when)


def _sweep_time(batch: int) -> datetime:
    """Return when the `batch`-th set of due items is swept (one set an hour)."""
    return NOW + timedelta(hours=batch)


async def _seconds(step: Callable[[], Awaitable[object]]) -> float:
    """Run one step untraced and return its wall-clock seconds."""
    began = time.perf_counter()
    await step()
    return time.perf_counter() - began


async def _peak_mb(step: Callable[[], Awaitable[object]]) -> float:
    """Run one step under tracemalloc and return its peak traced memory in MB."""
    tracemalloc.start()
    await step()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return peak


async def _one_size(
    size: int, due: int, url: str | None, folder: Path, name: str = "sweep"
) -> dict[str, float]:
    """Seed a database of `size` items and measure the sweep and the summary on it."""
    database = url or f"sqlite+aiosqlite:///{folder / f'{name}-{size}.db'}"
    settings = Settings(DEPUTYBOT_DATABASE_URL=database, DEPUTYBOT_ADMIN_IDS="900", _env_file=None)  # type: ignore[call-arg]
    services = await build_services(settings, ManualClock(NOW))
    if url:
        async with services.engine.begin() as connection:
            await connection.execute(
                text(
                    "TRUNCATE items, item_events, reminders, outbox, members"
                    " RESTART IDENTITY CASCADE"
                )
            )
    began = time.perf_counter()
    async with services.deps.sessions.begin() as session:
        session.add(
            Member(
                telegram_id=1,
                role="deputy",
                name="张三",
                level="县",
                district="K8县",
                joined_at=NOW,
                invite_code="bench",
            )
        )
        session.add(
            Member(
                telegram_id=2,
                role="handler",
                name="李四",
                department="housing",
                joined_at=NOW,
                invite_code="bench2",
            )
        )
    batch: list[dict[str, Any]] = []
    for row in _rows(size, due):
        batch.append(row)
        if len(batch) == BATCH:
            async with services.engine.begin() as connection:
                await connection.execute(insert(Item), batch)
            batch = []
    if batch:
        async with services.engine.begin() as connection:
            await connection.execute(insert(Item), batch)
    async with services.engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    print(f"  seeded {size:>9,} items in {time.perf_counter() - began:6.1f} s", flush=True)

    # Equal sets of items fall due an hour apart: a warm-up sweep, the median of three timed
    # sweeps, then one sweep under tracemalloc.
    def sweep_at(batch: int) -> Callable[[], Awaitable[object]]:
        return lambda: services.reminders.sweep(_sweep_time(batch))

    await sweep_at(0)()  # warm-up: first queries, caches
    timings = [await _seconds(sweep_at(batch)) for batch in range(1, TIMED_ROUNDS + 1)]
    peak = await _peak_mb(sweep_at(TIMED_ROUNDS + 1))
    sweep = (statistics.median(timings), peak)

    def summarise() -> Awaitable[object]:
        return compute_summary(services.deps.sessions, start=NOW - WEEK, end=NOW, now=NOW, tz=TZ)

    summary = (
        statistics.median([await _seconds(summarise) for _ in range(TIMED_ROUNDS)]),
        await _peak_mb(summarise),
    )
    await services.engine.dispose()
    print(f"  sweep   {sweep[0]:7.3f} s  peak {sweep[1]:6.2f} MB   ({due} items due, median of 3)")
    print(
        f"  summary {summary[0]:7.3f} s  peak {summary[1]:6.2f} MB   ({WEEK_ITEMS} items that week)"
    )
    return {
        "sweep_s": sweep[0],
        "sweep_mb": sweep[1],
        "summary_s": summary[0],
        "summary_mb": summary[1],
    }


async def main() -> None:
    """Measure every size in one run and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--due", type=int, default=20)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        print("warm-up run (not counted):", flush=True)
        await _one_size(args.sizes[0], args.due, args.url, Path(folder), name="warmup")
        for size in args.sizes:
            print(f"{size:,} items:", flush=True)
            results.append(await _one_size(size, args.due, args.url, Path(folder)))
    small, large = results[0], results[-1]
    print(
        f"sweep time ratio {args.sizes[-1]:,} / {args.sizes[0]:,}: "
        f"{large['sweep_s'] / small['sweep_s']:.2f} (target <= 2)"
    )
    print(f"sweep peak memory ratio: {large['sweep_mb'] / small['sweep_mb']:.2f} (target ~1)")
    print(f"summary time ratio: {large['summary_s'] / small['summary_s']:.2f}")
    print(f"summary peak memory ratio: {large['summary_mb'] / small['summary_mb']:.2f} (target ~1)")


if __name__ == "__main__":
    asyncio.run(main())
