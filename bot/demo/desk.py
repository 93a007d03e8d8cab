"""The offline run, the desk part: the administrator gets a sign-in link, the page stays open."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from bot.demo.conversation import Conversation, Person, sign_in_link

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def ask_for_link(talk: Conversation, admin: Person) -> str:
    """Send /web as the administrator and return the sign-in link the bot answered with."""
    print("\n== 10. 管理员发送 /web，获取服务台网页的一次性登录链接 ==")
    talk.say(admin, "/web")
    return sign_in_link(await talk.expect(admin, "服务台登录链接"))


def print_closing(root: str) -> None:
    """Print the desk's address, saying the page closes with the demo."""
    print("\n== 服务台网页 ==")
    print(f"   服务台：{root}/desk/（演示结束时网页随之关闭，上面的登录链接不再可用）")
    print("   运行 deputybot demo --serve，演示结束后网页继续开放 60 秒，可登录查看演示诉求的台账")


async def serve_desk(root: str, link: str, seconds: float) -> None:
    """Print the desk's address and link, then keep it open the seconds or until Ctrl-C."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        print("\n== 服务台网页 ==")
        print(f"   服务台：{root}/desk/")
        print(f"   登录链接（管理员王主任，只能使用一次）：{link}")
        print(f"   网页保持开放 {seconds:g} 秒，按 Ctrl-C 可提前结束", flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    print(f"   {'已提前结束' if stop.is_set() else '时间到'}，停止服务", flush=True)
