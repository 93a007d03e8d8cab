"""Deputies' records (履职档案): a deputy sees their own, administrators anyone's."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot import texts
from bot.context import Services
from bot.db.models import Member
from bot.desk.ledger import EVERYTHING, LedgerFilter, scope_of
from bot.desk.record import DeputyRecord, deputy_record, deputy_records
from bot.desk.web import pages
from bot.desk.web.auth import allowed
from bot.desk.web.forms import Period, period_of
from bot.domain.permissions import Command
from bot.domain.states import Rating, Role
from bot.services.summary_text import Names, hours_text, ranked
from classifier.model import RoutingConfig

LISTED_DEPUTIES = 500  # rows on the page; the workbook's 代表履职 holds every deputy


def record_router(services: Services) -> APIRouter:
    """Return the records' list and one deputy's record; other roles get 403."""
    router = APIRouter(prefix="/desk", include_in_schema=False)
    deps = services.deps

    @router.get("/records")
    async def records(request: Request) -> Response:
        """List the deputies' records of a period (a deputy's list holds only their own)."""
        who = await allowed(request, services.desk, services.actors, Command.RECORD)
        if who is None:
            return pages.message(pages.FORBIDDEN, 403)
        signed, actor = who
        now = deps.clock.now()
        period = period_of(request.query_params, deps.tz, now, year=True)
        flt = LedgerFilter(start=period.start, end=period.end)
        async with deps.sessions() as session:
            found = deputy_records(session, flt, scope_of(actor), now)
            rows = await _first(found, LISTED_DEPUTIES + 1)
        return pages.render(
            "records.html",
            title="代表履职",
            csrf=signed.csrf,
            rows=rows[:LISTED_DEPUTIES],
            more=len(rows) > LISTED_DEPUTIES,
            period=period.typed,
            ratings=list(Rating),
            rating=texts.RATINGS,
            hours=hours_text,
        )

    @router.get("/records/{member_id}")
    async def record(member_id: str, request: Request) -> Response:
        """Render one deputy's record; a deputy asking for another's is refused (403)."""
        who = await allowed(request, services.desk, services.actors, Command.RECORD)
        if who is None:
            return pages.message(pages.FORBIDDEN, 403)
        signed, actor = who
        scope = scope_of(actor)  # everything, or a deputy's own items
        wanted = int(member_id) if member_id.isdigit() and len(member_id) < 12 else None
        if scope.deputy_id is not None and wanted != scope.deputy_id:
            wanted = None
        now = deps.clock.now()
        period = period_of(request.query_params, deps.tz, now, year=True)
        async with deps.sessions() as session:
            deputy = await session.get(Member, wanted) if wanted is not None else None
            if deputy is None or deputy.role != Role.DEPUTY:  # another's: as if missing
                return pages.not_found(scope is EVERYTHING, csrf=signed.csrf)
            flt = LedgerFilter(start=period.start, end=period.end)
            found = await deputy_record(session, deputy.id, flt, now)
        return pages.render(
            "record.html", **_record_page(deputy, found, period, deps.config, signed.csrf)
        )

    return router


async def _first(records: AsyncGenerator[DeputyRecord], count: int) -> list[DeputyRecord]:
    """Return at most `count` records, closing the stream after them."""
    found: list[DeputyRecord] = []
    async with aclosing(records):
        async for one in records:
            found.append(one)
            if len(found) >= count:
                break
    return found


def _record_page(
    deputy: Member, found: DeputyRecord | None, period: Period, config: RoutingConfig, csrf: str
) -> dict[str, Any]:
    """Return what the record page shows."""
    names = Names.from_config(config)
    return {
        "title": texts.RECORD_TITLE.format(name=deputy.name),
        "csrf": csrf,
        "deputy": deputy,
        "record": found,
        "period": period.typed,
        "ratings": [(texts.RATINGS[r], found.ratings[r] if found else 0) for r in Rating],
        "medians": (
            hours_text(found.median_ack_hours if found else None),
            hours_text(found.median_answer_hours if found else None),
        ),
        "topics": ranked(found.by_topic, lambda c: names.topic(c or None)) if found else [],
        "departments": (
            ranked(found.by_department, lambda c: names.department(c or None)) if found else []
        ),
    }
