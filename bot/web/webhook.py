"""POST /telegram/webhook: Telegram pushes updates; each is stored before it is acknowledged."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from telegram import Update

from bot.services.inbox import Inbox
from bot.web.common import TooLarge, read_body

logger = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_UPDATE_BYTES = 1024 * 1024


def webhook_router(inbox: Inbox, secret: str, on_stored: Callable[[], None]) -> APIRouter:
    """Return the route Telegram posts updates to (the path DEPUTYBOT_WEBHOOK_URL ends with)."""
    router = APIRouter(tags=["Telegram"])

    @router.post(PATH, summary="Take one Telegram update (webhook mode)", include_in_schema=False)
    async def telegram_update(request: Request) -> Response:
        """Store the update in the inbox, then answer 200; Telegram retries anything else."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            logger.info("a webhook request without the right secret token was refused")
            return JSONResponse({"ok": False, "error": "unauthorized"}, status_code=401)
        try:
            update = json.loads(await read_body(request, MAX_UPDATE_BYTES))
        except TooLarge:
            return JSONResponse({"ok": False, "error": "too large"}, status_code=413)
        except (ValueError, RecursionError):
            return JSONResponse({"ok": False, "error": "not JSON"}, status_code=400)
        if not is_update(update):
            return JSONResponse({"ok": False, "error": "not an update"}, status_code=400)
        try:
            await inbox.store([update])
        except Exception as exc:  # Telegram keeps the update and pushes it again
            logger.warning("webhook update not stored, Telegram will retry: %r", exc)
            return JSONResponse({"ok": False, "error": "not stored"}, status_code=503)
        on_stored()
        return JSONResponse({"ok": True})

    return router


def is_update(data: Any) -> bool:
    """Tell whether a body is an update the processor can run: an id and one parsable object."""
    if not isinstance(data, dict):
        return False
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 <= update_id < 2**63:
        return False
    if not any(isinstance(v, dict) for k, v in data.items() if k != "update_id"):
        return False
    try:
        Update.de_json(data, None)
    except Exception:
        return False
    return True
