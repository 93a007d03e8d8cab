"""Scenarios of the fault bench (bench/faults.py); each returns rows of what it measured."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.db.engine import create_engine, session_factory
from bot.db.models import InboxUpdate, Instance
from bot.fake_telegram import BotMessage, FakeTelegram
from tests.e2e.procs import (
    ADMIN,
    ROOT,
    BotProcess,
    Crowd,
    Tally,
    bot_env,
    seed,
    tally,
    wait_drained,
)

Row = dict[str, Any]
DRAIN_TIMEOUT = 240.0
HOUSING_EXTRA = 260001
STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"


@dataclass
class Stage:
    """The database, emulator, bot processes and deputies of one scenario."""

    backend: str
    url: str
    workdir: Path
    fake: FakeTelegram = field(default_factory=FakeTelegram)
    bots: list[BotProcess] = field(default_factory=list)
    crowd: Crowd | None = None
    emulating: bool = False

    async def start_emulator(self) -> None:
        """Start the emulator once."""
        if not self.emulating:
            await self.fake.start()
            self.emulating = True

    async def open(self, *, deputies: int = 20) -> Crowd:
        """Start the emulator and enrol the people."""
        await self.start_emulator()
        ids = await seed(self.url, self.fake, deputies=deputies, extra_housing=HOUSING_EXTRA)
        self.crowd = Crowd(self.fake, ids)
        return self.crowd

    def bot(self, label: str, **env: str) -> BotProcess:
        """Prepare a bot process (not started)."""
        process = BotProcess(
            label, bot_env(self.fake, self.url, **env), self.workdir / f"{label}.log"
        )
        self.bots.append(process)
        return process

    async def close(self) -> None:
        """Stop every process and the emulator."""
        for process in self.bots:
            await process.stop(timeout=20)
            process.close()
        with contextlib.suppress(RuntimeError):
            await self.fake.stop()


def counted(tallied: Tally, drained: float | None, **extra: Any) -> Row:
    """Turn a tally into a table row."""
    row: Row = {
        **extra,
        "concerns": tallied.concerns,
        "presses": tallied.presses,
        "concerns lost": tallied.concerns_lost,
        "presses lost": tallied.presses_lost,
        "dup items": tallied.duplicate_items,
        "handled twice": tallied.handled_twice,
        "sent twice": tallied.sent_twice,
        "stalled chats": tallied.stalled_chats,
        "failed rows": tallied.outbox_failed,
        "drain s": "timeout" if drained is None else f"{drained:.1f}",
    }
    notes = [f"sent twice: chat {chat}: {text[:60]!r}" for chat, text in tallied.duplicates]
    row["notes"] = "\n".join(notes)
    return row


async def kills(stage: Stage, args: argparse.Namespace) -> list[Row]:
    """Kill -9 the bot at a random moment of every burst; start it again at once."""
    crowd = await stage.open()
    bot = stage.bot("bot")
    await bot.start()
    stop = asyncio.Event()
    presser = asyncio.create_task(crowd.keep_pressing(stop))
    started = time.monotonic()
    for _ in range(args.rounds):
        sending = asyncio.create_task(_trickle(crowd, args.per_round, per_second=100))
        await asyncio.sleep(random.uniform(0.3, 2.0))
        await bot.kill()
        await bot.start()
        await sending
    burst = time.monotonic() - started
    drained = await wait_drained(stage.url, crowd, DRAIN_TIMEOUT)
    stop.set()
    await presser
    tallied = await tally(stage.url, crowd)
    return [counted(tallied, drained, kills=bot.kills, **{"burst s": f"{burst:.1f}"})]


async def _trickle(crowd: Crowd, count: int, *, per_second: float) -> None:
    """Send concerns at a steady rate."""
    for _ in range(count):
        crowd.send(1)
        await asyncio.sleep(1 / per_second)


OUTAGES: dict[str, Callable[[FakeTelegram, float], Any] | None] = {
    "401 Unauthorized": lambda fake, s: fake.error_phase(401, seconds=s),
    "404 Not Found": lambda fake, s: fake.error_phase(404, seconds=s),
    "502 Bad Gateway": lambda fake, s: fake.error_phase(502, seconds=s),
    "connection refused": None,
    "answers 25 s late": lambda fake, s: fake.late_answers("sendMessage", 25),
    "answers 8 s late": lambda fake, s: fake.late_answers("sendMessage", 8),
    "4 s per send, 2 instances": lambda fake, s: fake.slow_calls("sendMessage", 4),
}


async def outages(stage: Stage, args: argparse.Namespace) -> list[Row]:
    """Take the Bot API away in each way for `--outage` seconds while deputies write."""
    crowd = await stage.open()
    first = stage.bot("bot")
    await first.start()
    second: BotProcess | None = None
    stop = asyncio.Event()
    presser = asyncio.create_task(crowd.keep_pressing(stop))
    rows = []
    await asyncio.sleep(2)
    for name, start_fault in OUTAGES.items():
        if name.endswith("2 instances") and second is None:
            second = stage.bot("bot-2")
            await second.start()
            await asyncio.sleep(2)
        before = _admin_pages(stage.fake)
        crowd.send(20)
        if start_fault is None:
            await stage.fake.go_offline()
        else:
            start_fault(stage.fake, args.outage)
        await asyncio.sleep(args.outage / 2)
        crowd.send(20)
        await asyncio.sleep(args.outage / 2)
        if start_fault is None:
            await stage.fake.come_back()
        stage.fake.clear_faults()
        drained = await wait_drained(stage.url, crowd, DRAIN_TIMEOUT)
        tallied = await tally(stage.url, crowd)
        alive = first.running and (second is None or second.running)
        row = counted(tallied, drained, outage=name, **{"bot up": alive})
        row["admin pages"] = _admin_pages(stage.fake) - before
        rows.append(row)
    stop.set()
    await presser
    return _cumulative(rows)


def _cumulative(rows: list[Row]) -> list[Row]:
    """Say that the counts in outage rows are running totals."""
    for row in rows:
        row["outage"] = f"{row['outage']} (totals so far)"
    return rows


def _admin_pages(fake: FakeTelegram) -> int:
    """Count error pages the administrator received."""
    return sum("出错" in (m.history[0] if m.history else "") for m in fake.chat(ADMIN))


async def startup(stage: Stage, args: argparse.Namespace) -> list[Row]:
    """Start three processes at once on a fresh database; start with Telegram unreachable, with
    a rejected token, and with a poller that stalls."""
    rows = [await _three_at_once(stage)]
    crowd = await stage.open(deputies=2)
    await stage.fake.go_offline()
    unreachable = stage.bot("unreachable")
    await unreachable.start()
    await asyncio.sleep(10)
    still_up = unreachable.running
    await stage.fake.come_back()
    answered = await _help_latency(stage.fake, crowd.deputies[0], timeout=60)
    rows.append(
        {
            "case": "Telegram unreachable for 10 s at start-up",
            "outcome": f"process up: {still_up}; /help answered {answered} after it came back",
        }
    )
    await unreachable.stop()
    stage.fake.error_phase(401)
    rejected = stage.bot("rejected")
    await rejected.start()
    code = await rejected.wait_exit(30)
    stage.fake.clear_faults()
    log = rejected.log()
    lines = [line for line in log.splitlines() if "token" in line.lower()]
    rows.append(
        {
            "case": "401 at start-up",
            "outcome": f"exit code {code}; token in log: {stage.fake.token in log};"
            f" says: {lines[-1][-80:] if lines else '-'}",
        }
    )
    stalls = stage.bot("stall", DEPUTYBOT_POLL_STALL_SECONDS="30")
    await stalls.start()
    await asyncio.sleep(3)
    stage.fake.error_phase(502)
    started = time.monotonic()
    code = await stalls.wait_exit(120)
    stage.fake.clear_faults()
    rows.append(
        {
            "case": "getUpdates failing (502), stall limit 30 s",
            "outcome": f"exit code {code} after {time.monotonic() - started:.0f} s",
        }
    )
    return rows


async def _three_at_once(stage: Stage) -> Row:
    """Two `run` and one `invite` started together on a database never migrated."""
    await stage.start_emulator()
    bots = [stage.bot("fresh-a"), stage.bot("fresh-b")]
    invite = asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "invite", "deputy", "--name", "张三", "--level", "县",
        "--district", "K8县", cwd=str(ROOT), env=bots[0].env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    inviting, *_ = await asyncio.gather(invite, bots[0].start(), bots[1].start())
    output, _ = await asyncio.wait_for(inviting.communicate(), 60)
    await asyncio.sleep(3)
    up = [bot.running for bot in bots]
    for bot in bots:
        await bot.stop()
    engine = create_engine(stage.url)
    async with engine.connect() as connection:
        versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    await engine.dispose()
    made = "邀请码：" in output.decode()
    return {
        "case": "2 × run + invite at once, fresh database",
        "outcome": f"invite exit {inviting.returncode} (code printed: {made}); runs up: {up};"
        f" schema versions: {len(versions)}",
    }


async def _help_latency(fake: FakeTelegram, user: int, *, timeout: float) -> str:  # noqa: ASYNC109
    """Send /help and return how long the reply took."""
    mark = fake.mark()
    fake.send_text(user, "/help")
    started = time.monotonic()
    try:
        await fake.wait_for(user, lambda m: "可用功能" in m.text, timeout=timeout, after=mark)
    except TimeoutError:
        return "never"
    return f"in {time.monotonic() - started:.2f} s"


async def instances(stage: Stage, args: argparse.Namespace) -> list[Row]:
    """Two processes on one database and one emulator; kill the poller twice."""
    crowd = await stage.open()
    bots = [stage.bot("a"), stage.bot("b")]
    for bot in bots:
        await bot.start()
    await asyncio.sleep(3)
    stop = asyncio.Event()
    presser = asyncio.create_task(crowd.keep_pressing(stop))
    helper = crowd.deputies[-1]
    helps = 0
    takeovers = []
    for round_ in range(args.rounds):
        sending = asyncio.create_task(_trickle(crowd, args.per_round, per_second=100))
        for _ in range(15):
            stage.fake.send_text(helper, "/help")
            helps += 1
        if round_ in (1, 3):
            leader = await _leader(stage)
            victim = next((b for b in bots if b.process and b.process.pid == leader), bots[0])
            await victim.kill()
            takeovers.append(await _takeover(stage, crowd.deputies[0]))
            helps += 1
            await victim.start()
        await sending
    drained = await wait_drained(stage.url, crowd, DRAIN_TIMEOUT)
    stop.set()
    await presser
    tallied = await tally(stage.url, crowd)
    answers = sum(
        1
        for m in stage.fake.messages
        if m.chat_id in (helper, crowd.deputies[0]) and "人大代表可用功能" in m.history[0]
    )
    row = counted(tallied, drained, kills=sum(b.kills for b in bots))
    row["/help sent"], row["/help answered"] = helps, answers
    row["409 answered"] = stage.fake.conflicts
    row["after killing the poller: /help stored, answered"] = "; ".join(takeovers)
    return [row]


async def _takeover(stage: Stage, user: int) -> str:
    """Send /help right after the poller died: when was it stored, when answered."""
    mark = stage.fake.mark()
    stage.fake.send_text(user, "/help")
    update_id = stage.fake.last_update_id()
    started = time.monotonic()
    engine = create_engine(stage.url)
    stored = None
    while stored is None and time.monotonic() - started < 60:
        async with session_factory(engine)() as session:
            found = await session.get(InboxUpdate, update_id)
        if found is not None:
            stored = time.monotonic() - started
        else:
            await asyncio.sleep(0.05)
    await engine.dispose()
    await stage.fake.wait_for(user, lambda m: "可用功能" in m.text, timeout=60, after=mark)
    answered = time.monotonic() - started
    return f"{stored or 0:.2f} s, {answered:.2f} s"


async def _leader(stage: Stage) -> int | None:
    """Return the pid of the instance that polls, from the heartbeats."""
    engine = create_engine(stage.url)
    async with session_factory(engine)() as session:
        pid = await session.scalar(select(Instance.pid).where(Instance.polling.is_(True)))
    await engine.dispose()
    return int(pid) if pid is not None else None


async def poison(stage: Stage, args: argparse.Namespace) -> list[Row]:
    """Messages that used to crash a handler or stall a chat, one bot process."""
    crowd = await stage.open(deputies=2)
    fake = stage.fake
    bot = stage.bot("bot")
    await bot.start()
    deputy = crowd.deputies[0]
    rows: list[Row] = []
    preview = await _preview(fake, deputy, STREETLIGHT)
    for case, data in (("button data 'sub:²'", "sub:²"), ("button id 2^31+5", "sub:2147483653")):
        query = fake.press(deputy, preview.message_id, data)
        answer = await fake.wait_callback_answer(query, timeout=30)
        rows.append(await _row(fake, case, deputy, f"toast {answer.get('text')!r}"))
    for case, body in (
        ("text with NUL", "路灯坏了\x00"),
        ("text with a lone surrogate", "路灯坏了\ud800"),
        ("only invisible characters", "\u200b\u2060\u200b"),
    ):
        mark = fake.mark()
        fake.send_text(deputy, body)
        reply = await fake.wait_for(deputy, timeout=30, after=mark)
        rows.append(await _row(fake, case, deputy, f"reply {reply.text[:30]!r}"))
    rows.append(await _deleted_card(fake, deputy, preview))
    rows.append(await _long_card(fake, deputy))
    rows.append(await _stranger_flood(fake, deputy))
    rows.append(await _blocked(fake, crowd.deputies[1]))
    return rows


async def _row(fake: FakeTelegram, case: str, user: int, outcome: str) -> Row:
    """Describe a case with whether the user's chat still answers."""
    latency = await _help_latency(fake, user, timeout=30)
    return {"case": case, "outcome": outcome, "next /help": latency, "admin pages": _pages(fake)}


