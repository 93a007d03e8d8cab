"""Push updates to a webhook the way Telegram does: one at a time, in order, until accepted."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from .state import State

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BACKOFF_MAX = 2.0


class WebhookPusher:
    """Delivers the pending updates to the webhook URL while one is set."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._task: asyncio.Task[None] | None = None
        self.pushed = 0  # updates the webhook accepted
        self.failed = 0  # attempts refused or not answered (each retried)

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
        delay = 0.05
        async with httpx.AsyncClient(timeout=10) as client:
            while not self._state.closing:
                state = self._state
                batch = state.take_updates(None, 1) if state.webhook_url else []
                if not batch:
                    await state.updates_signal.wait(1.0)
                    continue
                update = batch[0]
                if await self._push(client, update):
                    delay = 0.05
                    state.pending = [u for u in state.pending if u is not update]
                    self.pushed += 1
                    continue
                self.failed += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)

    async def _push(self, client: httpx.AsyncClient, update: dict[str, object]) -> bool:
        """POST one update; True when the webhook answered 2xx."""
        headers = {SECRET_HEADER: self._state.webhook_secret} if self._state.webhook_secret else {}
        try:
            response = await client.post(self._state.webhook_url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            log.debug("webhook push failed: %s", type(exc).__name__)
            return False
        return 200 <= response.status_code < 300
