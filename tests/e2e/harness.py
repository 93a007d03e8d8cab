"""Run the real Application over HTTP against the local Bot API, with people to play."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.app import build_application
from bot.clock import Clock
from bot.context import BotApplication, BotData
from bot.db.models import OutboxMessage
from bot.demo.conversation import Conversation, Person, invite_code, tracking_number
from bot.fake_telegram import FakeTelegram
from bot.runtime.lifecycle import polling
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from bot.web.server import free_port as server_free_port

ADMIN_ID = 900001


@dataclass
class Cast:
    """The people of an end-to-end test."""

    admin: Person
    deputy: Person
    other_deputy: Person
    li: Person
    zhao: Person
    wang: Person
    head: Person
    stranger: Person


CAST = Cast(
    admin=Person(ADMIN_ID, "管理员"),
    deputy=Person(100001, "张三"),
    other_deputy=Person(100002, "钱七"),
    li=Person(200001, "李四"),
    zhao=Person(200002, "赵六"),
    wang=Person(200003, "王五"),
    head=Person(200009, "孙局长"),
    stranger=Person(300001, "路人"),
)


# A Tuesday, 10:00 in Shanghai, mid-month: pages that default to "this month" or "this year"
# then hold the items a test just sent whatever the real date.
NOW = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)


@dataclass
class Harness:
    """A running bot, its Bot API emulator, and a conversation driver."""

    fake: FakeTelegram
    application: BotApplication
    talk: Conversation

    @property
    def web_url(self) -> str:
        """Return the root URL of the bot's HTTP server (when the test started one)."""
        connector = self.bot_data.runtime.connector
        assert connector is not None
        assert connector.web is not None
        return f"http://127.0.0.1:{connector.web.port}"

    @property
    def bot_data(self) -> BotData:
        """Return the application's typed bot data."""
        data: BotData = self.application.bot_data
        return data

    async def submit(self, deputy: Person, text: str) -> str:
        """Send a concern, press 提交 on its preview, and return its tracking number."""
        self.talk.say(deputy, text)
        self.talk.press(deputy, await self.talk.expect(deputy, "诉求预览"), "提交")
        return tracking_number(await self.talk.expect(deputy, "已收到您的诉求"))

    async def outbox_settled(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until no outbox row is pending: each sent message is recorded as sent.

        The emulator shows a message when it handles the call, before its answer reaches the
        bot; cutting the line in between makes the send ambiguous, and the bot sends again.
        """
        loop = asyncio.get_running_loop()
        deadline, pending = loop.time() + timeout, None
        while loop.time() < deadline:
            async with self.bot_data.services.deps.sessions() as session:
                pending = await session.scalar(
                    select(func.count()).where(OutboxMessage.status == "pending")
                )
            if not pending:
                return
            await asyncio.sleep(0.02)
        raise TimeoutError(f"{pending} outbox rows still pending after {timeout} s")

    async def enrol(self) -> Cast:
        """Invite and bind a deputy, three handlers (two in housing) and keep a stranger."""
        talk = self.talk
        cast = CAST
        for person, args in (
            (cast.deputy, "deputy 张三 县 K8县"),
            (cast.other_deputy, "deputy 钱七 市 A市"),
            (cast.li, "handler housing 李四"),
            (cast.zhao, "handler housing 赵六"),
            (cast.wang, "handler ecology 王五"),
            (cast.head, "supervisor housing 孙局长"),
        ):
            talk.say(cast.admin, f"/invite {args}")
            code = invite_code(await talk.expect(cast.admin, "邀请码："))
            talk.say(person, f"/start {code}")
            await talk.expect(person, "欢迎")
        return cast


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on now."""
    return server_free_port("127.0.0.1")


@asynccontextmanager
async def running_bot(
    database_url: str,
    routing: RoutingHolder,
    *,
    instant_get_updates: bool = False,
    clock: Clock | None = None,
    fake: FakeTelegram | None = None,
    env: dict[str, str] | None = None,
    http: bool = False,
) -> AsyncIterator[Harness]:
    """Start the emulator (unless given one that outlives the bot) and the bot polling it."""
    owned = fake is None
    if fake is None:
        fake = FakeTelegram(instant_get_updates=instant_get_updates)
        await fake.start()
    for person in vars(CAST).values():
        fake.add_user(person.user_id, person.name)
    values: dict[str, object] = {
        "DEPUTYBOT_DATABASE_URL": database_url,
        "DEPUTYBOT_TELEGRAM_API_URL": fake.root,
        "DEPUTYBOT_ADMIN_IDS": str(ADMIN_ID),
        "DEPUTYBOT_HTTP_LISTEN": "127.0.0.1:0",
        "_env_file": None,
        **(env or {}),
    }
    settings = Settings(**values)  # type: ignore[arg-type]
    application = build_application(settings, token=fake.token, clock=clock, routing=routing)
    listen = settings.listen if http else None
    try:
        async with polling(application, poll_interval=0.01, poll_timeout=1, http=listen):
            yield Harness(fake, application, Conversation(fake, timeout=10))
    finally:
        if owned:
            await fake.stop()
