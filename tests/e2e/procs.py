"""Real `deputybot run` processes against the local Bot API, and deputies to keep them busy.

Shared by the fault tests (tests/e2e/test_faults.py) and the fault bench (bench/faults.py):
the emulator runs in the caller's event loop, the bots are child processes that can be
killed with SIGKILL at any moment and started again on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import InboxUpdate, Item, ItemEvent, Member, OutboxMessage
from bot.fake_telegram import BotMessage, FakeTelegram
from classifier import load

ROOT = Path(__file__).resolve().parents[2]
ROUTING = ROOT / "config" / "routing.toml"
ADMIN = 900001
CONCERNS = (
    "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修",
    "我们小区的物业公司长期不作为，楼道垃圾没人清理，电梯三天两头坏",
    "村口河道有工厂偷排污水，河水发黑发臭",
    "公交车站牌被撞坏了，下雨天候车没有地方躲雨",
    "孩子上学的小学门口早晚高峰交通拥堵，希望增派交警",
    "用人单位拖欠农民工工资三个月，多次讨要无果",
    "菜市场有商贩缺斤短两，消费者投诉无门",
    "社区卫生服务中心医生太少，老人看病排队一上午",
    "农村低保评定不公开，希望核查",
    "老旧小区自来水水压太低，高层住户用不上水",
)


@dataclass
class BotProcess:
    """One `python -m bot run` child process, restartable, logging to a file."""

    label: str
    env: dict[str, str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    kills: int = 0
    _log: IO[bytes] | None = None

    async def start(self) -> None:
        """Start the process (appending to its log)."""
        if self._log is None:
            self._log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=str(ROOT),
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.starts += 1

    @property
    def running(self) -> bool:
        """Return whether the process is alive."""
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL the process (no clean-up of any kind) and reap it."""
        if self.process is None or not self.running:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self, timeout: float = 30.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM the process and wait for its exit code (SIGKILL after `timeout`)."""
        if self.process is None:
            return None
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                await self.kill()
        return self.process.returncode

    async def wait_exit(self, timeout: float) -> int | None:  # noqa: ASYNC109
        """Wait for the process to exit by itself; None if it is still running."""
        if self.process is None:
            return None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        """Close the log file."""
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        """Return what the process wrote."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def bot_env(fake: FakeTelegram, database_url: str, **extra: str) -> dict[str, str]:
    """Return the environment of a bot process pointed at the emulator and a database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPUTYBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        DEPUTYBOT_TELEGRAM_API_URL=fake.root,
        DEPUTYBOT_DATABASE_URL=database_url,
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        DEPUTYBOT_ROUTING=str(ROUTING),
        DEPUTYBOT_HTTP_LISTEN="127.0.0.1:0",  # several processes at once: any free port
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


async def seed(
    database_url: str, fake: FakeTelegram, *, deputies: int, extra_housing: int | None = None
) -> list[int]:
    """Migrate, enrol deputies and one handler per department (two in housing); return deputies."""
    departments = [d.code for d in load(ROUTING).config.departments]
    engine = create_engine(database_url)
    await upgrade(engine)
    now = datetime.now(UTC)
    deputy_ids = [100001 + n for n in range(deputies)]
    async with session_factory(engine).begin() as session:
        for n, telegram_id in enumerate(deputy_ids):
            session.add(
                Member(
                    telegram_id=telegram_id, role="deputy", name=f"代表{n + 1}", level="县",
                    district="K8县", joined_at=now, invite_code=f"seed-d{n}",
                )
            )  # fmt: skip
        for n, department in enumerate(departments):
            session.add(
                Member(
                    telegram_id=200001 + n, role="handler", name=f"承办{n + 1}",
                    department=department, joined_at=now, invite_code=f"seed-h{n}",
                )
            )  # fmt: skip
        if extra_housing is not None:
            session.add(
                Member(
                    telegram_id=extra_housing, role="handler", name="承办甲", department="housing",
                    joined_at=now, invite_code="seed-hx",
                )
            )  # fmt: skip
            fake.add_user(extra_housing, "承办甲")
    await engine.dispose()
    fake.add_user(ADMIN, "管理员")
    for telegram_id in deputy_ids:
        fake.add_user(telegram_id, f"代表{telegram_id}")
    for n in range(len(departments)):
        fake.add_user(200001 + n, f"承办{n + 1}")
    return deputy_ids


@dataclass
class Crowd:
    """Deputies who send concerns and press 提交 on every preview they get."""

    fake: FakeTelegram
    deputies: list[int]
    sent: dict[tuple[int, int], str] = field(default_factory=dict)
    pressed: dict[int, tuple[int, int]] = field(default_factory=dict)
    _cursor: int = 0
    _count: int = 0

    def send(self, count: int) -> None:
        """Send `count` concerns, round robin over the deputies."""
        for _ in range(count):
            deputy = self.deputies[self._count % len(self.deputies)]
            text = f"{CONCERNS[self._count % len(CONCERNS)]}（第{self._count + 1}件）"
            message = self.fake.send_text(deputy, text)
            self.sent[deputy, int(message["message_id"])] = text
            self._count += 1

    def press_previews(self) -> int:
        """Press 提交 on every preview not pressed yet; return how many were pressed."""
        pressed = 0
        messages = self.fake.messages
        for message in messages[self._cursor :]:
            if not message.history or not message.history[0].startswith("📋 诉求预览"):
                continue
            data = submit_data(message)
            if data is None:
                continue
            item_id = int(data.split(":")[1])
            if item_id in self.pressed or message.deleted:
                continue
            self.fake.press(message.chat_id, message.message_id, data)
            self.pressed[item_id] = (message.chat_id, message.message_id)
            pressed += 1
        self._cursor = len(messages)
        return pressed

    async def keep_pressing(self, stop: asyncio.Event) -> None:
        """Press previews as they arrive until `stop` is set."""
        while not stop.is_set():
            self.press_previews()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.02)
        self.press_previews()


def submit_data(message: BotMessage) -> str | None:
    """Return the callback data of a preview's submit button (提交, or 交人工分拨 when unsure)."""
    for row in message.reply_markup or []:
        for button in row:
            data = str(button.get("callback_data") or "")
            if data.startswith("sub:"):
                return data
    return None


