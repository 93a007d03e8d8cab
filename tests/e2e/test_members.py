"""Revoking bindings with /revoke, binding again, and administrators' menus across restarts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot import texts
from bot.app import build_application
from bot.demo.conversation import Conversation, Person, invite_code
from bot.fake_telegram import FakeTelegram
from bot.runtime.lifecycle import polling
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from tests.e2e.harness import ADMIN_ID, CAST, Harness, running_bot

STREETLIGHT = "小区门口的路灯坏了一个月，晚上很黑，希望尽快维修"


def member_number(roster: str, who: str) -> int:
    """Find a member's number in the /revoke listing."""
    found = re.search(rf"^(\d+)\. {re.escape(who)}", roster, re.MULTILINE)
    assert found is not None, roster
    return int(found.group(1))


async def reinvite(bot: Harness, person: Person, args: str) -> None:
    """Invite a person again and let them bind."""
    admin = CAST.admin
    bot.talk.say(admin, f"/invite {args}")
    code = invite_code(await bot.talk.expect(admin, "邀请码："))
    bot.talk.say(person, f"/start {code}")
    await bot.talk.expect(person, "欢迎")


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait up to five seconds for a condition on the emulator's state."""
    for _ in range(250):
        if condition():
            return
        await asyncio.sleep(0.02)
    assert condition()


async def test_revoked_handler_hands_the_item_to_the_department(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        card = await talk.expect(cast.li, "新派单")
        await talk.expect(cast.zhao, "新派单")
        talk.press(cast.li, card, "签收")
        taken = await talk.expect(cast.li, "已签收", buttons=True)
        await talk.expect(cast.zhao, "已由 李四 签收")

        for person, reply in ((cast.deputy, "无权"), (cast.li, "无权"), (cast.stranger, "邀请码")):
            talk.say(person, "/revoke")
            await talk.expect(person, reply)
        talk.say(cast.admin, "/revoke")
        roster = (await talk.expect(cast.admin, "已绑定成员（6 人）")).text or ""
        assert "人大代表 张三（县级，K8县）" in roster
        li = member_number(roster, "承办人员 李四（住房和城乡建设局）")
        talk.say(cast.admin, "/revoke 李四")
        await talk.expect(cast.admin, "用法：/revoke")
        talk.say(cast.admin, f"/revoke {li}")
        done = await talk.expect(cast.admin, "已解除承办人员 李四（住房和城乡建设局）的绑定")
        assert f"其签收的 1 件未办结诉求已退回【住房和城乡建设局】重新签收：{number}" in (
            done.text or ""
        )
        await talk.expect(cast.li, texts.REVOKED_NOTICE)
        await eventually(lambda: f"chat:{cast.li.user_id}" not in bot.fake.commands)
        # Li is a stranger now: his old card's buttons and his messages do nothing.
        query = bot.fake.press_button(cast.li.user_id, taken.message_id, "答复办结")
        assert await talk.answer_of(query) == texts.STALE_BUTTON
        talk.say(cast.li, "这件我还在办")
        await talk.expect(cast.li, "领取邀请码")

        # The other housing handler gets the card again and takes the item.
        again = await talk.expect(cast.zhao, "原签收人 李四 已解除绑定", buttons=True)
        assert number in (again.text or "")
        talk.press(cast.zhao, again, "签收")
        await talk.expect(cast.zhao, "已签收", buttons=True)
        await talk.expect(cast.deputy, "承办人：赵六")
        assert not any("原签收人" in (m.text or "") for m in bot.fake.chat(cast.wang.user_id))

        talk.say(cast.admin, f"/revoke {li}")
        await talk.expect(cast.admin, "无需重复操作")
        talk.say(cast.admin, "/revoke 99999")
        await talk.expect(cast.admin, "没有编号为 99999 的成员")

        # The history shows who did what, the release included.
        talk.say(cast.admin, f"/status {number}")
        history = (await talk.expect(cast.admin, "办理记录")).text or ""
        assert re.search(r"李四 签收.*\n.*管理员 撤销签收（已签收→已派单）：签收人 李四", history)
        assert "赵六 签收" in history

        # Invited again, he is bound again (the same member), with a fresh menu.
        await reinvite(bot, cast.li, "handler housing 李四")
        await eventually(lambda: f"chat:{cast.li.user_id}" in bot.fake.commands)
        talk.say(cast.li, "/mine")
        await talk.expect(cast.li, "待办诉求")
        talk.say(cast.admin, "/revoke")
        roster = (await talk.expect(cast.admin, "已绑定成员（6 人）")).text or ""
        assert member_number(roster, "承办人员 李四") == li
        assert bot.bot_data.errors == []


async def test_revoked_deputy_is_a_stranger_and_their_item_stays(
    database_url: str, routing: RoutingHolder
) -> None:
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        talk = bot.talk
        number = await bot.submit(cast.deputy, STREETLIGHT)
        talk.say(cast.admin, "/revoke")
        roster = (await talk.expect(cast.admin, "已绑定成员")).text or ""
        deputy = member_number(roster, "人大代表 张三")
        talk.say(cast.admin, f"/revoke {deputy}")
        done = (await talk.expect(cast.admin, "已解除人大代表 张三（县级，K8县）的绑定")).text
        assert texts.REVOKE_DEPUTY_ITEMS in (done or "")
        await talk.expect(cast.deputy, texts.REVOKED_NOTICE)

        talk.say(cast.deputy, "/start")
        await talk.expect(cast.deputy, "领取邀请码")
        talk.say(cast.deputy, "又有一处路灯坏了")
        await talk.expect(cast.deputy, "领取邀请码")
        talk.say(cast.admin, f"/status {number}")
        history = (await talk.expect(cast.admin, "办理记录")).text or ""
        assert "已派单" in history
        assert "代表：张三（县级人大代表，K8县）" in history
        assert "张三 提交" in history
        talk.say(cast.li, f"/status {number}")
        await talk.expect(cast.li, "办理记录")

        await reinvite(bot, cast.deputy, "deputy 张三 县 K8县")
        talk.say(cast.deputy, "/mine")
        mine = (await talk.expect(cast.deputy, "您提交的诉求")).text or ""
        assert number in mine
        assert bot.bot_data.errors == []


@asynccontextmanager
async def bot_with_admins(
    database_url: str, routing: RoutingHolder, fake: FakeTelegram, admin_ids: set[int]
) -> AsyncIterator[Harness]:
    """Run the bot against an emulator that outlives it, with the given administrators."""
    for person in vars(CAST).values():
        fake.add_user(person.user_id, person.name)
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=database_url,  # type: ignore[call-arg]
        DEPUTYBOT_TELEGRAM_API_URL=fake.root,
        DEPUTYBOT_ADMIN_IDS=",".join(str(i) for i in sorted(admin_ids)),
        _env_file=None,
    )
    application = build_application(settings, token=fake.token, routing=routing)
    async with polling(application, poll_interval=0.01, poll_timeout=1):
        yield Harness(fake, application, Conversation(fake, timeout=10))


