"""Signed HTTP calls to the 12345 platform, and what each answer means for the request."""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from pydantic import ValidationError

from bot.domain.hotline import Outbound
from bot.hotline.contract import PlatformEvent, PlatformEvents
from bot.hotline.signing import IDEMPOTENCY_HEADER, signed_headers

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
BACKOFF_MAX = timedelta(seconds=60)


class Verdict(enum.Enum):
    """What an attempt came to."""

    SENT = "sent"  # accepted (or the platform already had it)
    RETRY = "retry"  # network, 5xx, 429: the same request again after a delay
    FAILED = "failed"  # refused (4xx): set aside, recorded, the administrators told


@dataclass(frozen=True)
class Outcome:
    """A verdict, its reason and delay; outage when the platform as a whole is away."""

    verdict: Verdict
    reason: str = ""
    delay: timedelta = timedelta(0)
    outage: bool = False


def encode(body: dict[str, Any]) -> bytes:
    """Return the JSON bytes of a body exactly as they are signed and sent."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def backoff(attempts: int) -> timedelta:
    """Return the wait after a failed attempt: 1, 2, 4 ... seconds, at most a minute."""
    return min(timedelta(seconds=2 ** max(attempts - 1, 0)), BACKOFF_MAX)


class HotlineClient:
    """Talks to the platform at its base URL, every request signed."""

    def __init__(
        self, base_url: str, app_id: str, secret: str, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self._app_id = app_id
        self._secret = secret
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def deliver(
        self, kind: Outbound, code: str, body: dict[str, Any], key: str, attempts: int
    ) -> Outcome:
        """Send one queued request; turn the answer (or its absence) into an outcome."""
        path = "/workorders" if kind is Outbound.ORDER else f"/workorders/{code}/events"
        payload = encode(body)
        headers = {
            **signed_headers(self._app_id, self._secret, payload, time.time()),
            IDEMPOTENCY_HEADER: key,
            "Content-Type": "application/json; charset=utf-8",
        }
        try:
            response = await self._client.post(path, content=payload, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(Verdict.RETRY, type(exc).__name__, backoff(attempts), outage=True)
        return judge(response, attempts)

    async def events(self, code: str) -> list[PlatformEvent]:
        """Read a work order's events (the poll, for platforms that cannot call back)."""
        headers = signed_headers(self._app_id, self._secret, b"", time.time())
        response = await self._client.get(f"/workorders/{code}/events", headers=headers)
        response.raise_for_status()
        try:
            return PlatformEvents.model_validate_json(response.content).events
        except ValidationError as exc:
            raise ValueError(f"malformed events of {code}: {exc.error_count()} errors") from None


def judge(response: httpx.Response, attempts: int) -> Outcome:
    """Decide what an answer of the platform means for the request."""
    status = response.status_code
    code, message = _answer(response)
    if status == 429:
        return Outcome(Verdict.RETRY, "429", _retry_after(response) or backoff(attempts))
    if status >= 500:
        return Outcome(Verdict.RETRY, f"{status}", backoff(attempts), outage=True)
    if code == "duplicate":  # the platform had it already (a repeat after a lost answer)
        return Outcome(Verdict.SENT, "duplicate")
    if 200 <= status < 300:
        if code is None or _success(response):
            return Outcome(Verdict.SENT, "sent")
        return Outcome(Verdict.FAILED, f"{status} {code}: {message}"[:300])
    return Outcome(Verdict.FAILED, f"{status} {code or ''}: {message}"[:300])


def _answer(response: httpx.Response) -> tuple[str | None, str]:
    """Return the answer's code and message, if it is the contract's JSON."""
    try:
        data = response.json()
    except ValueError:
        return None, response.text[:200]
    if not isinstance(data, dict):
        return None, response.text[:200]
    code = data.get("code")
    return (str(code) if code is not None else None), str(data.get("message", ""))[:200]


def _success(response: httpx.Response) -> bool:
    """Tell whether a 2xx answer says success."""
    try:
        return bool(response.json().get("success", True))
    except (ValueError, AttributeError):
        return True


def _retry_after(response: httpx.Response) -> timedelta | None:
    """Return the wait a 429 asks for, if it says."""
    value = response.headers.get("Retry-After", "")
    return (
        timedelta(seconds=min(float(value), 600)) if value.replace(".", "", 1).isdigit() else None
    )
