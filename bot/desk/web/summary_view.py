"""The pilot summary's page for administrators: the figures of /summary, and its chart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot import texts
from bot.context import Services
from bot.desk.web import pages
from bot.desk.web.auth import allowed
from bot.desk.web.forms import Period, period_of
from bot.domain.permissions import Command
from bot.services.chart import render_chart
from bot.services.summary import Summary, compute_summary
from bot.services.summary_text import (
    Names,
    hours_text,
    level_name,
    period_label,
    place_name,
    ranked,
    rate_rows,
)

OVERDUE_SHOWN = 100  # the most overdue items listed on the page


def summary_router(services: Services) -> APIRouter:
    """Return the summary page and its chart; anyone but an administrator gets 403."""
    router = APIRouter(prefix="/desk", include_in_schema=False)
    deps = services.deps

    async def summary_of(request: Request) -> tuple[str, Period, Summary] | None:
        """Return the session's CSRF token, the period and its summary; None for a non-admin."""
        who = await allowed(request, services.desk, services.actors, Command.SUMMARY)
        if who is None:
            return None
        now = deps.clock.now()
        period = period_of(request.query_params, deps.tz, now)
        found = await compute_summary(
            deps.sessions, start=period.start, end=period.end, now=now, tz=deps.tz
        )
        return who[0].csrf, period, found

    @router.get("/summary")
    async def summary(request: Request) -> Response:
        """Render the summary of a period (the last 30 days unless one is given)."""
        if (admitted := await summary_of(request)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        csrf, period, found = admitted
        names = Names.from_config(deps.config)
        return pages.render(
            "summary.html",
            title="试点小结",
            csrf=csrf,
            period=period.typed,
            label=period_label(found),
            summary=found,
            rates=rate_rows(found),
            medians=(hours_text(found.median_ack_hours), hours_text(found.median_answer_hours)),
            tables=count_tables(found, names),
            overdue=[
                (o.tracking_no, names.department(o.department), o.hours)
                for o in found.overdue[:OVERDUE_SHOWN]
            ],
            overdue_none=texts.SUMMARY_OVERDUE_NONE,
        )

    @router.get("/summary.png")
    async def chart(request: Request) -> Response:
        """Draw the period's chart (in a thread: drawing takes a while)."""
        if (admitted := await summary_of(request)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        png = await asyncio.to_thread(render_chart, admitted[2], Names.from_config(deps.config))
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    return router


def count_tables(summary: Summary, names: Names) -> list[tuple[str, list[tuple[str, int]]]]:
    """Return the counts by topic, department, district and level, biggest first."""

    tables: list[tuple[str, Mapping[str, int], Callable[[str], str]]] = [
        ("topic", summary.by_topic, names.topic),
        ("department", summary.by_department, names.department),
        ("district", summary.by_district, place_name),
        ("level", summary.by_level, level_name),
        ("recurrence", summary.recurrences, names.department),
    ]
    return [(kind, ranked(counts, name)) for kind, counts, name in tables if counts]
