"""Push updates to a webhook the way Telegram does: one at a time, in order, until accepted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp

from .state import State, now

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 2.0
PUSH_TIMEOUT = 10.0


class WebhookPusher:
    """Delivers the pending updates to the webhook URL while one is set."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._task: asyncio.Task[None] | None = None
        self.pushed = 0  # updates the webhook accepted
        self.failed = 0  # attempts refused or not answered (each retried)
        self.attempts: list[tuple[int, str]] = []  # (update_id, "200" / "401" / "refused" ...)

    @property
    def url(self) -> str:
        """Return the webhook URL set (empty when none: getUpdates works)."""
        return self._state.webhook_url

    def start(self) -> None:
        """Start pushing in the background."""
        self._task = asyncio.create_task(self._run(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        """Stop pushing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        """Push the oldest pending update, again until it is accepted, then the next."""
        delay = BACKOFF_FIRST
        timeout = aiohttp.ClientTimeout(total=PUSH_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            while not self._state.closing:
                state = self._state
                batch = state.take_updates(None, 1) if state.webhook_url else []
                if not batch:
                    await state.updates_signal.wait(1.0)
                    continue
                update = batch[0]
                if await self._push(client, update):
                    delay = BACKOFF_FIRST
                    state.pending = [u for u in state.pending if u is not update]
                    self.pushed += 1
                    continue
                self.failed += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)

    async def _push(self, client: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        """POST one update; True when the webhook answered 2xx (else the error is recorded)."""
        state = self._state
        headers = {SECRET_HEADER: state.webhook_secret} if state.webhook_secret else {}
        try:
            async with client.post(state.webhook_url, json=update, headers=headers) as response:
                await response.read()
                status, reason = response.status, response.reason
        except aiohttp.ClientConnectorError:
            return self._failed(update, "refused", "Connection refused")
        except (aiohttp.ClientError, TimeoutError) as exc:
            name = type(exc).__name__
            return self._failed(update, name, f"Connection failed: {name}")
        if 200 <= status < 300:
            self.attempts.append((int(update["update_id"]), str(status)))
            return True
        return self._failed(
            update, str(status), f"Wrong response from the webhook: {status} {reason}"
        )

    def _failed(self, update: dict[str, Any], outcome: str, error: str) -> bool:
        """Record a failed attempt the way getWebhookInfo reports it; return False."""
        self.attempts.append((int(update["update_id"]), outcome))
        self._state.webhook_error = (now(), error)
        log.debug("webhook push of %s failed: %s", update["update_id"], error)
        return False
