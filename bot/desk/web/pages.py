"""Render the desk's pages from the Jinja2 templates, the one place for page wording."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).with_name("templates")

# Page wording for sign-in states (the templates hold the rest).
LINK_USED = ("链接已使用", "此登录链接已经用过。请在机器人中重新发送 /web 获取新链接。")
LINK_EXPIRED = ("链接已过期", "此登录链接已过期（有效期 10 分钟）。请在机器人中重新发送 /web。")
LINK_UNKNOWN = ("链接无效", "无法识别此登录链接。请在机器人中发送 /web 获取登录链接。")
SIGNED_OUT = ("已退出登录", "您已退出登录。需要时请在机器人中发送 /web。")
NOT_FOUND = ("未找到", "没有这件诉求，或它不在您可查看的范围内。")
NOT_ROUTED = ("未能改派", "")  # the text is the refusal the bot would give
FORBIDDEN = ("无权访问", "您没有访问此页面的权限，或登录已失效。请在机器人中发送 /web。")


def local_time(tz: ZoneInfo) -> Callable[[datetime | None], str]:
    """Return how pages show a moment: its local date and minute, or nothing."""

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    return local


@cache
def environment() -> Environment:
    """Load the templates once, autoescaping every value (imported lazily: idle memory)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )


def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Return a page rendered from a template."""
    html = environment().get_template(template).render(**values)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def message(page: tuple[str, str], status: int, csrf: str | None = None) -> HTMLResponse:
    """Return a page that only says something (a refusal, a stale link)."""
    title, text = page
    return render("message.html", status, title=title, text=text, csrf=csrf)


def not_found(everything: bool, csrf: str | None = None) -> HTMLResponse:
    """Refuse a missing item: 404 for who sees everything, else 403, as for one out of scope."""
    return message(NOT_FOUND, 404 if everything else 403, csrf=csrf)