def _pages(fake: FakeTelegram) -> int:
    """Count error pages the administrator got so far."""
    return _admin_pages(fake)


async def _preview(fake: FakeTelegram, deputy: int, body: str) -> BotMessage:
    """Send a concern and return its preview card."""
    mark = fake.mark()
    fake.send_text(deputy, body)
    return await fake.wait_for(deputy, lambda m: "诉求预览" in m.text, timeout=30, after=mark)


async def _deleted_card(fake: FakeTelegram, deputy: int, preview: BotMessage) -> Row:
    """A handler deletes their card; a colleague's 签收 edits it: the note is sent anew."""
    mark = fake.mark()
    fake.press_button(deputy, preview.message_id, "提交")
    card = await fake.wait_for(HOUSING_EXTRA, lambda m: "新派单" in m.text, timeout=30, after=mark)
    fake.user_deletes(HOUSING_EXTRA, card.message_id)
    own = await _colleagues_copy(fake, card.text.split("\n")[0])
    colleague = own.chat_id
    fake.press_button(colleague, own.message_id, "签收")
    note = await fake.wait_for(HOUSING_EXTRA, lambda m: "签收" in m.text, timeout=30, after=mark)
    return await _row(
        fake,
        "card deleted by the user, then edited",
        HOUSING_EXTRA,
        f"sent anew: {note.text[:24]!r}",
    )


