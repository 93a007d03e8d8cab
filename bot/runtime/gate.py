"""A per-user rate limit for people the bot does not know: answered a few times, then quietly."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateGate:
    """Allow each key `limit` events per `period` seconds; refuse the rest."""

    def __init__(
        self,
        limit: int = 5,
        period: float = 60.0,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._period = period
        self._max_keys = max_keys
        self._clock = clock
        self._events: OrderedDict[int, deque[float]] = OrderedDict()

    def allow(self, key: int) -> bool:
        """Count one event of `key`; False once it is over the limit."""
        now = self._clock()
        events = self._events.pop(key, None) or deque()
        while events and now - events[0] >= self._period:
            events.popleft()
        allowed = len(events) < self._limit
        if allowed:
            events.append(now)
        self._events[key] = events
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)
        return allowed
