"""Fast at any size: everyday operations with 1k, 100k and 1M items of history, side by side.

Usage: python bench/scale.py [--sizes 1000 100000 1000000] [--url postgresql+asyncpg://...]
                             [--fanout 1000] [--skip-fanout]

Each size gets a fresh database with N items of history spread over two years (each with five
events and two delivered messages: 1M items = 5M events, 2M outbox rows) and the same recent
month of work on top (2,000 items, 20 in triage, 20 messages due, open items with live cards).
Every operation is timed as the median of five runs after a warm-up, and the table prints each
time at each size and the ratio largest / smallest (target: <= 2).

Then, on a fresh database, the real bot (PTB Application, polling the local Bot API in this
process) drains `--fanout` daily digests at Telegram's rate limit while a deputy sends a
concern every half second: printed are the fan-out rate against the 30 msg/s limit (target
>= 0.95) and the time from each concern to its preview card (target p95 <= 1 s).
Without --url it uses temporary SQLite files; with a PostgreSQL URL it wipes that database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.scale_seed import NOW, Live, seed  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.domain.rules import Action  # noqa: E402
from bot.services.acting import Act  # noqa: E402
from bot.services.summary import compute_summary  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402

RUNS = 5
OPERATIONS = (
    "claim due messages",
    "acknowledge (retire others' cards)",
    "admin /mine",
    "handler /mine",
    "/triage",
    "a deputy's text (draft)",
    "reminder sweep",
    "month's summary",
)


async def timed(step: Callable[[], Awaitable[object]]) -> float:
    """Return the median seconds of RUNS runs after one warm-up run."""
    await step()
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        await step()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def _measure(services: Services, live: Live) -> dict[str, float]:
    """Time every everyday operation once the database is seeded."""
    admin = await services.actors.resolve(live.admin)
    handler = await services.actors.resolve(live.handler)
    deputy = await services.actors.resolve(live.deputy)
    acks = iter(live.routed)
    texts = iter(range(10_000_000, 10_000_100))
    month = NOW - timedelta(days=30)

    async def acknowledge() -> None:
        item_id = next(acks)
        await services.acting(Act(Action.ACKNOWLEDGE, item_id, handler, live.handler, 1))

    async def concern() -> None:
        message_id = next(texts)
        await services.intake.receive(
            deputy, chat_id=live.deputy, message_id=message_id, text="小区门口的路灯坏了一个月"
        )

    steps: dict[str, Callable[[], Awaitable[object]]] = {
        "claim due messages": lambda: services.deliveries.candidates(20),
        "acknowledge (retire others' cards)": acknowledge,
        "admin /mine": lambda: services.queries.mine(admin, chat_id=live.admin),
        "handler /mine": lambda: services.queries.mine(handler, chat_id=live.handler),
        "/triage": lambda: services.queries.triage(admin, chat_id=live.admin),
        "a deputy's text (draft)": concern,
        "reminder sweep": lambda: services.reminders.sweep(NOW),
        "month's summary": lambda: compute_summary(
            services.deps.sessions, start=month, end=NOW, now=NOW, tz=services.deps.tz
        ),
    }
    return {name: await timed(step) for name, step in steps.items()}


@asynccontextmanager
async def seeded(size: int, url: str | None, folder: Path) -> AsyncIterator[tuple[Services, Live]]:
    """Yield services on a fresh database seeded with `size` items of history, then close it."""
    database = url or f"sqlite+aiosqlite:///{folder / f'scale-{size}.db'}"
    settings = Settings(  # type: ignore[call-arg]
        DEPUTYBOT_DATABASE_URL=database, DEPUTYBOT_ADMIN_IDS="900", _env_file=None
    )
    if url:
        await _wipe(url)
    services = await build_services(settings, ManualClock(NOW))
    try:
        began = time.perf_counter()
        live = await seed(services, size)
        print(f"  seeded {size:>9,} items in {time.perf_counter() - began:6.1f} s", flush=True)
        yield services, live
    finally:
        await services.engine.dispose()


async def _one_size(size: int, url: str | None, folder: Path) -> dict[str, float]:
    """Seed a database of `size` items of history and time the operations on it."""
    async with seeded(size, url, folder) as (services, live):
        return await _measure(services, live)


async def _wipe(url: str) -> None:
    """Empty a PostgreSQL database."""
    from bot.db.engine import create_engine

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def print_table(
    sizes: list[int],
    results: list[dict[str, float]],
    operations: tuple[str, ...] = OPERATIONS,
    target: float = 2.0,
    untargeted: frozenset[str] = frozenset(),
) -> None:
    """Print milliseconds per operation per size and the ratio largest / smallest."""
    head = "operation".ljust(38) + "".join(f"{s:>12,}" for s in sizes) + "     ratio"
    print("\n" + head)
    for name in operations:
        times = [r[name] * 1000 for r in results]
        cells = "".join(f"{t:>10.1f}ms" for t in times)
        ratio = times[-1] / times[0] if times[0] else float("nan")
        mark = "" if ratio <= target or name in untargeted else f"   (over {target:g})"
        print(f"{name:<38}{cells}{ratio:>10.2f}{mark}")


async def main() -> None:
    """Measure every size, then the fan-out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--url", help="PostgreSQL URL (default: temporary SQLite files)")
    parser.add_argument("--fanout", type=int, default=1000)
    parser.add_argument("--skip-fanout", action="store_true")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.url else "SQLite"
    print(f"{backend}: everyday operations at each size", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results = []
        for size in args.sizes:
            results.append(await _one_size(size, args.url, Path(folder)))
        print_table(args.sizes, results)
        if not args.skip_fanout:
            from bench.scale_fanout import fan_out

            if args.url:
                await _wipe(args.url)
            url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
            await fan_out(url, args.fanout)


if __name__ == "__main__":
    asyncio.run(main())