async def _colleagues_copy(fake: FakeTelegram, heading: str, seconds: float = 30.0) -> BotMessage:
    """Return another housing handler's copy of a card (chats are sent to four at a time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        for m in fake.messages:
            first = m.history[0]
            if m.chat_id != HOUSING_EXTRA and first.startswith("🆕 新派单") and heading in first:
                return m
        if loop.time() > deadline:
            raise TimeoutError(f"no colleague got the card {heading!r} in {seconds:g} s")
        await asyncio.sleep(0.05)


async def _long_card(fake: FakeTelegram, deputy: int) -> Row:
    """A handler returns an item with a 4,000-character reason: the admin's card is split."""
    preview = await _preview(fake, deputy, f"{STREETLIGHT}（第二处）")
    mark, before = fake.mark(), len(fake.chat(ADMIN))
    fake.press_button(deputy, preview.message_id, "提交")
    card = await fake.wait_for(HOUSING_EXTRA, lambda m: "新派单" in m.text, timeout=30, after=mark)
    fake.press_button(HOUSING_EXTRA, card.message_id, "退回")
    await fake.wait_for(HOUSING_EXTRA, lambda m: "理由" in m.text, timeout=30, after=mark)
    fake.send_text(HOUSING_EXTRA, "不属于本部门职责。" + "说明" * 1995)
    triage = await fake.wait_for(ADMIN, lambda m: bool(m.buttons()), timeout=60, after=mark)
    parts = fake.chat(ADMIN)[before:]
    return await _row(
        fake,
        "admin card over 4,096 characters",
        ADMIN,
        f"sent as {len(parts)} messages of {[len(m.text) for m in parts]} characters,"
        f" {len(triage.buttons())} buttons on the last",
    )


