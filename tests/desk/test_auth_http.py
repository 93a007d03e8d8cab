"""Desk sign-in over HTTP: cookie flags, stale links, revoked members, CSRF on sign-out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from bot.clock import ManualClock
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import Member
from bot.db.sessions import Sessions
from bot.desk.web.auth import auth_router
from bot.desk.web.signin import COOKIE, SignIn
from bot.services.actors import ActorDirectory
from bot.services.invites import Invites
from bot.web.app import build_web_app

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DEPUTY = 5
ADMIN = 9001


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    """Open a migrated database with one deputy bound to DEPUTY."""
    engine = create_engine(database_url)
    await upgrade(engine)
    made = session_factory(engine)
    invites = Invites(made, ManualClock(START), lambda: {"housing": "住房和城乡建设局"})
    view = await invites.create_deputy(name="<b>张三</b>", level="县级", district="K8县", by="cli")
    await invites.redeem(code=view.code, telegram_id=DEPUTY, chat_id=DEPUTY)
    yield made
    await engine.dispose()


def _client(sessions: Sessions, clock: ManualClock, secure: bool = True) -> httpx.AsyncClient:
    signin = SignIn(sessions, clock)
    actors = ActorDirectory(sessions, frozenset({ADMIN}))
    app = build_web_app([auth_router(signin, actors, secure=secure)])
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="https://desk.test")


async def test_link_signs_in_once_with_a_safe_cookie(sessions: Sessions) -> None:
    clock = ManualClock(START)
    token = await SignIn(sessions, clock).issue_link(DEPUTY)
    async with _client(sessions, clock) as client:
        answer = await client.get("/desk/login", params={"token": token})
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"].lower()
        for flag in ("httponly", "samesite=lax", "secure", "max-age=43200", "path=/desk"):
            assert flag in cookie
        home = await client.get("/desk/")
        assert home.status_code == 200
        assert "&lt;b&gt;张三&lt;/b&gt;" in home.text
        assert "<b>张三" not in home.text
        assert "代表" in home.text
        again = await client.get("/desk/login", params={"token": token})
        assert again.status_code == 403
        assert "已经用过" in again.text
        assert COOKIE not in again.headers.get("set-cookie", "")


async def test_http_cookie_is_not_secure_and_stale_links_say_why(sessions: Sessions) -> None:
    clock = ManualClock(START)
    signin = SignIn(sessions, clock)
    token = await signin.issue_link(DEPUTY)
    clock.advance(timedelta(minutes=11))
    async with _client(sessions, clock, secure=False) as client:
        expired = await client.get("/desk/login", params={"token": token})
        assert expired.status_code == 403
        assert "已过期" in expired.text
        forged = await client.get("/desk/login", params={"token": "forged" * 8})
        assert forged.status_code == 403
        assert "无法识别" in forged.text
        fresh = await client.get("/desk/login", params={"token": await signin.issue_link(DEPUTY)})
        assert "secure" not in fresh.headers["set-cookie"].lower()


async def test_revoked_member_and_stranger_lose_the_desk(sessions: Sessions) -> None:
    clock = ManualClock(START)
    signin = SignIn(sessions, clock)
    async with _client(sessions, clock) as client:
        await client.get("/desk/login", params={"token": await signin.issue_link(DEPUTY)})
        assert (await client.get("/desk/")).status_code == 200
        async with sessions.begin() as s:
            await s.execute(update(Member).values(revoked_at=START))
        refused = await client.get("/desk/")
        assert refused.status_code == 403
        assert "张三" not in refused.text
    async with _client(sessions, clock) as stranger:
        await stranger.get("/desk/login", params={"token": await signin.issue_link(777)})
        assert (await stranger.get("/desk/")).status_code == 403
    async with _client(sessions, clock) as admin:
        await admin.get("/desk/login", params={"token": await signin.issue_link(ADMIN)})
        page = await admin.get("/desk/")
        assert page.status_code == 200
        assert "管理员" in page.text


async def test_sign_out_needs_the_csrf_token(sessions: Sessions) -> None:
    clock = ManualClock(START)
    signin = SignIn(sessions, clock)
    async with _client(sessions, clock) as client:
        await client.get("/desk/login", params={"token": await signin.issue_link(DEPUTY)})
        home = await client.get("/desk/")
        csrf = home.text.split('name="csrf" value="')[1].split('"')[0]
        assert (await client.post("/desk/logout")).status_code == 403
        assert (await client.post("/desk/logout", data={"csrf": "wrong"})).status_code == 403
        assert (await client.get("/desk/")).status_code == 200
        out = await client.post("/desk/logout", data={"csrf": csrf})
        assert out.status_code == 200
        assert "已退出登录" in out.text
        client.cookies.clear()
    cookie = await signin.redeem(await signin.issue_link(DEPUTY))
    assert cookie is not None
    async with _client(sessions, clock) as other:
        other.cookies.set(COOKIE, cookie.cookie, domain="desk.test", path="/desk")
        assert (await other.get("/desk/")).status_code == 200
        clock.advance(timedelta(hours=12))
        assert (await other.get("/desk/")).status_code == 403
