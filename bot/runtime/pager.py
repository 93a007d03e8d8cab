"""Page administrators about errors: once per kind per window, then a count of the rest."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import texts

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 600.0

Tell = Callable[[str], Awaitable[None]]


@dataclass
class _Window:
    """Errors of one kind since the last page."""

    opened: float
    count: int = 0


class ErrorPager:
    """Tells administrators about an error at once, and about its repeats every window."""

    def __init__(
        self,
        tell: Tell,
        *,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tell = tell
        self._window = window
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    async def page(self, kind: str) -> None:
        """Page about one error now if its kind is new in this window, else count it."""
        now = self._clock()
        window = self._windows.get(kind)
        if window is not None and now - window.opened < self._window:
            window.count += 1
            return
        if window is not None and window.count:
            await self._send_repeats(kind, window)
        self._windows[kind] = _Window(opened=now)
        await self._send(texts.INTERNAL_ERROR_ADMIN.format(error=kind))

    async def flush(self) -> None:
        """Report the repeats of every kind whose window has ended; forget quiet kinds."""
        now = self._clock()
        for kind, window in list(self._windows.items()):
            if now - window.opened < self._window:
                continue
            if window.count:
                await self._send_repeats(kind, window)
                self._windows[kind] = _Window(opened=now)
            else:
                del self._windows[kind]

    async def _send_repeats(self, kind: str, window: _Window) -> None:
        """Report how often a kind happened again."""
        minutes = round(self._window / 60)
        text = texts.INTERNAL_ERROR_REPEATED.format(minutes=minutes, count=window.count, error=kind)
        window.count = 0
        await self._send(text)

    async def _send(self, text: str) -> None:
        """Queue a page; a failure to queue is logged, never raised."""
        try:
            await self._tell(text)
        except Exception as exc:
            logger.warning("cannot page the administrators: %r", exc)
