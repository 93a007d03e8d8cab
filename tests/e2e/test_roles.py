"""Every command and every button, tried by every role; roles are checked on the server."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.models import HandledMessage, InboxUpdate, Member, OutboxMessage, PendingInput
from bot.demo.conversation import Person, tracking_number
from bot.runtime.gate import RateGate
from bot.services.routing import RoutingHolder
from tests.e2e.harness import Cast, Harness, running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"

# (command, what each role reads back): admin, deputy, handler, stranger
HELP = (
    "管理员可用功能",
    "人大代表可用功能",
    "承办人员可用功能",
    "部门负责人可用功能",
    "领取邀请码",
)
NO, OUT, IDLE = "无权", "领取邀请码", "没有进行中的输入"
HINT = "请先在派单消息上"
# command: what the admin, deputy, handler, supervisor and stranger read back
COMMANDS = {
    "/help": HELP,
    "/start": HELP,
    "/new": (NO, "请直接发送", NO, NO, OUT),
    "/mine": ("诉求概况", "您提交的诉求", "待办诉求", "待办诉求", OUT),
    "/status": ("用法", "用法", "用法", "用法", OUT),
    "/triage": ("待分拨", NO, NO, NO, OUT),
    "/invite deputy 某某 县 K1县": ("邀请码：", NO, NO, NO, OUT),
    "/reload": ("分类配置已重新加载", NO, NO, NO, OUT),
    "/keyword": ("用法", NO, NO, NO, OUT),
    "/summary": ("试点小结", NO, NO, NO, OUT),
    "/record": ("用法", "履职档案", NO, NO, OUT),
    "/web": ("公开地址", "公开地址", "公开地址", "公开地址", OUT),  # no DEPUTYBOT_PUBLIC_URL here
    "/cancel": (IDLE, IDLE, IDLE, IDLE, OUT),
    "/nonsense": HELP,
    "随便说一句": ("管理员请使用命令", "诉求预览", HINT, HINT, OUT),
}
ROLES = ("admin", "deputy", "handler", "supervisor", "stranger")


def _person(cast: Cast, role: str) -> Person:
    """Pick the cast member who plays a role."""
    return {
        "admin": cast.admin,
        "supervisor": cast.head,
        "deputy": cast.deputy,
        "handler": cast.li,
        "stranger": cast.stranger,
    }[role]


@pytest.mark.parametrize("role", ROLES)
async def test_each_command_answers_by_role(
    database_url: str, routing: RoutingHolder, role: str
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        person = _person(cast, role)
        # Strangers are answered 5 times a minute (tests/e2e/test_faults.py); here, every time.
        bot.bot_data.strangers = RateGate(limit=100)
        for command, replies in COMMANDS.items():
            bot.talk.say(person, command)
            await bot.talk.expect(person, replies[ROLES.index(role)])
        bot.fake.send_sticker(person.user_id)
        await bot.talk.expect(person, "暂只支持文字" if role != "stranger" else "领取邀请码")
        assert bot.bot_data.errors == []
    if role == "stranger":
        assert await _rows_about(database_url, person.user_id) == 0


async def _rows_about(url: str, telegram_id: int) -> int:
    """Count stored rows that mention a Telegram account."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        count = 0
        for query in (
            select(func.count()).select_from(Member).where(Member.telegram_id == telegram_id),
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id == telegram_id),
            select(func.count())
            .select_from(HandledMessage)
            .where(HandledMessage.chat_id == telegram_id),
            select(func.count())
            .select_from(PendingInput)
            .where(PendingInput.telegram_id == telegram_id),
            # Handled updates keep only their id: no payload, no chat.
            select(func.count())
            .select_from(InboxUpdate)
            .where(
                (InboxUpdate.chat_key == telegram_id)
                | InboxUpdate.payload.contains(str(telegram_id))
            ),
        ):
            count += int(await session.scalar(query) or 0)
    await engine.dispose()
    return count


async def _submitted(bot: Harness, cast: Cast) -> tuple[int, str]:
    """Submit the streetlight concern; return its item id and tracking number."""
    bot.talk.say(cast.deputy, STREETLIGHT)
    card = await bot.talk.expect(cast.deputy, "诉求预览")
    item_id = int(card.button_data("提交").split(":")[1])
    bot.talk.press(cast.deputy, card, "提交")
    return item_id, tracking_number(await bot.talk.expect(cast.deputy, "已收到您的诉求"))


FORGED = ["sub", "cls", "top", "can", "ack", "ret", "ans", "prg", "rate", "route", "tri"]


@pytest.mark.parametrize("role", ["deputy", "other_deputy", "other_handler", "stranger"])
async def test_forged_buttons_do_nothing(
    database_url: str, routing: RoutingHolder, role: str
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        item_id, number = await _submitted(bot, cast)
        person = {
            "deputy": cast.deputy,
            "other_deputy": cast.other_deputy,
            "other_handler": cast.wang,
            "stranger": cast.stranger,
        }[role]
        argument = {"top": ":environment", "rate": ":satisfied", "route": ":ecology"}
        bot.bot_data.strangers = RateGate(limit=100)
        bot.talk.say(person, "/help")
        anchor = (await bot.talk.expect(person, "")).message_id
        for action in FORGED:
            data = f"{action}:{item_id}{argument.get(action, '')}"
            query = bot.fake.press(person.user_id, anchor, data)
            assert await bot.talk.answer_of(query) == "此按钮已失效", data
        bot.talk.say(cast.li, f"/status {number}")
        history = await bot.talk.expect(cast.li, "办理记录")
        assert "已派单" in (history.text or "")
        assert bot.bot_data.errors == []


async def test_status_is_private_to_deputy_department_and_admins(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        _, number = await _submitted(bot, cast)
        for person, visible in (
            (cast.deputy, True),
            (cast.li, True),
            (cast.admin, True),
            (cast.other_deputy, False),
            (cast.wang, False),
        ):
            bot.talk.say(person, f"/status {number}")
            await bot.talk.expect(person, "办理记录" if visible else "未找到编号")
        assert bot.bot_data.errors == []


async def test_commands_menu_is_set_per_role(database_url: str, routing: RoutingHolder) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()

        def names(chat_id: int) -> list[str]:
            return [c["command"] for c in bot.fake.commands.get(f"chat:{chat_id}", [])]

        for _ in range(250):
            if names(cast.wang.user_id) and names(cast.admin.user_id):
                break
            await asyncio.sleep(0.02)

        assert "new" in names(cast.deputy.user_id)
        assert "invite" not in names(cast.deputy.user_id)
        assert "mine" in names(cast.li.user_id)
        assert "new" not in names(cast.li.user_id)
        assert "invite" in names(cast.admin.user_id)
        assert [c["command"] for c in bot.fake.commands["default"]] == ["start", "help"]
        assert names(cast.stranger.user_id) == []
