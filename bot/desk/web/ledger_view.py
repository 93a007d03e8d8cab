"""The ledger (台账) and one item's page, in the signed-in member's scope (paged on the server)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from bot import texts
from bot.clock import Clock
from bot.db.sessions import Sessions
from bot.desk.excel import write_workbook
from bot.desk.ledger import EVERYTHING, SORTS, LedgerFilter, item_for, ledger_page, scope_of
from bot.desk.web import pages
from bot.desk.web.auth import member_of
from bot.desk.web.forms import day, period_of
from bot.desk.web.signin import Signed, SignIn
from bot.domain.permissions import Command
from bot.domain.states import Status
from bot.services.actors import Actor, ActorDirectory
from bot.services.summary import compute_summary
from bot.services.summary_text import Names
from classifier.model import RoutingConfig

SORT_NAMES = {"received": "收到时间", "number": "编号", "deadline": "答复期限", "status": "状态"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def typed_period(q: Mapping[str, str]) -> dict[str, str]:
    """Return the period fields as typed (empty when not)."""
    return {key: q.get(key, "")[:10] for key in ("from", "to")}


def ledger_period(q: Mapping[str, str], now: datetime, tz: ZoneInfo) -> dict[str, str]:
    """Return the period fields as typed, or the last 30 days when both are empty.

    Without a period the ledger's count would grow with the history; one typed side is kept
    open-ended, as asked.
    """
    typed = typed_period(q)
    return typed if any(typed.values()) else period_of({}, tz, now).typed


def filter_of(q: Mapping[str, str], now: datetime, tz: ZoneInfo) -> LedgerFilter:
    """Read the ledger's filter from the query string; unknown values are ignored.

    Without a typed period, 仅答复超期 still lists every open item past its deadline, however
    old: the default 30 days bound the late answers only.
    """
    period = ledger_period(q, now, tz)
    typed = any(typed_period(q).values())
    status = q.get("status") or None
    page = q.get("page", "1")
    sort = q.get("sort") or "received"
    return LedgerFilter(
        start=day(period["from"], tz),
        end=day(period["to"], tz, after=1),  # the last day is included
        department=q.get("department") or None,
        status=Status(status) if status in set(Status) else None,
        topic=q.get("topic") or None,
        district=(q.get("district") or "")[:40] or None,
        level=q.get("level") or None,
        search=(q.get("search") or "")[:100] or None,
        overdue_only=q.get("overdue") == "1",
        open_overdue_any_age=not typed,
        sort=sort if sort in SORTS else "received",
        descending=q.get("desc") == "1" if "sort" in q else True,  # first look: newest first
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )


def ledger_router(
    signin: SignIn,
    actors: ActorDirectory,
    sessions: Sessions,
    clock: Clock,
    config: Callable[[], RoutingConfig],
    tz: ZoneInfo,
) -> APIRouter:
    """Return the ledger's route; strangers and revoked members get 403."""
    router = APIRouter(prefix="/desk", include_in_schema=False)

    async def view_of(request: Request) -> tuple[Signed, Actor, LedgerFilter, datetime] | None:
        """Return who asks for which view of the ledger, and when; None for a stranger."""
        if (who := await member_of(request, signin, actors)) is None:
            return None
        now = clock.now()
        return *who, filter_of(request.query_params, now, tz), now

    @router.get("/ledger")
    async def ledger(request: Request) -> Response:
        """Render one page of the ledger with its counts."""
        if (asked := await view_of(request)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        signed, actor, flt, now = asked
        async with sessions() as s:
            found = await ledger_page(s, flt, scope_of(actor), now)
        return pages.render(
            "ledger.html",
            title="台账",
            found=found,
            flt=flt,
            csrf=signed.csrf,
            query=request.url.query,
            page_query=lambda page: _with_page(request, page),
            period=ledger_period(request.query_params, now, tz),
            typed=typed_period(request.query_params),
            **_labels(config, tz),
        )

    @router.get("/ledger.xlsx")
    async def download(request: Request) -> Response:
        """Send the filtered view as a workbook (汇总 for those who may read the summary)."""
        if (asked := await view_of(request)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        _, actor, flt, now = asked
        summary = None
        if actor.may(Command.SUMMARY) and flt.start is not None and flt.end is not None:
            summary = await compute_summary(sessions, start=flt.start, end=flt.end, now=now, tz=tz)
        handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="deputybot-desk-")
        os.close(handle)
        try:
            async with sessions() as s:
                await write_workbook(
                    s, Path(name), flt=flt, scope=scope_of(actor), summary=summary,
                    names=Names.from_config(config()), now=now, tz=tz,
                )  # fmt: skip
        except BaseException:
            os.unlink(name)
            raise
        return FileResponse(
            name,
            media_type=XLSX,
            filename=texts.DESK_DOWNLOAD_FILE,
            background=BackgroundTask(os.unlink, name),
        )

    @router.get("/item/{number}")
    async def item(number: str, request: Request) -> Response:
        """Render one item's page; outside a member's scope it is refused (403), as if missing."""
        if (who := await member_of(request, signin, actors)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        signed, actor = who
        scope = scope_of(actor)
        async with sessions() as s:
            view = await item_for(s, number[:24], scope, clock.now())
        if view is None:  # outside a member's scope, or missing: the same refusal
            return pages.not_found(scope is EVERYTHING, csrf=signed.csrf)
        return pages.render(
            "item.html", title=view.row.number, view=view, csrf=signed.csrf, **_labels(config, tz)
        )

    return router


def _with_page(request: Request, page: int) -> str:
    """Return the query string of another page of the same view."""
    return urlencode({**request.query_params, "page": page})


def _labels(config: Callable[[], RoutingConfig], tz: ZoneInfo) -> dict[str, Any]:
    """Return what templates need to show codes as names, and times in local time."""
    names = Names.from_config(config())
    return {
        "local": pages.local_time(tz),
        "topic": names.topic,
        "department": names.department,
        "statuses": texts.STATUS,
        "rating": texts.RATINGS,
        "event": texts.EVENTS,
        "role": texts.ROLES,
        "urgency": texts.URGENCY,
        "config": config(),
        "levels": texts.LEVELS,
        "sorts": SORT_NAMES,
    }
