"""Everything the fake server knows: users, chats, messages, files and the update queue."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request
from .models import BotMessage, Signal, StoredFile

UPDATE_TYPES_DEFAULT_OFF = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def now() -> int:
    """Return the Unix time Telegram puts in `date`."""
    return int(time.time())


class State:
    """Shared mutable state of one fake Bot API server."""

    def __init__(self, token: str, bot_username: str, bot_id: int, instant: bool) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.instant = instant
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.messages: list[BotMessage] = []
        self.by_key: dict[tuple[int, int], BotMessage] = {}
        self.index_of: dict[tuple[int, int], int] = {}
        self.incoming: dict[tuple[int, int], dict[str, Any]] = {}
        self.pending: list[dict[str, Any]] = []
        self.delivered: dict[int, dict[str, Any]] = {}
        self.queries: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.events: list[tuple[str, BotMessage]] = []
        self.changed = Signal()
        self.updates_signal = Signal()
        self.poll_generation = 0
        self.conflicts = 0
        self.closing = False
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_error: tuple[int, str] | None = None  # (unix time, message) of the last push
        self.allowed_updates: list[str] = []
        self.last_update_id = 0
        self.on_message: Callable[[BotMessage], None] | None = None
        self.on_incoming: Callable[[dict[str, Any]], None] | None = None
        self._next_message: dict[int, int] = {}
        self._update_ids = itertools.count(100_000_001)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_001)

    # --- identities -------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """Return the bot as a User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Deputy Test Bot",
            "username": self.bot_username,
        }

    def user(self, user_id: int) -> dict[str, Any]:
        """Return a known user as a User object."""
        return dict(self.users[user_id])

    def chat(self, chat_id: int) -> dict[str, Any]:
        """Return the private Chat object of a known user."""
        user = self.users[chat_id]
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        return chat

    def require_chat(self, chat_id: int | str, *, sending: bool = True) -> int:
        """Resolve chat_id to a known private chat or raise Telegram's error."""
        if isinstance(chat_id, str):
            matches = [u for u, v in self.users.items() if f"@{v.get('username')}" == chat_id]
            if not matches:
                raise bad_request("chat not found")
            chat_id = matches[0]
        if chat_id not in self.users:
            raise bad_request("chat not found")
        if sending and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id in a chat (users and the bot share the counter)."""
        value = self._next_message.get(chat_id, 0) + 1
        self._next_message[chat_id] = value
        return value

    # --- bot messages -----------------------------------------------------------------------

    def message_dict(self, message: BotMessage, *, nested: bool = True) -> dict[str, Any]:
        """Render a bot message as the Bot API Message object."""
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": self.chat(message.chat_id),
            "date": message.date,
        }
        if message.edit_date:
            data["edit_date"] = message.edit_date
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        body_key, entities_key = "text", "entities"
        stored = self.files.get(message.file_id or "")
        if message.photo and stored:
            data["photo"] = [self.photo_size(stored, 320, 240)]
        elif message.document is not None and stored:
            data["document"] = self.document_dict(stored)
        data.update(message.extra)
        if "photo" in data or "document" in data or message.extra:
            body_key, entities_key = "caption", "caption_entities"
        if message.text or body_key == "text":
            data[body_key] = message.text
        if message.entities:
            data[entities_key] = message.entities
        if message.reply_markup is not None:
            data["reply_markup"] = {"inline_keyboard": message.reply_markup}
        if nested and message.reply_to_message_id is not None:
            replied = self.find_any(message.chat_id, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = replied
        return data

    def find_any(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Return any message in the chat (user's or bot's) as a dict."""
        if (chat_id, message_id) in self.incoming:
            incoming = copy.deepcopy(self.incoming[chat_id, message_id])
            incoming.pop("reply_to_message", None)
            return incoming
        found = self.by_key.get((chat_id, message_id))
        if found is None or found.deleted:
            return None
        return self.message_dict(found, nested=False)

    def add_message(self, message: BotMessage) -> None:
        """Store a new bot message and notify watchers."""
        key = (message.chat_id, message.message_id)
        self.index_of[key] = len(self.messages)
        self.messages.append(message)
        self.by_key[key] = message
        self.record("sent", message)

    def record(self, kind: str, message: BotMessage) -> None:
        """Log a send/edit/delete event, wake waiters and call the hook."""
        if kind != "deleted":
            message.history.append(message.text)
        self.events.append((kind, message))
        self.changed.fire()
        if self.on_message is not None and kind != "deleted":
            self.on_message(message)

    # --- files ------------------------------------------------------------------------------

    def store_file(self, data: bytes, folder: str, file_name: str, mime_type: str) -> StoredFile:
        """Keep bytes under a fresh file_id and file_path."""
        number = next(self._file_ids)
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"AgAC{folder[:3]}{number:08d}FAKE",
            file_unique_id=f"AQAD{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.file_paths[stored.file_path] = stored
        return stored

    @staticmethod
    def photo_size(stored: StoredFile, width: int, height: int) -> dict[str, Any]:
        """Return a PhotoSize object for a stored file."""
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "width": width,
            "height": height,
        }

    @staticmethod
    def document_dict(stored: StoredFile) -> dict[str, Any]:
        """Return a Document object for a stored file."""
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }

    # --- updates ----------------------------------------------------------------------------

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue an update (payload without update_id) and wake long polls."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **payload}
        self.pending.append(update)
        self.delivered[update_id] = update
        self.last_update_id = update_id
        self.updates_signal.fire()
        if self.on_incoming is not None:
            self.on_incoming(update)
        return update_id

    def new_query_id(self) -> str:
        """Allocate a callback query id."""
        return str(next(self._query_ids))

    def take_updates(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        """Confirm updates below `offset` and return up to `limit` allowed ones."""
        if offset is not None and offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset is not None and offset < 0:
            self.pending = self.pending[offset:]
        allowed = set(self.allowed_updates)
        if allowed:
            self.pending = [u for u in self.pending if _update_type(u) in allowed]
        else:
            self.pending = [
                u for u in self.pending if _update_type(u) not in UPDATE_TYPES_DEFAULT_OFF
            ]
        return self.pending[:limit]


def _update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")