async def _stranger_flood(fake: FakeTelegram, deputy: int) -> Row:
    """300 wrong invite codes from one stranger, then a deputy's /help."""
    stranger = 390001
    fake.add_user(stranger, "路人")
    mark = fake.mark()
    for n in range(300):
        fake.send_text(stranger, f"/start wrong{n:04d}")
    latency = await _help_latency(fake, deputy, timeout=60)
    await asyncio.sleep(5)
    answered = len(fake.chat(stranger))
    del mark
    return {
        "case": "300 wrong invite codes from a stranger",
        "outcome": f"stranger answered {answered} times",
        "next /help": f"deputy's /help {latency}",
        "admin pages": _pages(fake),
    }


async def _blocked(fake: FakeTelegram, deputy: int) -> Row:
    """A deputy blocks the bot: their messages wait, admins are told once, unblocking delivers."""
    fake.block(deputy)
    mark = fake.mark()
    for n in range(3):
        fake.send_text(deputy, f"{STREETLIGHT}（屏蔽后第{n + 1}条）")
    note = await fake.wait_for(ADMIN, lambda m: "屏蔽" in m.text, timeout=60, after=mark)
    await asyncio.sleep(3)
    notes = sum("屏蔽" in m.text for m in fake.chat(ADMIN))
    fake.unblock(deputy)
    return {
        "case": "user blocked the bot",
        "outcome": f"admins told {notes} time(s): {note.text[:30]!r}; held, retried hourly",
        "next /help": "-",
        "admin pages": _pages(fake),
    }
