"""What to do after a Bot API call failed: retry, give up on the row, resend, or hold the chat."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

import httpx
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

# A Bot API that is down or refusing us: retry soon, the outage is not the row's fault.
OUTAGE_MAX = timedelta(seconds=15)
HOLD = timedelta(hours=1)
UNKNOWN_MAX = timedelta(minutes=30)

GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")


class Verdict(enum.Enum):
    """The kinds of outcome a failed call can have."""

    SENT = "sent"  # the call succeeded
    DONE = "done"  # the call changed nothing, and that is what was wanted ("not modified")
    RETRY = "retry"  # try the same row again after `delay`
    FAILED = "failed"  # can never succeed: record the reason, go on with the chat's next row
    RESEND = "resend"  # the message to edit is gone: send the card anew
    HOLD = "hold"  # the user blocked the bot: keep the chat's rows, retry hourly, tell admins


@dataclass(frozen=True)
class Outcome:
    """A verdict with its delay and a short reason for the record."""

    verdict: Verdict
    reason: str
    delay: timedelta = timedelta(0)
    uncertain: bool = False  # the request may have taken effect (sent, then no answer)
    outage: bool = False  # the Bot API as a whole failed, not this row


def classify(exc: TelegramError, *, op: str, attempts: int) -> Outcome:
    """Decide what a failed call means for its outbox row."""
    if isinstance(exc, RetryAfter):
        return Outcome(Verdict.RETRY, f"429: {exc.message}", _seconds(exc.retry_after))
    if isinstance(exc, BadRequest):
        return _bad_request(exc.message, op=op)
    if isinstance(exc, Forbidden):
        return Outcome(Verdict.HOLD, f"403: {exc.message}"[:200], HOLD)
    if isinstance(exc, TimedOut):
        uncertain = _maybe_delivered(exc)
        reason = "timeout after sending" if uncertain else "timeout before sending"
        return Outcome(Verdict.RETRY, reason, _outage_delay(attempts), uncertain, outage=True)
    if isinstance(exc, NetworkError | InvalidToken | Conflict):
        return Outcome(Verdict.RETRY, _short(exc), _outage_delay(attempts), outage=True)
    delay = min(timedelta(seconds=2 ** min(attempts, 11)), UNKNOWN_MAX)
    return Outcome(Verdict.RETRY, _short(exc), delay)


def _bad_request(message: str, *, op: str) -> Outcome:
    """Sort 400 answers into done, resend and failed."""
    lowered = message.lower()
    if "not modified" in lowered:
        return Outcome(Verdict.DONE, "400: not modified")
    if op == "edit" and any(marker in lowered for marker in GONE):
        return Outcome(Verdict.RESEND, f"400: {message}"[:200])
    return Outcome(Verdict.FAILED, f"400: {message}"[:200])


def _maybe_delivered(exc: TimedOut) -> bool:
    """Return whether the request reached the server before the time-out."""
    cause = exc.__cause__
    return not isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)


def _outage_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4, 8, then 15 s at most: the row drains soon after an outage."""
    return min(timedelta(seconds=2 ** min(max(attempts - 1, 0), 4)), OUTAGE_MAX)


def _seconds(value: int | timedelta) -> timedelta:
    """Normalise PTB's retry_after to a timedelta."""
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def _short(exc: BaseException) -> str:
    """Describe an error in one short line."""
    if isinstance(exc, InvalidToken):
        return "401/404 from the Bot API"
    return f"{type(exc).__name__}: {exc}"[:200]
