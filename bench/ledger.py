"""The web desk's ledger (台账) stays fast: its pages at 1k and 1M items of history, side by side.

Usage: python bench/ledger.py [--sizes 1000 1000000] [--url postgresql+asyncpg://...]

Each size gets a fresh database seeded as bench/scale.py seeds it (N items of history over two
years with five events each, and the same recent month of work on top). Each page is read as
GET /desk/ledger reads it: the query string goes through the view's own filter (without a
period, the last 30 days), then ledger_page (or item_for) runs in the member's scope. The first
page is also fetched over HTTP through the FastAPI app with a signed-in cookie. Every operation
is timed as the median of five runs after a warm-up; the table prints each time at each size
and the ratio largest / smallest (target: <= 5). The all-time row shows why the default period
exists: its count reads every item ever received, so it grows with the history (no target).
Without --url it uses temporary SQLite files; with a PostgreSQL URL it wipes that database.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.scale import print_table, seeded, timed  # noqa: E402
from bench.scale_seed import NOW, RECENT, Live  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.desk.ledger import LedgerFilter, Scope, item_for, ledger_page, scope_of  # noqa: E402
from bot.desk.web.ledger_view import filter_of, ledger_router  # noqa: E402
from bot.desk.web.signin import COOKIE  # noqa: E402
from bot.services.actors import Actor  # noqa: E402
from bot.web.app import build_web_app  # noqa: E402

TARGET = 5.0
HTTP = "first page over HTTP (admin)"
ALL_TIME = "first page, all time (no target)"
OPERATIONS = (
    "first page (admin, last 30 days)",
    HTTP,
    "filtered page (housing, routed)",
    "handler's first page (department)",
    "text search page",
    "overdue only (open ones of any age)",
    "one item's page",
    ALL_TIME,
)
Step = Callable[[], Awaitable[object]]


def _page(services: Services, actor: Actor, query: dict[str, str]) -> Step:
    """Return a step reading the ledger page this query string asks for, as the actor."""
    flt = filter_of(query, NOW, services.deps.tz)
    return _read(services, flt, scope_of(actor))


def _read(services: Services, flt: LedgerFilter, scope: Scope) -> Step:
    """Return a step reading one ledger page with this filter in this scope."""

    async def step() -> object:
        async with services.deps.sessions() as session:
            return await ledger_page(session, flt, scope, NOW)

    return step


def _item(services: Services, actor: Actor, number: str) -> Step:
    """Return a step reading one item's page, its history included, as the actor."""

    async def step() -> object:
        async with services.deps.sessions() as session:
            found = await item_for(session, number, scope_of(actor), NOW)
        assert found is not None, number
        return found.events

    return step


async def _client(services: Services, telegram_id: int) -> httpx.AsyncClient:
    """Return an HTTP client on the desk's ledger routes, signed in as this person."""
    deps = services.deps
    router = ledger_router(
        services.desk, services.actors, deps.sessions, deps.clock, lambda: deps.config, deps.tz
    )
    opened = await services.desk.redeem(await services.desk.issue_link(telegram_id))
    assert opened is not None
    transport = httpx.ASGITransport(app=build_web_app([router]))
    return httpx.AsyncClient(
        transport=transport, base_url="http://desk.test", cookies={COOKIE: opened.cookie}
    )


def _fetch(client: httpx.AsyncClient, path: str) -> Step:
    """Return a step fetching a desk page, which must answer 200."""

    async def step() -> object:
        answer = await client.get(path)
        assert answer.status_code == 200, answer.status_code
        return answer

    return step


async def _measure(services: Services, live: Live, size: int) -> dict[str, float]:
    """Time every ledger page once the database is seeded."""
    admin = await services.actors.resolve(live.admin)
    handler = await services.actors.resolve(live.handler)
    searched = f"第{size + RECENT // 2}处"  # one item of the month
    async with await _client(services, live.admin) as client:
        steps: dict[str, Step] = {
            OPERATIONS[0]: _page(services, admin, {}),
            HTTP: _fetch(client, "/desk/ledger"),
            OPERATIONS[2]: _page(services, admin, {"department": "housing", "status": "routed"}),
            OPERATIONS[3]: _page(services, handler, {}),
            OPERATIONS[4]: _page(services, admin, {"search": searched}),
            OPERATIONS[5]: _page(services, admin, {"overdue": "1"}),
            OPERATIONS[6]: _item(services, admin, f"S{size // 2:09d}"),
            ALL_TIME: _read(services, LedgerFilter(), scope_of(admin)),
        }
        return {name: await timed(step) for name, step in steps.items()}


async def _one_size(size: int, url: str | None, folder: Path) -> dict[str, float]:
    """Seed a database of `size` items of history and time the ledger's pages on it."""
    async with seeded(size, url, folder) as (services, live):
        return await _measure(services, live, size)


async def main() -> None:
    """Measure every size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--url", help="PostgreSQL URL (default: temporary SQLite files)")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.url else "SQLite"
    print(f"{backend}: the desk's ledger pages at each size (target: ratio <= 5)", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results = [await _one_size(size, args.url, Path(folder)) for size in args.sizes]
    print_table(args.sizes, results, OPERATIONS, TARGET, frozenset({ALL_TIME}))


if __name__ == "__main__":
    asyncio.run(main())
