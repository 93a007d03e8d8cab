"""Fault bench: real `deputybot run` processes against the local Bot API, under faults.

Usage: python bench/faults.py [--backend sqlite|postgresql|both] [--rounds 6] [--per-round 50]
                              [--outage 60] [--only kills,outages,startup,instances,poison]
                              [--pg-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Each scenario gets a fresh database (a temporary SQLite file, or the `deputybot_faults`
PostgreSQL database, created if missing and wiped per scenario), a fresh emulator in this
process and 20 deputies with one handler per department. Printed per scenario: concerns and
presses sent, concerns lost, presses lost, duplicate items, updates handled twice, messages
sent twice (each one listed), chats left stalled, and how long the queues took to drain.

- kills: bursts of concerns and 提交 presses; the bot is killed with SIGKILL at a random moment
  of every round and started again at once.
- outages: for `--outage` seconds the Bot API answers 401, 404 or 502 to everything, refuses
  connections, answers sendMessage 25 s late (after the bot's 20 s read timeout: may deliver
  twice), 8 s late (within it), or takes 4 s per sendMessage with two instances; deputies keep
  writing.
- startup: Telegram unreachable at start-up, a 401 at start-up, a poller that cannot fetch.
- instances: two processes on PostgreSQL, one emulator; the poller is killed twice.
- poison: forged and out-of-range buttons, NUL / lone-surrogate / invisible text, a card the
  user deleted, an administrator's card over 4,096 characters, a stranger guessing 300 invite
  codes, a user who blocked the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bench.fault_scenarios import (  # noqa: E402
    Row,
    Stage,
    instances,
    kills,
    outages,
    poison,
    startup,
)

SCENARIOS: dict[str, Callable[[Stage, argparse.Namespace], Awaitable[list[Row]]]] = {
    "kills": kills,
    "outages": outages,
    "startup": startup,
    "instances": instances,
    "poison": poison,
}
PG_DATABASE = "deputybot_faults"


async def database_for(backend: str, pg_url: str, workdir: Path, name: str) -> str:
    """Return an empty database URL for one scenario."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    admin = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": PG_DATABASE}
        )
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    await admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + f"/{PG_DATABASE}"
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return url


def print_table(title: str, rows: list[Row]) -> None:
    """Print rows of one scenario as an aligned table."""
    print(f"\n## {title}")
    if not rows:
        print("(nothing measured)")
        return
    keys = [k for k in rows[0] if k != "notes"]
    widths = {k: max(_width(k), *(_width(str(r.get(k, ""))) for r in rows)) for k in keys}
    print(" | ".join(_pad(k, widths[k]) for k in keys))
    print("-+-".join("-" * widths[k] for k in keys))
    for row in rows:
        print(" | ".join(_pad(str(row.get(k, "")), widths[k]) for k in keys))
    notes = dict.fromkeys(
        line for row in rows for line in str(row.get("notes") or "").split("\n") if line
    )
    for line in notes:
        print(f"  note: {line}")


def _width(text: str) -> int:
    """Return how many columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    """Pad a text to a terminal width."""
    return text + " " * (width - _width(text))


async def main() -> int:
    """Run the chosen scenarios on the chosen backends and print what happened."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=50)
    parser.add_argument("--outage", type=float, default=60.0)
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    random.seed(args.seed)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    chosen = [name for name in args.only.split(",") if name]
    workdir = Path(tempfile.mkdtemp(prefix="deputybot-faults-"))
    print(f"fault bench: logs and SQLite files in {workdir}")
    started = time.monotonic()
    for backend in backends:
        for name in chosen:
            if name == "instances" and backend == "sqlite":
                continue
            url = await database_for(backend, args.pg_url, workdir, name)
            stage = Stage(backend=backend, url=url, workdir=workdir / f"{backend}-{name}")
            stage.workdir.mkdir(parents=True, exist_ok=True)
            try:
                rows = await SCENARIOS[name](stage, args)
            finally:
                await stage.close()
            print_table(f"{name} on {backend}", rows)
    print(f"\nbench finished in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
