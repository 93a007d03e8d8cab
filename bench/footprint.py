"""Footprint of `deputybot run` next to a bare python-telegram-bot echo bot, in one run.

Usage: python bench/footprint.py [--backend sqlite|postgresql|both] [--texts 300] [--rate 0]
                                 [--starts 3] [--idle 6] [--handlers 1000] [--items 3000]
                                 [--pg-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

The local Bot API emulator (bot.fake_telegram) runs in this process, one instance per bot.
Two kinds of child process poll it: (a) a bare PTB echo bot (an Application with one
MessageHandler that sends the text back; its source is ECHO_BOT below) and (b) the real
`python -m bot run` on a migrated database with 20 deputies seeded (tests/e2e/procs.py).
For each, measured the same way:

- start-up: from just before the process is spawned to its first getUpdates call at the
  emulator (median of `--starts` starts, one process running at a time; the last start is
  the one measured below);
- idle RSS: VmRSS of /proc/<pid>/status after `--idle` seconds of nothing to do, and the CPU
  those seconds took (for the deputybot they include its first sweep of reminders and
  digests, 5 s after start-up, and the one-off gc.freeze of bot/runtime/runner.py at 3 s);
- CPU per text: utime+stime of /proc/<pid>/stat (all threads) before the first of `--texts`
  texts (round robin over 20 users; all at once, or `--rate` a second) and once every reply
  has arrived (the echo, or the deputybot's 诉求预览 card), divided by the number of texts.

Then, in this process, the daily digest: 1,000 handlers (`--handlers`) over the routing file's
departments and `--items` open items, `Digests.daily_due(09:30)` timed until it returns, and
the time until the first digest message is committed to the outbox (another connection polls
it every 5 ms). Every figure is printed for both bots with the ratio deputybot / echo and the
target; the exit code is 0 when every target is met. The PostgreSQL database `bench_footprint`
is created if missing and its `public` schema wiped.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.db.models import Item, Member, OutboxMessage  # noqa: E402
from bot.fake_telegram import FakeTelegram  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402
from classifier import load  # noqa: E402
from tests.e2e.procs import ADMIN, CONCERNS, ROUTING, BotProcess, bot_env, seed  # noqa: E402

PG_DATABASE = "bench_footprint"
USERS = 20
FIRST_USER = 100001
PREVIEW = "📋 诉求预览"
TZ = ZoneInfo("Asia/Shanghai")
DIGEST_NOW = datetime(2026, 12, 16, 9, 30, tzinfo=TZ)  # a Wednesday, after 09:00
TICK = os.sysconf("SC_CLK_TCK")

# The reference: the smallest PTB bot that answers every text, polling like any PTB bot.
ECHO_BOT = """
import os
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await context.bot.send_message(message.chat_id, message.text)

root = os.environ["ECHO_API_ROOT"]
application = (
    Application.builder()
    .token(os.environ["TELEGRAM_BOT_TOKEN"])
    .base_url(root + "/bot")
    .base_file_url(root + "/file/bot")
    .build()
)
application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
application.run_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)
"""


# --- the processes --------------------------------------------------------------------------


@dataclass
class EchoProcess:
    """The echo bot as a child process, with the interface of tests.e2e.procs.BotProcess."""

    env: dict[str, str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    _log: IO[bytes] | None = None

    async def start(self) -> None:
        """Start the process (appending to its log)."""
        if self._log is None:
            self._log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", ECHO_BOT, cwd=str(self.log_path.parent), env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip

    async def stop(self, timeout: float = 30.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM the process and wait for it."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode

    def close(self) -> None:
        """Close the log file."""
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        """Return what the process wrote."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


Process = EchoProcess | BotProcess