async def test_admin_menus_follow_the_admin_list_across_restarts(
    database_url: str, routing: RoutingHolder
) -> None:
    fake = FakeTelegram()
    await fake.start()

    def names(person: Person) -> list[str]:
        return [c["command"] for c in fake.commands.get(f"chat:{person.user_id}", [])]

    admin, li = CAST.admin, CAST.li
    try:
        async with bot_with_admins(database_url, routing, fake, {ADMIN_ID}) as bot:
            await bot.enrol()
            await eventually(lambda: "mine" in names(li) and "revoke" in names(admin))
            assert "invite" in names(admin)
            assert "invite" not in names(li)
            assert bot.bot_data.errors == []
        # Li is promoted, the first administrator leaves: his menu goes, Li gets the admin's.
        async with bot_with_admins(database_url, routing, fake, {li.user_id}) as bot:
            await eventually(lambda: f"chat:{admin.user_id}" not in fake.commands)
            await eventually(lambda: "invite" in names(li))
            bot.talk.say(li, "/revoke")
            await bot.talk.expect(li, "已绑定成员")
            assert bot.bot_data.errors == []
        # And back: Li is a handler again, with the handler's menu.
        async with bot_with_admins(database_url, routing, fake, {ADMIN_ID}) as bot:
            await eventually(lambda: "invite" in names(admin))
            await eventually(lambda: "invite" not in names(li))
            assert "mine" in names(li)
            assert bot.bot_data.errors == []
    finally:
        await fake.stop()
