"""GET /desk/login and POST /desk/logout: trade a link for a cookie, and end it."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot import texts
from bot.desk.web import pages
from bot.desk.web.signin import COOKIE, SESSION_LIFETIME, Signed, SignIn
from bot.domain.permissions import Command
from bot.domain.states import Role
from bot.services.actors import Actor, ActorDirectory

LinkStates = {"used": pages.LINK_USED, "expired": pages.LINK_EXPIRED}
DESK_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.HANDLER, Role.DEPUTY})


async def member_of(
    request: Request, signin: SignIn, actors: ActorDirectory
) -> tuple[Signed, Actor] | None:
    """Return the session and the actor behind a request (the role looked up again), or None."""
    signed = await signin.resolve(request.cookies.get(COOKIE))
    actor = await actors.resolve(signed.telegram_id) if signed else None
    if signed is None or actor is None or actor.role not in DESK_ROLES:
        return None
    return signed, actor


async def allowed(
    request: Request, signin: SignIn, actors: ActorDirectory, command: Command
) -> tuple[Signed, Actor] | None:
    """Return the member behind a request when their role may run the command, or None."""
    who = await member_of(request, signin, actors)
    return who if who is not None and who[1].may(command) else None


def auth_router(signin: SignIn, actors: ActorDirectory, *, secure: bool) -> APIRouter:
    """Return the sign-in and sign-out routes; cookies are Secure behind https."""
    router = APIRouter(prefix="/desk", include_in_schema=False)

    @router.get("/login")
    async def login(token: str = "") -> Response:
        """Open a session from a one-time link, or say why the link cannot be used."""
        opened = await signin.redeem(token)
        if opened is None:
            state = await signin.link_state(token) if token else "unknown"
            return pages.message(LinkStates.get(state, pages.LINK_UNKNOWN), 403)
        response = RedirectResponse("/desk/", status_code=303)
        response.set_cookie(
            COOKIE,
            opened.cookie,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path="/desk",
            httponly=True,
            samesite="lax",
            secure=secure,
        )
        return response

    @router.get("/")
    async def home(request: Request) -> Response:
        """Greet a signed-in member; the role is looked up again on every request."""
        if (who := await member_of(request, signin, actors)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        signed, actor = who
        name = actor.label
        role = texts.ROLES[actor.role]
        links = {c: actor.may(c) for c in (Command.RECORD, Command.SUMMARY, Command.TRIAGE)}
        return pages.render(
            "home.html", title="服务台", name=name, role=role, csrf=signed.csrf, may=links
        )

    @router.post("/logout")
    async def logout(request: Request, csrf: str = Form("")) -> Response:
        """End the session when the form carries its CSRF token."""
        signed = await signin.resolve(request.cookies.get(COOKIE))
        if signed is None or not signed.csrf_ok(csrf):
            return pages.message(pages.FORBIDDEN, 403)
        await signin.end(signed)
        response = pages.message(pages.SIGNED_OUT, 200)
        response.delete_cookie(COOKIE, path="/desk")
        return response

    return router
