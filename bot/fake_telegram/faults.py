"""Fault modes for benchmarks: late answers, slow calls, error phases and their counters."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ApiError, Faults, make_error
from .models import Signal
from .registry import METHODS
from .state import State

T = TypeVar("T")
COUNTERS = ("late", "slow", "phase", "injected", "dropped")


def clock() -> float:
    """Return the running loop's monotonic time (time.monotonic() outside a loop)."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


@dataclass
class Delay:
    """Hold calls of one method for `seconds`; `remaining` None means until cleared."""

    seconds: float
    remaining: int | None


@dataclass(frozen=True)
class Hold:
    """A delay taken by one call; clear_faults() after `epoch` cuts it short."""

    seconds: float
    epoch: int


@dataclass(frozen=True)
class Phase:
    """Every call fails with `error` until the loop clock reaches `until` (None: until cleared)."""

    error: ApiError
    until: float | None


class FaultPlan:
    """The active fault modes of one server, consulted by its HTTP handlers."""

    def __init__(self) -> None:
        self.queued = Faults()
        self.late: dict[str, Delay] = {}
        self.slow: dict[str, Delay] = {}
        self.phase: Phase | None = None
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.release = Signal()
        self.epoch = 0
        self._watchers: set[asyncio.Future[ApiError]] = set()

    def refusal(self) -> ApiError | None:
        """Return the error of the active phase (counting one refused call), else None."""
        phase = self.phase
        if phase is None:
            return None
        if phase.until is not None and clock() >= phase.until:
            self.phase = None
            return None
        self.counts["phase"] += 1
        return phase.error

    def start_phase(self, error: ApiError, seconds: float | None) -> None:
        """Begin an error phase and end calls already waiting (long polls, slow calls)."""
        self.phase = Phase(error, None if seconds is None else clock() + seconds)
        for watcher in self._watchers:
            if not watcher.done():
                watcher.set_result(error)
        self._watchers.clear()

    def take_delay(self, kind: str, method: str) -> Hold | None:
        """Consume one use of the late or slow rule for `method`; return the delay to hold."""
        rules = self.late if kind == "late" else self.slow
        rule = rules.get(method.lower())
        if rule is None:
            return None
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                del rules[method.lower()]
        self.counts[kind] += 1
        return Hold(rule.seconds, self.epoch)

    async def hold(self, held: Hold) -> None:
        """Wait out a delay, or less if clear_faults() or stop() released held calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + held.seconds
        while held.epoch == self.epoch and (remaining := deadline - loop.time()) > 0:
            await self.release.wait(remaining)

    def release_held(self) -> None:
        """Let every call holding a late or slow delay go on at once."""
        self.epoch += 1
        self.release.fire()

    def take_error(self, method: str) -> ApiError | None:
        """Pop the next fail_next error queued for `method`, counting it."""
        error = self.queued.take(method)
        if error is not None:
            self.counts["injected"] += 1
        return error

    async def run(self, work: Awaitable[T]) -> T:
        """Await `work`; if an error phase starts meanwhile, cancel it and raise that error."""
        task = asyncio.ensure_future(work)
        watcher: asyncio.Future[ApiError] = asyncio.get_running_loop().create_future()
        self._watchers.add(watcher)
        try:
            both: set[asyncio.Future[Any]] = {task, watcher}
            await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            self._watchers.discard(watcher)
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
            self.counts["phase"] += 1
            raise watcher.result()
        watcher.cancel()
        return task.result()

    def clear(self) -> None:
        """End every fault mode and release calls being held."""
        self.queued.queued.clear()
        self.late.clear()
        self.slow.clear()
        self.phase = None
        self.release_held()


def _check(method: str, seconds: float) -> str:
    """Validate a method name and a delay; return the lower-case name."""
    if method.lower() not in METHODS:
        raise ValueError(f"unknown Bot API method {method!r}")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    return method.lower()


def _times(times: int | None) -> int | None:
    if times is not None and times < 1:
        raise ValueError("times must be a positive count or None")
    return times


class FaultDriver:
    """Driver API that injects faults into the Bot API the bot sees."""

    _state: State
    _plan: FaultPlan

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail with a Telegram-style error."""
        _check(method, 0)
        self._plan.queued.add(method, make_error(error_code, description, retry_after), times)

    def late_answers(self, method: str, seconds: float, *, times: int | None = None) -> None:
        """Let calls of `method` take effect at once but answer only after `seconds`.

        A client whose read timeout is shorter times out although the call was carried out
        (a sendMessage is stored and visible at once). `times=None` lasts until clear_faults();
        an int covers the next `times` calls of the method.
        """
        self._plan.late[_check(method, seconds)] = Delay(seconds, _times(times))

    def slow_calls(self, method: str, seconds: float, *, times: int | None = None) -> None:
        """Make calls of `method` wait `seconds` before taking effect, then answer normally.

        `times=None` lasts until clear_faults(); an int covers the next `times` calls.
        """
        self._plan.slow[_check(method, seconds)] = Delay(seconds, _times(times))

    def error_phase(
        self, code: int, *, seconds: float | None = None, description: str | None = None
    ) -> None:
        """Answer every request (all methods, getUpdates, getMe, file downloads) with `code`.

        The body is Telegram's error JSON ("Unauthorized", "Not Found", "Bad Gateway", ... or
        `description`). The phase lasts `seconds` on the event loop's monotonic clock, or until
        clear_faults() when None; pending long polls end at once with the same error.
        """
        if seconds is not None and seconds < 0:
            raise ValueError("seconds must not be negative")
        self._plan.start_phase(make_error(code, description), seconds)

    def clear_faults(self) -> None:
        """End late answers, slow calls, the error phase and queued fail_next errors.

        Calls currently held by late_answers or slow_calls are released at once.
        """
        self._plan.clear()

    @property
    def fault_counts(self) -> dict[str, int]:
        """Return how many calls were answered late, slowed, refused by a phase, etc.

        Keys: "late", "slow", "phase" (answered with the phase error), "injected" (fail_next
        errors answered) and "dropped" (calls cut off by go_offline()).
        """
        return dict(self._plan.counts)

    @property
    def conflicts(self) -> int:
        """Return how many 409 Conflict answers getUpdates gave (another poller or a webhook)."""
        return self._state.conflicts
