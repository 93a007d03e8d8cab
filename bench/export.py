"""The Excel export in bounded memory: peak memory and time at 10k and 500k items.

Usage: python bench/export.py [--sizes 10000 500000] [--url postgresql+asyncpg://...]

Each size gets a fresh database seeded as bench/scale.py seeds it (N items of history over two
years, five events each, and the same recent month of work on top). Then a fresh child process
runs `deputybot export` over the whole span (the ledger, every event, the summary and the
deputies' records); its peak RSS (VmHWM), its time and the workbook's size are
printed per size, with the ratio of the peaks largest / smallest (target: near 1 — memory does
not grow with the history).
Without --url it uses temporary SQLite files; with a PostgreSQL URL it wipes that database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import _wipe  # noqa: E402
from bench.scale_seed import NOW, seed  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402

FIRST, LAST = "2024-11-01", "2026-12-31"  # the whole seeded span


def _settings(url: str) -> Settings:
    """Return settings for a database."""
    return Settings(  # type: ignore[call-arg]
        DEPUTYBOT_DATABASE_URL=url, DEPUTYBOT_ADMIN_IDS="900", _env_file=None
    )


async def _seed(url: str, size: int) -> float:
    """Seed a fresh database with `size` items of history; return the seconds it took."""
    if url.startswith("postgresql"):
        await _wipe(url)
    services = await build_services(_settings(url), ManualClock(NOW))
    began = time.perf_counter()
    try:
        await seed(services, size)
    finally:
        await services.engine.dispose()
    if url.startswith("sqlite"):  # as a database at rest: the bulk load's WAL folded in
        with sqlite3.connect(url.split("///", 1)[1]) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - began


# The child runs the command and then reports its own high-water mark: VmHWM belongs to the
# process image after exec (ru_maxrss would also count the big parent it was forked from).
CHILD = """
import re, sys
from bot.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
print("VmHWM", re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1), file=sys.stderr)
sys.exit(code)
"""


def _measure(url: str, target: Path) -> dict[str, float]:
    """Run `deputybot export` in a child process; return its seconds and peak RSS (MB)."""
    command = [sys.executable, "-c", CHILD, "export", "--from", FIRST, "--to", LAST, str(target)]
    env = {**os.environ, "DEPUTYBOT_DATABASE_URL": url}
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=7200)
    seconds = time.perf_counter() - began
    print("   ", done.stdout.strip(), flush=True)
    if done.returncode != 0:
        raise SystemExit(f"export failed: {done.stderr[-2000:]}")
    peak = next(line for line in done.stderr.splitlines() if line.startswith("VmHWM"))
    return {"seconds": seconds, "rss": int(peak.split()[1]) / 1024}


def main() -> None:
    """Seed each size, export it in a child process, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 500_000])
    parser.add_argument("--url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="deputybot-export-"))
    print(f"export bench: files in {folder}; {os.cpu_count()} CPUs", flush=True)
    rows = []
    for size in args.sizes:
        url = args.url or f"sqlite+aiosqlite:///{folder / f'export-{size}.db'}"
        seeded = asyncio.run(_seed(url, size))
        print(f"  {size:>9,} items of history seeded in {seeded:.0f} s", flush=True)
        target = folder / f"export-{size}.xlsx"
        figures = _measure(url, target)
        rows.append((size, figures, target.stat().st_size / 1e6))
    print(f"\n{'history':>9} | {'export (s)':>10} | {'peak RSS (MB)':>13} | {'workbook (MB)':>13}")
    for size, figures, megabytes in rows:
        print(
            f"{size:>9,} | {figures['seconds']:>10.1f} | {figures['rss']:>13.0f} | "
            f"{megabytes:>13.1f}"
        )
    first, last = rows[0], rows[-1]
    ratio = last[1]["rss"] / first[1]["rss"]
    print(f"\npeak RSS ratio {last[0]:,} / {first[0]:,} items of history: {ratio:.2f}")


if __name__ == "__main__":
    main()
