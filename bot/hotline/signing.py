"""Sign and verify requests between deputybot and the 12345 platform.

Both directions use the same scheme: HMAC-SHA256 over `timestamp + "." + body` with the
shared secret, hex-encoded, sent with the application id and the timestamp (Unix seconds).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

APP_ID_HEADER = "X-Hotline-App-Id"
TIMESTAMP_HEADER = "X-Hotline-Timestamp"
SIGNATURE_HEADER = "X-Hotline-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# A request whose timestamp is further than this from our clock is refused (replay window).
MAX_SKEW_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of `timestamp.body` under the shared secret."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(app_id: str, secret: str, body: bytes, now: float) -> dict[str, str]:
    """Return the headers that sign a request body sent at `now` (Unix seconds)."""
    timestamp = str(int(now))
    return {
        APP_ID_HEADER: app_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


@dataclass(frozen=True)
class Refusal:
    """Why a signed request was not accepted: a code for machines, the HTTP status."""

    code: str
    status: int


def check(
    *,
    app_id: str,
    secret: str,
    headers: dict[str, str],
    body: bytes,
    now: float,
    max_skew: int = MAX_SKEW_SECONDS,
) -> Refusal | None:
    """Check a request's app id, timestamp and signature; None when it is genuine."""
    given_app = headers.get(APP_ID_HEADER.lower(), "")
    timestamp = headers.get(TIMESTAMP_HEADER.lower(), "")
    given = headers.get(SIGNATURE_HEADER.lower(), "")
    if not (given_app and timestamp and given):
        return Refusal("unsigned", 401)
    if not hmac.compare_digest(given_app.encode(), app_id.encode()):
        return Refusal("unknown_app", 401)
    if not timestamp.isdigit() or abs(now - int(timestamp)) > max_skew:
        return Refusal("stale_timestamp", 401)
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        return Refusal("bad_signature", 401)
    return None
