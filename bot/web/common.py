"""What every route shares: bounded body reading and the contract's JSON answers."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from bot import texts
from bot.hotline.contract import Answer


class TooLarge(Exception):
    """The request body is over the route's limit."""


async def read_body(request: Request, limit: int) -> bytes:
    """Read the body, refusing more than `limit` bytes without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def answer(code: str, status: int = 200, message: str | None = None) -> JSONResponse:
    """Return the contract's answer: success, a machine code, a message in words."""
    body = Answer(
        success=status < 400,
        code=code,
        message=message if message is not None else texts.HOTLINE_ANSWERS.get(code, code),
    )
    return JSONResponse(body.model_dump(), status_code=status)
