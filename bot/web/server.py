"""Serve an ASGI app with uvicorn inside the bot's own event loop, beside python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

logger = logging.getLogger(__name__)


class BindFailed(Exception):
    """The HTTP server could not listen where DEPUTYBOT_HTTP_LISTEN says."""


class _InLoopServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the bot (it stops when told to)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Install no signal handlers: the bot's lifecycle owns SIGINT and SIGTERM."""
        yield


class WebServer:
    """One HTTP server task; start() binds and returns the port, stop() drains and closes."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: _InLoopServer | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = port

    async def start(self) -> int:
        """Bind the socket, start serving and return the port it listens on (within 10 s)."""
        sock = _bind(self._host, self._port)
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self._app, lifespan="off", log_level="warning", access_log=False, server_header=False
        )
        self._server = _InLoopServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="http-server")
        for _ in range(1000):
            if self._server.started or self._task.done():
                break
            await asyncio.sleep(0.01)
        if not self._server.started:
            await self.stop()
            raise BindFailed(f"HTTP server did not start on {self._host}:{self.port}")
        logger.info("HTTP server listening on %s:%s", self._host, self.port)
        return self.port

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting, let requests in flight finish (at most `grace` seconds)."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._server.force_exit = True
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._server, self._task = None, None


def free_port(host: str) -> int:
    """Return a port nobody listens on now, for an address that must be known in advance."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _bind(host: str, port: int) -> socket.socket:
    """Open the listening socket ourselves, so a port in use is one clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise BindFailed(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock
