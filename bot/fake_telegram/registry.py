"""The table of Bot API methods, keyed by lower-case name like Telegram's router."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .params import Params
from .state import State

Handler = Callable[[State, Params], Any]
METHODS: dict[str, tuple[str, Handler]] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register
