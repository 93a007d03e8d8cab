"""The offline run: the real bot against a local Bot API, with scripted users."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from bot import texts
from bot.app import build_application
from bot.clock import ManualClock
from bot.context import Services
from bot.db.engine import create_engine, session_factory
from bot.db.models import HotlineMessage, Item, ItemEvent, Member, OutboxMessage
from bot.demo.clock import START, play_clock, settle
from bot.demo.conversation import Conversation, Person, invite_code, tracking_number
from bot.demo.desk import ask_for_link, print_closing, serve_desk
from bot.demo.hotline import demo_platform, demo_routing, play_hotline
from bot.fake_hotline import FakeHotline
from bot.fake_telegram import BotMessage, FakeTelegram
from bot.runtime.lifecycle import polling
from bot.runtime.runner import configure_logging
from bot.services.hotline_queue import EVENTS_PATH
from bot.settings import Settings
from bot.web.server import free_port

ADMIN_ID = 900001
HOST = "127.0.0.1"
OUTBOX_STATUS = {"sent": "已送达", "pending": "待发送", "failed": "已搁置"}


NAMES = {
    ADMIN_ID: "王主任（联工委）",
    100001: "张三代表",
    200001: "李四（住建局）",
    200002: "赵六（住建局）",
    200003: "王五（生态环境局）",
}


def _print_bot(message: BotMessage) -> None:
    """Print what the bot sent or edited, with its buttons."""
    if message.photo:
        size = len(message.file_bytes or b"") // 1024
        print(f"   🖼  → {NAMES.get(message.chat_id, message.chat_id)}：图表（PNG，{size} KB）")
        return
    verb = "✏️  修改消息" if message.edited else "🤖"
    who = NAMES.get(message.chat_id, str(message.chat_id))
    text = (message.text or "").replace("\n", "\n      ")
    buttons = "  " + " ".join(f"[{b}]" for b in message.buttons()) if message.buttons() else ""
    print(f"   {verb} → {who}：{text}{buttons}", flush=True)


async def run_offline(settings: Settings, *, serve: float | None = None, port: int = 0) -> int:
    """Start a local Bot API, run the bot on it, play the whole loop, print what was stored.

    The bot's HTTP server listens on 127.0.0.1 (on `port`, or a free one), which is also the
    public URL of its desk; with `serve`, the desk stays open that many seconds at the end.
    """
    configure_logging(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="deputybot-demo-"))
    port = port or free_port(HOST)
    root = f"http://{HOST}:{port}"
    fake = FakeTelegram(bot_username="deputybot_demo_bot")
    await fake.start()
    fake.on_message = _print_bot
    platform = demo_platform(callback_url=f"{root}{EVENTS_PATH}")
    await platform.start()
    demo = settings.model_copy(
        update={
            "telegram_api_url": fake.root,
            "database_url": f"sqlite+aiosqlite:///{workdir / 'demo.db'}",
            "admin_ids": frozenset({ADMIN_ID}),
            "routing": str(demo_routing(Path(settings.routing), workdir)),
            "hotline_url": platform.url,
            "hotline_app_id": platform.app_id,
            "hotline_secret": SecretStr(platform.secret),
            "public_url": root,
        }
    )
    print("deputybot 离线演示：未设置 TELEGRAM_BOT_TOKEN，机器人连接本机模拟的 Telegram Bot API")
    print(f"   Bot API: {fake.root}   数据库: {workdir / 'demo.db'}")
    print(f"   交通运输局由本机模拟的 12345 热线平台办理：{platform.url}\n", flush=True)
    clock = ManualClock(START)
    application = build_application(demo, token=fake.token, clock=clock)
    talk = Conversation(fake, printer=lambda line: print(line, flush=True))
    try:
        async with polling(application, poll_timeout=2, http=(HOST, port)):
            link = await play_all(talk, platform, application.bot_data.services, clock)
            await print_summary(demo.database_url)
            if serve is None:
                print_closing(root)
            else:
                await serve_desk(root, link, serve)
    finally:
        await platform.stop()
        await fake.stop()
    errors = list(application.bot_data.errors)
    if errors:
        print(f"\n处理中出现 {len(errors)} 个错误：{errors}")
        return 1
    return 0


async def play_all(
    talk: Conversation, platform: FakeHotline, services: Services, clock: ManualClock
) -> str:
    """Play every part of the loop; return the desk's sign-in link the administrator got."""
    people = await play(talk)
    await play_hotline(talk, platform, people)
    await play_clock(talk, services, clock, people)
    link = await ask_for_link(talk, people["admin"])
    await settle(services)
    return link


