"""POST /hotline/events: the 12345 platform reports progress on a work order (signed)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from bot.hotline import signing
from bot.hotline.contract import Answer, PlatformEvent
from bot.services.hotline_reports import HotlineReports
from bot.web.common import TooLarge, answer, read_body

MAX_EVENT_BYTES = 64 * 1024
EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlatformEvent"}}},
    }
}
ANSWERS = {
    status: {"model": Answer, "description": description}
    for status, description in (
        (401, "unsigned, unknown app id, timestamp more than 5 minutes off, or bad signature"),
        (404, "unknown work-order code"),
        (409, "the work order is not with the platform, or the report makes no sense now"),
        (413, "body over 64 KiB"),
        (422, "malformed body"),
        (503, "the connector is not configured"),
    )
}


def hotline_router(reports: HotlineReports, app_id: str | None, secret: str | None) -> APIRouter:
    """Return the route the platform calls back."""
    router = APIRouter(tags=["12345 platform"])

    @router.post(
        "/hotline/events",
        response_model=Answer,
        responses=ANSWERS,  # type: ignore[arg-type]
        openapi_extra=EVENT_BODY,
        summary="Report progress on a work order",
    )
    async def hotline_event(request: Request) -> JSONResponse:
        """Take one signed report: 受理, 进展, 办结, 退回 or 延期 (a repeat is acknowledged)."""
        if not (app_id and secret):
            return answer("not_configured", 503)
        try:
            body = await read_body(request, MAX_EVENT_BYTES)
        except TooLarge:
            return answer("too_large", 413)
        refusal = signing.check(
            app_id=app_id, secret=secret, headers=dict(request.headers), body=body, now=time.time()
        )
        if refusal is not None:
            return answer(refusal.code, refusal.status)
        try:
            event = PlatformEvent.model_validate_json(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            return answer("malformed", 422, f"{where}: {first['msg']}")
        applied = await reports.apply(event)
        return answer(applied.code, applied.status)

    return router
