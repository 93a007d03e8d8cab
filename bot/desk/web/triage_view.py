"""The triage queue (待分拨) for administrators: route an item the way the bot's 改派 does."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot import texts
from bot.context import Services
from bot.desk.web import pages
from bot.desk.web.auth import allowed
from bot.domain.permissions import Command
from bot.domain.rules import Action
from bot.services.acting import Act
from bot.services.base import deputy_of, item_by_number
from bot.services.cards import deputy_label
from bot.services.errors import Refused
from bot.services.queries import triage_items
from bot.services.summary_text import Names

SHOWN = 50  # triage items on one page, oldest first


def triage_router(services: Services) -> APIRouter:
    """Return the triage page and its route form; anyone but an administrator gets 403."""
    router = APIRouter(prefix="/desk", include_in_schema=False)
    deps = services.deps

    @router.get("/triage")
    async def triage(request: Request, routed: str = "") -> Response:
        """List the items waiting for a department, each with a department to pick."""
        who = await allowed(request, services.desk, services.actors, Command.TRIAGE)
        if who is None:
            return pages.message(pages.FORBIDDEN, 403)
        async with deps.sessions() as session:
            items = await triage_items(session, SHOWN)
            rows = [(item, deputy_label(await deputy_of(session, item), item)) for item in items]
            last = await item_by_number(session, routed[:24]) if routed else None
        names = Names.from_config(deps.config)
        done = (
            texts.ADMIN_REROUTED.format(
                no=last.tracking_no, department=names.department(last.department)
            )
            if last is not None and last.department
            else ""
        )
        return pages.render(
            "triage.html",
            title="待分拨",
            csrf=who[0].csrf,
            rows=rows,
            departments=deps.config.departments,
            done=done,
            empty=texts.TRIAGE_EMPTY,
            local=pages.local_time(deps.tz),
        )

    @router.post("/triage/{number}")
    async def route(
        number: str, request: Request, department: str = Form(""), csrf: str = Form("")
    ) -> Response:
        """Route one item to a department (checked and carried out as the bot's button is)."""
        who = await allowed(request, services.desk, services.actors, Command.TRIAGE)
        if who is None or not who[0].csrf_ok(csrf):
            return pages.message(pages.FORBIDDEN, 403)
        async with deps.sessions() as session:
            item = await item_by_number(session, number[:24])
        if item is None:
            return pages.message(pages.NOT_FOUND, 404, csrf=who[0].csrf)
        try:
            await services.acting(Act(Action.REROUTE, item.id, who[1], argument=department))
        except Refused as refusal:
            return pages.message((pages.NOT_ROUTED[0], refusal.text), 409, csrf=who[0].csrf)
        return RedirectResponse(f"/desk/triage?routed={quote(number)}", status_code=303)

    return router