async def play(talk: Conversation) -> dict[str, Person]:
    """Go through the loop: invite, submit, acknowledge, answer, rate, reopen, triage, return."""
    admin, deputy, li, zhao, wang = (talk.join(uid, name) for uid, name in NAMES.items())

    print("\n== 1. 管理员生成邀请码，代表和承办人员绑定 ==")
    codes = {}
    for person, args in (
        (deputy, "deputy 张三 县 K8县"),
        (li, "handler housing 李四"),
        (zhao, "handler housing 赵六"),
        (wang, "handler ecology 王五"),
    ):
        talk.say(admin, f"/invite {args}")
        codes[person.user_id] = invite_code(await talk.expect(admin, "邀请码："))
    for person in (deputy, li, zhao, wang):
        talk.say(person, f"/start {codes[person.user_id]}")
        await talk.expect(person, "欢迎")

    print("\n== 2. 代表提交诉求，自动分类派单，承办人员签收、反馈进展、答复办结 ==")
    talk.say(deputy, "小区门口的路灯坏了一个月，晚上很黑，老人出门不安全，希望尽快维修")
    card = await talk.expect(deputy, "诉求预览")
    talk.press(deputy, card, "提交")
    number = tracking_number(await talk.expect(deputy, "已收到您的诉求"))
    await talk.expect(zhao, number)
    talk.press(li, await talk.expect(li, number), "签收")
    acked = await talk.expect(li, "已签收")
    await talk.expect(deputy, "已由")
    talk.press(li, acked, "进展")
    await talk.expect(li, "进展说明")
    talk.say(li, "已安排路灯维修班组明天上午到现场检修。")
    await talk.expect(deputy, "办理进展")
    talk.press(li, acked, "答复办结")
    await talk.expect(li, "最终答复")
    talk.say(li, "经查为线路老化，已更换线路和灯具，路灯恢复照明。")
    answer = await talk.expect(deputy, "已办结")

    print("\n== 3. 代表不满意，诉求重办，另一位承办人员签收并答复，代表满意 ==")
    talk.press(deputy, answer, "不满意")
    await talk.expect(deputy, "不满意的原因")
    talk.say(deputy, "修好两天又不亮了，请彻底解决。")
    await talk.expect(deputy, "重新办理")
    talk.press(zhao, await talk.expect(zhao, "重办"), "签收")
    acked = await talk.expect(zhao, "已签收")
    talk.press(zhao, acked, "答复办结")
    await talk.expect(zhao, "最终答复")
    talk.say(zhao, "已更换整条线路的电缆并加装漏电保护，连续观察一周照明正常。")
    talk.press(deputy, await talk.expect(deputy, "已办结"), "满意")
    await talk.expect(deputy, "感谢您的评价")

    print("\n== 4. 无法自动分类的诉求进入待分拨，管理员改派 ==")
    talk.say(deputy, "群众反映的情况请帮忙看看")
    talk.press(deputy, await talk.expect(deputy, "诉求预览"), texts.BTN_TRIAGE)
    await talk.expect(deputy, "人工分拨")
    talk.press(admin, await talk.expect(admin, "待分拨"), "城市管理和综合执法局")
    await talk.expect(deputy, "已派至")

    print("\n== 5. 代表选错分类，承办人员退回，管理员改派到生态环境局 ==")
    talk.say(deputy, "小区旁边的工地晚上十点以后还在施工，噪音很大，影响居民休息")
    talk.press(deputy, await talk.expect(deputy, "诉求预览"), "换分类")
    talk.press(deputy, await talk.expect(deputy, "请选择分类"), "城乡建设")
    talk.press(deputy, await talk.expect(deputy, "手动选择"), "提交")
    number = tracking_number(await talk.expect(deputy, "已收到您的诉求"))
    talk.press(li, await talk.expect(li, number), "退回")
    await talk.expect(li, "退回")
    talk.say(li, "夜间施工噪音由生态环境部门查处，不属于本部门职责。")
    await talk.expect(li, "已退回")
    talk.press(admin, await talk.expect(admin, "退回"), "生态环境局")
    talk.press(wang, await talk.expect(wang, number), "签收")
    talk.press(wang, await talk.expect(wang, "已签收", buttons=True), "答复办结")
    await talk.expect(wang, "最终答复")
    talk.say(wang, "已现场检查，责令施工单位夜间停工，并立案处罚。")
    talk.press(deputy, await talk.expect(deputy, "生态环境局】答复"), "基本满意")
    await talk.expect(deputy, "感谢您的评价")

    print("\n== 6. 代表查询自己的诉求和办理记录 ==")
    talk.say(deputy, "/mine")
    await talk.expect(deputy, "您提交的诉求")
    talk.say(deputy, f"/status {number}")
    await talk.expect(deputy, "办理记录")
    return {"admin": admin, "deputy": deputy, "li": li, "zhao": zhao, "wang": wang}


async def print_summary(database_url: str) -> None:
    """Print what the run stored."""
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        members = dict(
            (await session.execute(select(Member.role, func.count()).group_by(Member.role))).all()
        )
        items = dict(
            (await session.execute(select(Item.status, func.count()).group_by(Item.status))).all()
        )
        events = await session.scalar(select(func.count()).select_from(ItemEvent))
        outbox = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            ).all()
        )
        hotline = dict(
            (
                await session.execute(
                    select(HotlineMessage.status, func.count()).group_by(HotlineMessage.status)
                )
            ).all()
        )
    await engine.dispose()
    roles = "，".join(f"{texts.ROLES[role]} {count}" for role, count in sorted(members.items()))
    statuses = "，".join(f"{texts.STATUS[status]} {n}" for status, n in sorted(items.items()))
    delivered = "，".join(f"{OUTBOX_STATUS.get(k, k)} {n}" for k, n in sorted(outbox.items()))
    print("\n== 数据库中已存储 ==")
    print(f"   成员：{roles}（另有管理员 1 人，由 DEPUTYBOT_ADMIN_IDS 配置）")
    print(f"   诉求：{statuses}")
    print(f"   办理事件：{events} 条（只增不删）")
    print(f"   发件箱：{delivered}")
    sent = "，".join(f"{OUTBOX_STATUS.get(k, k)} {n}" for k, n in sorted(hotline.items()))
    print(f"   发往 12345 平台：{sent or '无'}")
