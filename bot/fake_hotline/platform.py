"""The simulated platform: an aiohttp server, its records, and the reports it sends back."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiohttp import web

from bot.hotline import signing
from bot.hotline.client import encode

DEMO_ANSWER = "经核查，反映的问题属实，已责成相关单位整改并依法处理。感谢您的反映。"


@dataclass(frozen=True)
class Received:
    """One request the platform accepted from deputybot."""

    kind: str  # "order" or the event type
    code: str
    key: str
    body: dict[str, Any]


@dataclass
class Faults:
    """How the platform misbehaves now."""

    status: int | None = None  # answer every request with this status (503, 429, 400 ...)
    retry_after: int | None = None
    refuse_codes: set[str] = field(default_factory=set)  # answer 400 for these work orders
    refuse_orders: int = 0  # answer 400 to this many new work orders (and their events)
    delay: float = 0.0  # seconds before answering (a slow platform)


class FakeHotline:
    """The platform's HTTP side (work orders in) and its callbacks (reports out)."""

    def __init__(
        self,
        *,
        app_id: str = "deputybot-demo",
        secret: str = "demo-secret",
        callback_url: str | None = None,
        auto: timedelta | None = None,
    ) -> None:
        self.app_id = app_id
        self.secret = secret
        self.callback_url = callback_url
        self.auto = auto  # accept, then answer, this long after each new work order
        self.received: list[Received] = []
        self.repeats = 0  # requests dropped as repeats of an Idempotency-Key
        self.refused: list[tuple[int, str]] = []  # (status, why) of requests refused
        self.reports: dict[str, list[dict[str, Any]]] = {}  # code -> our reports (for polling)
        self.faults = Faults()
        self._keys: set[str] = set()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._port = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.arrived = asyncio.Event()
        # Hooks for the offline demo: what arrived, and each report with its answer.
        self.on_received: Callable[[Received], None] | None = None
        self.on_reported: Callable[[dict[str, Any], int, dict[str, Any]], None] | None = None

    # --- serving ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen (on a free port unless given)."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/workorders", self._order)
        app.router.add_post("/workorders/{code}/events", self._event)
        app.router.add_get("/workorders/{code}/events", self._events)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await self._listen(host, port)

    async def _listen(self, host: str, port: int) -> None:
        """Open the listening socket (again, on the same port, after go_offline)."""
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await self._site.start()
        self._port = self._site.port

    async def stop(self) -> None:
        """Stop serving and cancel pending automatic reports."""
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def go_offline(self) -> None:
        """Stop listening and cut open connections: deputybot's requests are refused."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        server = self._runner.server if self._runner is not None else None
        for connection in server.connections if server else []:
            connection.force_close()
        await asyncio.sleep(0)

    async def come_back(self) -> None:
        """Listen again on the same port."""
        await self._listen("127.0.0.1", self._port)

    @property
    def url(self) -> str:
        """Return the base URL deputybot is configured with."""
        return f"http://127.0.0.1:{self._port}"

    async def __aenter__(self) -> FakeHotline:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- what deputybot sends ----------------------------------------------------------------

    async def _order(self, request: web.Request) -> web.Response:
        """Receive a work order."""
        return await self._take(request, None)

    async def _event(self, request: web.Request) -> web.Response:
        """Receive an event on a work order."""
        return await self._take(request, request.match_info["code"])

    async def _take(self, request: web.Request, code: str | None) -> web.Response:
        """Check, deduplicate and record one request."""
        body = await request.read()
        if self.faults.delay:
            await asyncio.sleep(self.faults.delay)
        refusal = signing.check(
            app_id=self.app_id,
            secret=self.secret,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            now=time.time(),
        )
        if refusal is not None:
            return self._refuse(refusal.status, refusal.code)
        if self.faults.status is not None:
            headers = (
                {"Retry-After": str(self.faults.retry_after)} if self.faults.retry_after else {}
            )
            return self._refuse(self.faults.status, "fault", headers)
        data = json.loads(body)
        code = code or str(data.get("code"))
        if self.faults.refuse_orders and request.match_info.get("code") is None:
            self.faults.refuse_orders -= 1
            self.faults.refuse_codes.add(code)
        if code in self.faults.refuse_codes:
            return self._refuse(400, "refused")
        key = request.headers.get(signing.IDEMPOTENCY_HEADER, "")
        if key in self._keys:
            self.repeats += 1
            return web.json_response({"success": True, "code": "duplicate", "message": "重复"})
        if request.match_info.get("code") and not self._known(code):
            return self._refuse(404, "unknown_code")
        self._keys.add(key)
        kind = str(data.get("type", "order"))
        received = Received(kind, code, key, data)
        self.received.append(received)
        self.arrived.set()
        if self.on_received is not None:
            self.on_received(received)
        if kind == "order" and self.auto is not None:
            self._spawn(self._work(code))
        return web.json_response({"success": True, "code": "ok", "message": "已接收"})

    def _known(self, code: str) -> bool:
        """Tell whether a work order with this code was received."""
        return any(r.code == code and r.kind == "order" for r in self.received)

    def _refuse(self, status: int, why: str, headers: dict[str, str] | None = None) -> web.Response:
        """Answer with an error in the contract's shape."""
        self.refused.append((status, why))
        body = {"success": False, "code": why, "message": why}
        return web.json_response(body, status=status, headers=headers)

    async def _events(self, request: web.Request) -> web.Response:
        """Serve the platform's own reports on a work order (the poll)."""
        refusal = signing.check(
            app_id=self.app_id,
            secret=self.secret,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=b"",
            now=time.time(),
        )
        if refusal is not None:
            return self._refuse(refusal.status, refusal.code)
        return web.json_response({"events": self.reports.get(request.match_info["code"], [])})

    def orders(self) -> list[Received]:
        """Return the work orders received, in order."""
        return [r for r in self.received if r.kind == "order"]

    def of(self, code: str) -> list[Received]:
        """Return everything received about one work order, in order."""
        return [r for r in self.received if r.code == code]

    # --- what the platform reports -----------------------------------------------------------

    def event(self, code: str, type: str, **fields: Any) -> dict[str, Any]:
        """Make one report (kept for the poll too), with a fresh event id."""
        event = {
            "event_id": f"evt-{next(self._ids)}-{code}",
            "code": code,
            "type": type,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            **fields,
        }
        self.reports.setdefault(code, []).append(event)
        return event

    async def send(
        self,
        event: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Post a report to deputybot's callback URL, signed unless headers are given."""
        assert self.callback_url, "no callback URL"
        body = raw if raw is not None else encode(event)
        sent = headers if headers is not None else self.sign(body)
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                self.callback_url,
                content=body,
                headers={**sent, "Content-Type": "application/json"},
            )
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, {"text": response.text}

    async def report(self, code: str, type: str, **fields: Any) -> tuple[int, dict[str, Any]]:
        """Make a report and post it."""
        event = self.event(code, type, **fields)
        status, answer = await self.send(event)
        if self.on_reported is not None:
            self.on_reported(event, status, answer)
        return status, answer

    def sign(self, body: bytes, *, now: float | None = None) -> dict[str, str]:
        """Return the signed headers of a body."""
        return signing.signed_headers(self.app_id, self.secret, body, now or time.time())

    def _spawn(self, work: Any) -> None:
        """Run an automatic report in the background."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(self, code: str) -> None:
        """Accept, then answer, a new work order by itself (auto mode, for the demo)."""
        assert self.auto is not None
        await asyncio.sleep(self.auto.total_seconds())
        await self.report(code, "受理", handler="王五", unit="12345热线中心")
        await asyncio.sleep(self.auto.total_seconds())
        await self.report(code, "办结", handler="王五", unit="12345热线中心", text=DEMO_ANSWER)
