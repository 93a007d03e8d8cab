"""GET /media/{item}/{token}: an item's photo, for the 12345 platform and Open311's media_url."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import Response

from bot.services.hotline_queue import media_token

logger = logging.getLogger(__name__)

PhotoOf = Callable[[int], Awaitable[str | None]]
Download = Callable[[str], Awaitable[bytes]]


def media_router(secret: str, photo_of: PhotoOf, download: Download) -> APIRouter:
    """Return the route of photo links; a forged or stale token reveals nothing (404)."""
    router = APIRouter(tags=["media"])

    @router.get("/media/{item_id}/{token}", summary="An item's photo", include_in_schema=False)
    async def photo(item_id: int, token: str) -> Response:
        """Serve the photo the link was made for."""
        file_id = await photo_of(item_id) if 0 < item_id < 2**31 else None
        expected = media_token(secret, item_id, file_id) if file_id else ""
        if not file_id or not hmac.compare_digest(expected.encode(), token.encode()):
            return Response(status_code=404)
        try:
            data = await download(file_id)
        except Exception as exc:  # Telegram away: the platform may ask again
            logger.warning("photo of item %s not fetched: %s", item_id, type(exc).__name__)
            return Response(status_code=503)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private"})

    return router
