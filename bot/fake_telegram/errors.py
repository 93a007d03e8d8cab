"""Telegram-style API errors and the fault-injection queue."""

from __future__ import annotations

from collections import deque
from typing import Any

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A failed Bot API call, rendered as Telegram's error JSON."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """Build a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def make_error(
    error_code: int, description: str | None = None, retry_after: int | None = None
) -> ApiError:
    """Build an injected error with Telegram's default wording for the code."""
    if error_code == 429:
        seconds = 1 if retry_after is None else retry_after
        text = description or f"Too Many Requests: retry after {seconds}"
        return ApiError(429, text, retry_after=seconds)
    text = description or DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
    return ApiError(error_code, text, retry_after=retry_after)


class Faults:
    """Errors queued per (lower-case) method name, consumed one call at a time."""

    def __init__(self) -> None:
        self.queued: dict[str, deque[ApiError]] = {}

    def add(self, method: str, error: ApiError, times: int) -> None:
        """Queue `error` for the next `times` calls of `method`."""
        self.queued.setdefault(method.lower(), deque()).extend([error] * times)

    def take(self, method: str) -> ApiError | None:
        """Pop the next queued error for `method`, if any."""
        queue = self.queued.get(method.lower())
        if not queue:
            return None
        return queue.popleft()