@dataclass
class Tally:
    """What a run left behind, counted in the database and at the emulator."""

    concerns: int
    presses: int
    concerns_lost: int
    presses_lost: int
    duplicate_items: int
    handled_twice: int
    sent_twice: int
    duplicates: list[tuple[int, str]]
    inbox_waiting: int
    inbox_failed: int
    outbox_due: int
    outbox_failed: int
    stalled_chats: int

    @property
    def clean(self) -> bool:
        """Return whether nothing was lost, doubled or stuck (messages sent twice aside)."""
        return not (
            self.concerns_lost
            or self.presses_lost
            or self.duplicate_items
            or self.handled_twice
            or self.inbox_waiting
            or self.stalled_chats
        )


async def tally(database_url: str, crowd: Crowd) -> Tally:
    """Count what was lost, done twice or left waiting."""
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        columns = (Item.source_chat_id, Item.source_message_id, Item.status, Item.id)
        items = (await session.execute(select(*columns))).all()
        events = Counter(
            (row.item_id, row.kind)
            for row in (await session.execute(select(ItemEvent.item_id, ItemEvent.kind))).all()
        )
        sent_rows = (
            await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.text).where(
                    OutboxMessage.status == "sent", OutboxMessage.op == "send"
                )
            )
        ).all()
        inbox = dict(
            (
                await session.execute(
                    select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status)
                )
            ).all()
        )
        due = (
            await session.execute(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= datetime.now(UTC),
                )
            )
        ).all()
        outbox_failed = await session.scalar(
            select(func.count()).where(OutboxMessage.status == "failed")
        )
    await engine.dispose()
    by_source = Counter((row.source_chat_id, row.source_message_id) for row in items)
    status = {row.id: row.status for row in items}
    delivered = Counter(
        (m.chat_id, m.history[0]) for m in crowd.fake.messages if not m.photo and m.history
    )
    recorded = Counter((row.chat_id, row.text) for row in sent_rows)
    extra = delivered - recorded
    created_twice = sum(1 for (_, kind), n in events.items() if kind == "created" and n > 1)
    submitted_twice = sum(1 for (_, kind), n in events.items() if kind == "submitted" and n > 1)
    return Tally(
        concerns=len(crowd.sent),
        presses=len(crowd.pressed),
        concerns_lost=sum(1 for key in crowd.sent if key not in by_source),
        presses_lost=sum(1 for item_id in crowd.pressed if status.get(item_id) == "draft"),
        duplicate_items=sum(n - 1 for n in by_source.values() if n > 1),
        handled_twice=created_twice + submitted_twice,
        sent_twice=sum(extra.values()),
        duplicates=sorted(extra.elements()),
        inbox_waiting=int(inbox.get("pending", 0)),
        inbox_failed=int(inbox.get("failed", 0)),
        outbox_due=len(due),
        outbox_failed=int(outbox_failed or 0),
        stalled_chats=len({row.chat_id for row in due}),
    )


async def wait_drained(database_url: str, crowd: Crowd, timeout: float) -> float | None:  # noqa: ASYNC109
    """Press previews until every concern is submitted and the queues are empty.

    Return the seconds it took, or None when `timeout` passed first.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < timeout:
        crowd.press_previews()
        counted = await tally(database_url, crowd)
        if (
            not counted.concerns_lost
            and not counted.presses_lost
            and len(crowd.pressed) >= len(crowd.sent)
            and not counted.inbox_waiting
            and not counted.outbox_due
        ):
            return loop.time() - started
        await asyncio.sleep(0.5)
    return None
