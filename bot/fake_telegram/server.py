"""FakeTelegram: an in-process Bot API server over real HTTP, with a test driver API."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import bot_api, content_api, messages_api
from .errors import ApiError
from .faults import FaultDriver, FaultPlan, Hold
from .models import BotMessage
from .observe import Observer
from .params import Params, Upload, normalize
from .registry import METHODS, Handler
from .state import State
from .users import UserDriver
from .webhook import WebhookPusher

__all__ = ["FakeTelegram"]
_REGISTERED = (bot_api, content_api, messages_api)
MAX_BODY = 64 * 1024 * 1024
log = logging.getLogger(__name__)


def _error(code: int, description: str) -> web.Response:
    return _failure(ApiError(code, description))


def _failure(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.error_code)


class FakeTelegram(UserDriver, Observer, FaultDriver):
    """A local Telegram Bot API server that a real PTB Application can poll."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "deputy_test_bot",
        bot_id: int = 123456,
        instant_get_updates: bool = False,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self._state = State(token, bot_username, bot_id, instant_get_updates)
        self._plan = FaultPlan()
        self._cursors = {}
        self._snapshots = {}
        self.server_errors: list[Exception] = []
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self.webhook = WebhookPusher(self._state)
        self._port = 0
        self._host = "127.0.0.1"

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        self._host = host
        await self._listen(port)
        self._state.closing = False
        self.webhook.start()

    async def _listen(self, port: int) -> None:
        """Open the listening socket (reusable, so come_back() can bind the same port)."""
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self._host, port, reuse_address=True)
        await self._site.start()
        self._port = self._site.port

    async def stop(self) -> None:
        """End pending long polls and held calls at once, then close the server."""
        self._state.closing = True
        self._state.updates_signal.fire()
        await self.webhook.stop()
        self._plan.release_held()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def go_offline(self) -> None:
        """Stop listening: new connections are refused, open ones and pending calls are cut.

        Users, messages and pending updates are kept; come_back() listens on the same port.
        """
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started")
        if self._site is not None:
            await self._site.stop()
            self._site = None
        for task in list(self._inflight):
            self._plan.counts["dropped"] += 1
            task.cancel()
        for connection in self._runner.server.connections if self._runner.server else []:
            connection.force_close()
        await asyncio.sleep(0)

    async def come_back(self) -> None:
        """Listen again on the same host:port after go_offline(), with the state kept."""
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started")
        if self._site is None:
            await self._listen(self._port)

    @property
    def offline(self) -> bool:
        """Tell whether go_offline() is in effect."""
        return self._runner is not None and self._site is None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def root(self) -> str:
        """Return "http://host:port"; the bot calls {root}/bot<token>/<method>."""
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Return the value for ApplicationBuilder.base_url()."""
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for ApplicationBuilder.base_file_url()."""
        return f"{self.root}/file/bot"

    # --- hooks ------------------------------------------------------------------------------

    @property
    def on_message(self) -> Callable[[BotMessage], None] | None:
        """Return the hook called after the bot sends or edits a message."""
        return self._state.on_message

    @on_message.setter
    def on_message(self, hook: Callable[[BotMessage], None] | None) -> None:
        self._state.on_message = hook

    @property
    def on_incoming(self) -> Callable[[dict[str, Any]], None] | None:
        """Return the hook called with each update a user produces (message or callback)."""
        return self._state.on_incoming

    @on_incoming.setter
    def on_incoming(self, hook: Callable[[dict[str, Any]], None] | None) -> None:
        self._state.on_incoming = hook

    # --- HTTP -------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Serve one Bot API call, applying the active fault modes."""
        refused = self._plan.refusal()
        if refused is not None:
            return _failure(refused)
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return _error(404, "Not Found")
        name, handler = entry
        late = self._plan.take_delay("late", name)
        slow = self._plan.take_delay("slow", name)
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            response = await self._answer(request, name, handler, slow)
            if late is not None:
                await self._plan.hold(late)
            return response
        finally:
            self._inflight.discard(task)

    async def _answer(
        self, request: web.Request, name: str, handler: Handler, slow: Hold | None
    ) -> web.Response:
        """Run the method (after the slow delay, if any) and render its result or error."""
        try:
            params = Params(normalize(await self._read(request)))
            self._state.calls.append((name, params.recorded()))
            result = await self._plan.run(self._call(name, handler, params, slow))
        except ApiError as exc:
            return _failure(exc)
        except Exception as exc:
            log.exception("fake_telegram failed on %s", name)
            self.server_errors.append(exc)
            return _error(500, f"Internal Server Error: fake_telegram bug: {exc!r}")
        return web.json_response({"ok": True, "result": result})

    async def _call(self, name: str, handler: Handler, params: Params, slow: Hold | None) -> Any:
        """Wait out a slow call, raise a queued fail_next error, else call the handler."""
        if slow is not None:
            await self._plan.hold(slow)
        fault = self._plan.take_error(name)
        if fault is not None:
            raise fault
        result = handler(self._state, params)
        if inspect.isawaitable(result):
            result = await result
        return result

    @staticmethod
    async def _read(request: web.Request) -> dict[str, Any]:
        """Collect parameters from the query string and a form, multipart or JSON body."""
        data: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return data
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            data.update(body)
            return data
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                data[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                data[key] = value
        return data

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Serve a file's bytes by its getFile path."""
        refused = self._plan.refusal()
        if refused is not None:
            return _failure(refused)
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        stored = self._state.file_paths.get(request.match_info["path"])
        if stored is None:
            return _error(404, "Not Found")
        return web.Response(body=stored.data, content_type=stored.mime_type)

    def __repr__(self) -> str:
        started = self.root if self._runner is not None else "stopped"
        started += " (offline)" if self.offline else ""
        return f"<FakeTelegram @{self.bot_username} {started}>"
