"""Driver API that plays the users: messages, photos, button presses, redelivery."""

from __future__ import annotations

import copy
import zlib
from typing import Any

from .formatting import command_entities
from .state import State, now

# Stand-in photo bytes: JPEG start/end markers, not a decodable image.
TINY_JPEG = b"\xff\xd8\xff\xe0FAKE-JPEG-PHOTO\xff\xd9"


class UserDriver:
    """Inject updates the way Telegram users would produce them."""

    _state: State

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str = "zh-hans",
    ) -> None:
        """Register a user; their private chat has chat id == user id."""
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username:
            user["username"] = username
        self._state.users[user_id] = user

    def _incoming(
        self, user_id: int, content: dict[str, Any], reply_to: int | None = None
    ) -> dict[str, Any]:
        """Create a user message in their private chat and queue its update."""
        state = self._state
        if user_id not in state.users:
            raise KeyError(f"unknown user {user_id}: call add_user() first")
        if reply_to is not None:
            replied = state.find_any(user_id, reply_to)
            if replied is None:
                raise LookupError(f"no message {reply_to} in chat {user_id} to reply to")
            content = {**content, "reply_to_message": replied}
        message_id = state.next_message_id(user_id)
        message = {
            "message_id": message_id,
            "from": state.user(user_id),
            "chat": state.chat(user_id),
            "date": now(),
            **content,
        }
        state.incoming[user_id, message_id] = message
        state.push_update({"message": message})
        return message

    def send_text(self, user_id: int, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        """Send a text (a leading /command gets its bot_command entity)."""
        if not text:
            raise ValueError("a Telegram message cannot have empty text")
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._incoming(user_id, content, reply_to)

    def send_sticker(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        """Send a regular static sticker."""
        stored = self._state.store_file(TINY_JPEG, "stickers", "sticker.webp", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._incoming(user_id, {"sticker": sticker})

    def send_photo(
        self,
        user_id: int,
        caption: str | None = None,
        *,
        data: bytes = TINY_JPEG,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Send a photo (thumbnail and full size, both downloadable via getFile)."""
        state = self._state
        thumb = state.store_file(data, "photos", "thumb.jpg", "image/jpeg")
        full = state.store_file(data, "photos", "photo.jpg", "image/jpeg")
        content: dict[str, Any] = {
            "photo": [state.photo_size(thumb, 90, 67), state.photo_size(full, 800, 600)]
        }
        if caption:
            content["caption"] = caption
        return self._incoming(user_id, content, reply_to)

    def send_document(
        self, user_id: int, data: bytes, file_name: str, mime_type: str = "text/plain"
    ) -> dict[str, Any]:
        """Send a file as a document."""
        stored = self._state.store_file(data, "documents", file_name, mime_type)
        return self._incoming(user_id, {"document": self._state.document_dict(stored)})

    def send_location(self, user_id: int, latitude: float, longitude: float) -> dict[str, Any]:
        """Share a location."""
        return self._incoming(user_id, {"location": {"latitude": latitude, "longitude": longitude}})

    def press(self, user_id: int, message_id: int, callback_data: str) -> str:
        """Press a (possibly forged) callback button on a bot message; return the query id."""
        state = self._state
        message = state.by_key.get((user_id, message_id))
        if message is None or message.deleted:
            raise LookupError(f"no bot message {message_id} in chat {user_id}")
        query_id = state.new_query_id()
        query = {
            "id": query_id,
            "from": state.user(user_id),
            "message": state.message_dict(message),
            "chat_instance": str(zlib.crc32(f"{state.bot_id}:{user_id}".encode())),
            "data": callback_data,
        }
        state.queries[query_id] = query
        state.push_update({"callback_query": query})
        return query_id

    def press_button(self, user_id: int, message_id: int, text: str) -> str:
        """Press the inline button labelled `text` on the message's current keyboard."""
        message = self._state.by_key.get((user_id, message_id))
        if message is None or message.deleted:
            raise LookupError(f"no bot message {message_id} in chat {user_id}")
        return self.press(user_id, message_id, message.button_data(text))

    def redeliver(self, update_id: int) -> int:
        """Queue an exact copy of an earlier update under a new update_id; return that id."""
        state = self._state
        if update_id not in state.delivered:
            raise KeyError(f"no update {update_id}")
        payload = copy.deepcopy(state.delivered[update_id])
        del payload["update_id"]
        if "callback_query" in payload:
            query = payload["callback_query"]
            state.queries[query["id"]] = query
        return state.push_update(payload)

    def user_deletes(self, user_id: int, message_id: int) -> None:
        """Delete a message in the user's private chat, as the user would in their app.

        A bot message is marked deleted, so later edits answer 400 "Bad Request: message to
        edit not found"; a user's own message disappears (replies to it are then refused).
        """
        state = self._state
        message = state.by_key.get((user_id, message_id))
        if message is not None and not message.deleted:
            message.deleted = True
            state.record("deleted", message)
        elif state.incoming.pop((user_id, message_id), None) is None:
            raise LookupError(f"no message {message_id} in chat {user_id} to delete")

    def block(self, user_id: int) -> None:
        """Make the user block the bot: sends to them fail with 403."""
        self._state.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo block()."""
        self._state.blocked.discard(user_id)

    def last_update_id(self) -> int:
        """Return the update_id of the most recently injected update."""
        return self._state.last_update_id
