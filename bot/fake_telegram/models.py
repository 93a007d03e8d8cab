"""Records of what the bot did, plus the wake-up signal used by long polls and waits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (edits applied)."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: list[list[dict[str, Any]]] | None = None
    photo: bool = False
    parse_mode: str | None = None
    edited: int = 0
    raw_text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    document: str | None = None
    file_bytes: bytes | None = None
    file_id: str | None = None
    reply_to_message_id: int | None = None
    keyboard: dict[str, Any] | None = None
    deleted: bool = False
    date: int = 0
    edit_date: int = 0
    history: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    forward_origin: dict[str, Any] | None = None

    def buttons(self) -> list[str]:
        """Return the inline button labels, row by row, flattened."""
        return [button["text"] for row in self.reply_markup or [] for button in row]

    def button(self, label: str) -> dict[str, Any]:
        """Return the inline button with this label; raise LookupError if absent."""
        for row in self.reply_markup or []:
            for button in row:
                if button.get("text") == label:
                    return button
        raise LookupError(f"no button {label!r} on message {self.message_id}: {self.buttons()}")

    def button_data(self, label: str) -> str:
        """Return the callback_data of the button with this label."""
        data = self.button(label).get("callback_data")
        if data is None:
            raise LookupError(f"button {label!r} has no callback_data")
        return str(data)

    def describe(self) -> str:
        """Return a one-line summary for failure dumps."""
        flags = [f"edited x{self.edited}"] if self.edited else []
        flags += ["photo"] if self.photo else []
        flags += [f"document {self.document}"] if self.document else []
        flags += sorted(self.extra)
        flags += ["forwarded"] if self.forward_origin else []
        flags += ["deleted"] if self.deleted else []
        extra = f" [{', '.join(flags)}]" if flags else ""
        buttons = f" buttons={self.buttons()}" if self.reply_markup else ""
        return f"#{self.message_id}{extra} {self.text!r}{buttons}"


@dataclass(frozen=True)
class StoredFile:
    """A file known to the server: a user's photo or something the bot uploaded."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str = "file"
    mime_type: str = "application/octet-stream"

    def info(self) -> dict[str, Any]:
        """Return the Bot API File object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class Mark:
    """A position in the event log; `wait_for(after=mark)` sees only later events."""

    position: int


class Signal:
    """Wake every waiter whenever something changed."""

    def __init__(self) -> None:
        self._futures: set[asyncio.Future[None]] = set()

    def fire(self) -> None:
        """Wake all current waiters."""
        for future in self._futures:
            if not future.done():
                future.set_result(None)
        self._futures.clear()

    async def wait(self, seconds: float) -> None:
        """Return when fired or after `seconds`, whichever is first."""
        if seconds <= 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._futures.add(future)
        try:
            await asyncio.wait({future}, timeout=seconds)
        finally:
            self._futures.discard(future)
            future.cancel()