def rss_mb(pid: int) -> float:
    """Return the resident set size of a process in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time of a process so far, all its threads."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


def pid_of(process: Process) -> int:
    """Return the pid of a started process."""
    assert process.process is not None
    return process.process.pid


async def first_call(fake: FakeTelegram, method: str, since: int, timeout: float) -> float:  # noqa: ASYNC109
    """Return the monotonic time at which `method` is first called after call number `since`."""
    deadline = time.monotonic() + timeout
    cursor = since
    while time.monotonic() < deadline:
        calls = fake.calls
        for index in range(cursor, len(calls)):
            if calls[index][0].lower() == method.lower():
                return time.monotonic()
        cursor = len(calls)
        await asyncio.sleep(0.002)
    raise TimeoutError(f"no {method} within {timeout} s")


async def start_timed(fake: FakeTelegram, process: Process) -> float:
    """Start a process; return the seconds from spawning it to its first getUpdates."""
    since = len(fake.calls)
    began = time.monotonic()
    await process.start()
    try:
        return await first_call(fake, "getUpdates", since, 60) - began
    except TimeoutError:
        print(process.log()[-3000:], file=sys.stderr)
        raise


@dataclass
class Bot:
    """One bot under test: its emulator, its process and how to recognise its replies."""

    label: str
    fake: FakeTelegram
    process: Process
    is_reply: Callable[[Any], bool]
    starts: list[float] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)


async def send_texts(bot: Bot, count: int, rate: float) -> None:
    """Send `count` texts round robin over the users, at `rate` a second (0: all at once)."""
    began = time.monotonic()
    for n in range(count):
        user = FIRST_USER + n % USERS
        bot.fake.send_text(user, f"{CONCERNS[n % len(CONCERNS)]}（第{n + 1}件）")
        if rate > 0:
            await asyncio.sleep(max(0.0, began + (n + 1) / rate - time.monotonic()))


async def wait_replies(bot: Bot, after: int, count: int, timeout: float) -> None:  # noqa: ASYNC109
    """Wait until the bot has sent `count` replies after message number `after`."""
    deadline = time.monotonic() + timeout
    seen, cursor = 0, after
    while seen < count:
        messages = bot.fake.messages
        seen += sum(1 for m in messages[cursor:] if bot.is_reply(m))
        cursor = len(messages)
        if time.monotonic() > deadline:
            raise TimeoutError(f"{bot.label}: {seen} of {count} replies within {timeout} s")
        await asyncio.sleep(0.005)


async def measure(bot: Bot, args: argparse.Namespace) -> None:
    """Measure a started bot: CPU and RSS while idle, then the CPU its replies to texts take."""
    pid = pid_of(bot.process)
    idle_cpu = cpu_seconds(pid)
    await asyncio.sleep(args.idle)
    bot.figures["idle_cpu"] = (cpu_seconds(pid) - idle_cpu) / args.idle * 1000
    bot.figures["rss"] = rss_mb(pid)
    mark = len(bot.fake.messages)
    before = cpu_seconds(pid)
    began = time.monotonic()
    await send_texts(bot, args.texts, args.rate)
    await wait_replies(bot, mark, args.texts, timeout=300)
    elapsed = time.monotonic() - began
    await asyncio.sleep(0.3)  # the reply's bookkeeping (the deputybot marks its row sent)
    bot.figures["cpu"] = (cpu_seconds(pid) - before) / args.texts * 1000
    bot.figures["busy"] = elapsed
    bot.figures["rss_after"] = rss_mb(pid)


async def run_bots(bots: list[Bot], args: argparse.Namespace) -> None:
    """Start every bot `--starts` times in turn, alone; measure each after its last start."""
    for round_ in range(args.starts):
        for bot in bots:
            bot.starts.append(await start_timed(bot.fake, bot.process))
            if round_ == args.starts - 1:
                await measure(bot, args)
            await bot.process.stop()
    for bot in bots:
        bot.figures["startup"] = statistics.median(bot.starts)


# --- databases -------------------------------------------------------------------------------


async def fresh_database(backend: str, pg_url: str, workdir: Path, name: str) -> str:
    """Return the URL of an empty database: a new SQLite file, or `bench_footprint` wiped."""
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


# --- the daily digest -----------------------------------------------------------------------


def _open_item(n: int, department: str, deputy_id: int) -> dict[str, Any]:
    """Describe one open item: routed or acknowledged, some overdue, some urgent."""
    submitted = DIGEST_NOW - timedelta(hours=1 + (n * 7) % 200)
    routed = n % 2 == 0
    return {
        "tracking_no": f"261216-{n + 1:05d}", "status": "routed" if routed else "acknowledged",
        "deputy_id": deputy_id, "source_chat_id": FIRST_USER, "source_message_id": n + 1,
        "text": CONCERNS[n % len(CONCERNS)], "topic": None, "department": department,
        "confidence": 1.0, "matched": [], "abstained": False, "created_at": submitted,
        "submitted_at": submitted, "routed_at": submitted,
        "acknowledged_at": None if routed else submitted + timedelta(hours=2),
        "ack_due_at": submitted + timedelta(hours=24),
        "answer_due_at": submitted + timedelta(days=5), "reopen_count": 0,
        "urgent": n % 7 == 0, "extension_used": False, "next_reminder_at": None,
    }  # fmt: skip


async def digest(url: str, handlers: int, items: int) -> dict[str, float]:
    """Seed handlers and open items, then time daily_due and the first digest queued."""
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=url,  # type: ignore[call-arg]
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        DEPUTYBOT_ROUTING=str(ROUTING),
        _env_file=None,
    )
    services = await build_services(settings, ManualClock(DIGEST_NOW))
    departments = [d.code for d in load(ROUTING).config.departments]
    joined = DIGEST_NOW - timedelta(days=30)
    async with services.engine.begin() as connection:
        await connection.execute(
            insert(Member),
            [{"telegram_id": FIRST_USER, "role": "deputy", "name": "代表", "level": "县",
              "district": "K8县", "department": None, "joined_at": joined,
              "invite_code": "bench-d"}]
            + [{"telegram_id": 300001 + n, "role": "handler", "name": f"承办{n + 1}",
                "level": None, "district": None, "department": departments[n % len(departments)],
                "joined_at": joined, "invite_code": f"bench-h{n}"} for n in range(handlers)],
        )  # fmt: skip
        deputy_id = int(
            await connection.scalar(select(Member.id).where(Member.telegram_id == FIRST_USER)) or 0
        )
        await connection.execute(
            insert(Item),
            [_open_item(n, departments[n % len(departments)], deputy_id) for n in range(items)],
        )
    watcher = create_async_engine(url)  # plain reads: never waits for the digest's write lock
    began = time.perf_counter()
    first: list[float] = []

    async def watch() -> None:
        query = select(func.count()).select_from(OutboxMessage)
        while True:
            async with watcher.connect() as connection:
                if await connection.scalar(query):
                    first.append(time.perf_counter() - began)
                    return
            await asyncio.sleep(0.005)

    watching = asyncio.create_task(watch())
    issued = await services.digests.daily_due(DIGEST_NOW)
    built = time.perf_counter() - began
    await asyncio.wait_for(watching, 30)
    again = await services.digests.daily_due(DIGEST_NOW)
    await watcher.dispose()
    await services.engine.dispose()
    if issued != handlers or again != 0:
        raise SystemExit(f"digest: {issued} sent (want {handlers}), then {again} (want 0)")
    return {"digest": built, "first_digest": first[0]}


# --- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One line of the table: how to print it and its target."""

    key: str
    name: str
    unit: str
    target: str
    met: Callable[[float, float | None], bool]
    digits: int = 2


