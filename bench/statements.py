"""CPU of one SQL statement and of one short transaction through SQLAlchemy's async engine.

Usage: python bench/statements.py [--url postgresql+asyncpg://...] [--count 2000]

A floor for bench/footprint.py's CPU per text: a deputy's text costs about 28 statements in
9 transactions (the inbox, the draft and its event, the outbox, the reply marked sent), and
each costs at least what is printed here on the same engine the bot uses (deputybot's own
engine settings, bot.db.engine). Prints process CPU (not wall time) per operation:
a SELECT inside an open transaction, a transaction holding one INSERT (begin, insert, commit),
and what those add up to for 28 statements in 9 transactions. Without --url it uses a
temporary SQLite file; with a PostgreSQL URL it creates and drops its own table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bot.db.engine import create_engine, session_factory  # noqa: E402

TABLE = "bench_statement_cost"
STATEMENTS, TRANSACTIONS = 28, 9  # a deputy's text (a cursor-execute listener over 50 texts)


async def measure(url: str, count: int) -> tuple[float, float]:
    """Return CPU ms of a SELECT in a transaction, and of a one-INSERT transaction."""
    engine = create_engine(url)
    made = session_factory(engine)
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        await connection.execute(text(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, v TEXT)"))
    try:
        start = time.process_time()
        async with made() as session:
            for n in range(count):
                (await session.execute(text("SELECT :n"), {"n": str(n)})).all()
        select_ms = (time.process_time() - start) / count * 1000
        start = time.process_time()
        for n in range(count // 4):
            async with made.begin() as session:
                await session.execute(
                    text(f"INSERT INTO {TABLE} (id, v) VALUES (:n, 'x')"), {"n": n}
                )
        insert_ms = (time.process_time() - start) / (count // 4) * 1000
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        await engine.dispose()
    return select_ms, insert_ms


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        select_ms, insert_ms = asyncio.run(measure(url, args.count))
    floor = (STATEMENTS - TRANSACTIONS) * select_ms + TRANSACTIONS * insert_ms
    print(f"engine: {url.split(':')[0]}, {args.count} statements")
    print(f"SELECT inside a transaction:        {select_ms:.3f} ms CPU")
    print(f"transaction with one INSERT:        {insert_ms:.3f} ms CPU")
    print(f"{STATEMENTS} statements in {TRANSACTIONS} transactions: {floor:.1f} ms CPU (a floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
