"""GET /desk/item/{number}/photo: the photo a deputy sent with an item, fetched from Telegram."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.context import Services
from bot.desk.ledger import EVERYTHING, photo_of, scope_of
from bot.desk.web import pages
from bot.desk.web.auth import member_of
from bot.web.media import Download

logger = logging.getLogger(__name__)


def photo_router(services: Services, download: Download) -> APIRouter:
    """Return the item photo route, in the member's scope like the item's page."""
    router = APIRouter(prefix="/desk", include_in_schema=False)
    deps = services.deps

    @router.get("/item/{number}/photo")
    async def photo(number: str, request: Request) -> Response:
        """Serve the item's photo; outside the scope, or without one, refused as the page is."""
        if (who := await member_of(request, services.desk, services.actors)) is None:
            return pages.message(pages.FORBIDDEN, 403)
        scope = scope_of(who[1])
        async with deps.sessions() as session:
            found, file_id = await photo_of(session, number[:24], scope)
        if not found:
            return pages.not_found(scope is EVERYTHING)
        if file_id is None:
            return pages.message(pages.NOT_FOUND, 404)
        try:
            data = await download(file_id)
        except Exception as exc:  # Telegram away: the page can be reloaded
            logger.warning("photo of %s not fetched: %s", number[:24], type(exc).__name__)
            return Response(status_code=503)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private"})

    return router