FIGURES = (
    Figure("startup", "start-up to first getUpdates", "s", "deputybot <= 1.5 s",
           lambda v, _: v <= 1.5),
    Figure("rss", "idle RSS", "MB", "deputybot <= 150 MB", lambda v, _: v <= 150, 0),
    Figure("cpu", "CPU per text message", "ms", "ratio <= 3",
           lambda v, echo: echo is not None and v / echo <= 3),
    Figure("idle_cpu", "CPU while idle after start-up", "ms/s", "-", lambda v, _: True),
    Figure("rss_after", "RSS after the texts", "MB", "-", lambda v, _: True, 0),
    Figure("busy", "texts sent until last reply", "s", "-", lambda v, _: True),
    Figure("digest", "daily digest, all handlers", "s", "<= 2 s", lambda v, _: v <= 2),
    Figure("first_digest", "first digest message queued", "s", "-", lambda v, _: True),
)  # fmt: skip


def width(value: str) -> int:
    """Return how many columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value)


def print_table(echo: dict[str, float], columns: dict[str, dict[str, float]]) -> bool:
    """Print every figure for the echo bot and each deputybot run; return whether all met."""
    header = ["figure", "echo bot"]
    for name in columns:
        header += [f"deputybot {name}", "ratio"]
    header.append("target")
    rows = [header]
    ok = True
    for figure in FIGURES:
        reference = echo.get(figure.key)
        row = [f"{figure.name} ({figure.unit})"]
        row.append("-" if reference is None else f"{reference:.{figure.digits}f}")
        for figures in columns.values():
            value = figures.get(figure.key)
            if value is None:
                row += ["-", "-"]
                continue
            met = figure.met(value, reference)
            ok = ok and met
            mark = "" if figure.target == "-" else (" ok" if met else " MISSED")
            row.append(f"{value:.{figure.digits}f}{mark}")
            row.append(f"{value / reference:.1f}x" if reference else "-")
        row.append(figure.target)
        rows.append(row)
    widths = [max(width(r[i]) for r in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print(" | ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)))
        if index == 0:
            print("-+-".join("-" * w for w in widths))
    return ok


# --- main -----------------------------------------------------------------------------------


def echo_env(fake: FakeTelegram) -> dict[str, str]:
    """Return the environment of the echo bot."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPUTYBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, ECHO_API_ROOT=fake.root, PYTHONUNBUFFERED="1")
    return env


async def echo_bot(workdir: Path) -> Bot:
    """Start an emulator for the echo bot, with its users."""
    fake = FakeTelegram()
    await fake.start()
    for n in range(USERS):
        fake.add_user(FIRST_USER + n, f"用户{n + 1}")
    process = EchoProcess(echo_env(fake), workdir / "echo.log")
    return Bot("echo", fake, process, lambda m: not m.photo and bool(m.history))


async def deputy_bot(url: str, workdir: Path, backend: str) -> Bot:
    """Start an emulator for the deputybot and seed its database with 20 deputies."""
    fake = FakeTelegram()
    await fake.start()
    await seed(url, fake, deputies=USERS)
    process = BotProcess(backend, bot_env(fake, url), workdir / f"deputybot-{backend}.log")
    return Bot(
        backend,
        fake,
        process,
        lambda m: bool(m.history) and m.history[0].startswith(PREVIEW),
    )


async def main() -> int:
    """Measure both bots and the digest, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--rate", type=float, default=0.0, help="texts a second (0: at once)")
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--idle", type=float, default=6.0)
    parser.add_argument("--handlers", type=int, default=1000)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    # As installed: byte-code compiled (pip compiles site-packages; an editable checkout is
    # compiled here once, since PYTHONDONTWRITEBYTECODE may keep Python from caching it).
    for package in ("bot", "handlers", "classifier", "migrations"):
        compileall.compile_dir(ROOT / package, quiet=1)
    workdir = Path(tempfile.mkdtemp(prefix="deputybot-footprint-"))
    print(f"footprint bench: logs and SQLite files in {workdir}; {os.cpu_count()} CPUs")
    echo = await echo_bot(workdir)
    bots = [echo]
    urls = {}
    for backend in backends:
        urls[backend] = await fresh_database(backend, args.pg_url, workdir, "bot")
        bots.append(await deputy_bot(urls[backend], workdir, backend))
    try:
        await run_bots(bots, args)
    finally:
        for bot in bots:
            await bot.process.stop()
            bot.process.close()
            await bot.fake.stop()
    columns = {bot.label: bot.figures for bot in bots[1:]}
    for bot in bots:
        starts = ", ".join(f"{s:.2f}" for s in bot.starts)
        print(f"{bot.label}: start-up times {starts} s")
    for backend in backends:
        url = await fresh_database(backend, args.pg_url, workdir, "digest")
        columns[backend].update(await digest(url, args.handlers, args.items))
    print()
    ok = print_table(echo.figures, columns)
    print(
        f"\n{args.texts} texts {f'at {args.rate:g}/s' if args.rate else 'at once'} from {USERS}"
        f" users; idle {args.idle:g} s;"
        f" digest: {args.handlers} handlers, {args.items} open items"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
