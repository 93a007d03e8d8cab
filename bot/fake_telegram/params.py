"""Decode Bot API parameters sent as query string, form, multipart or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

INT_KEYS = frozenset(
    {
        "message_id",
        "user_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "cache_time",
        "from_chat_id",
        "message_thread_id",
        "max_connections",
    }
)
FLOAT_KEYS = frozenset({"timeout", "latitude", "longitude"})
BOOL_KEYS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
    }
)
JSON_KEYS = frozenset(
    {
        "reply_markup",
        "scope",
        "commands",
        "allowed_updates",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "media",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


def _convert(key: str, value: Any) -> Any:
    """Convert one wire value to its Python type by parameter name."""
    if not isinstance(value, str):
        return value
    try:
        if key == "chat_id":
            return int(value) if value.lstrip("-").isdigit() else value
        if key in INT_KEYS:
            return int(value)
        if key in FLOAT_KEYS:
            return float(value)
        if key in BOOL_KEYS:
            return value.lower() in ("true", "1")
        if key in JSON_KEYS:
            return json.loads(value)
    except ValueError as exc:
        if key == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from exc
        raise bad_request(f"invalid {key}") from exc
    return value


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode every parameter; file parts pass through as `Upload`."""
    return {key: _convert(key, value) for key, value in raw.items()}


class Params:
    """Typed read access to decoded parameters."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def has(self, key: str) -> bool:
        """Tell whether the parameter was sent."""
        return self.data.get(key) is not None

    def get_int(self, key: str, default: int | None = None) -> int:
        """Return an integer parameter; missing ones are a 400 unless defaulted."""
        value = self.data.get(key)
        if value is None:
            if default is None:
                raise bad_request(f"{key} is empty")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_request(f"invalid {key}")
        return int(value)

    def get_float(self, key: str, default: float = 0.0) -> float:
        """Return a number parameter."""
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_request(f"invalid {key}")
        return float(value)

    def get_str(self, key: str) -> str | None:
        """Return a string parameter or None."""
        value = self.data.get(key)
        return None if value is None else str(value)

    def get_bool(self, key: str) -> bool:
        """Return a boolean parameter (False when missing)."""
        return bool(self.data.get(key))

    def get_obj(self, key: str) -> Any:
        """Return a decoded JSON parameter or None."""
        return self.data.get(key)

    def chat_id(self) -> int | str:
        """Return chat_id, required."""
        value = self.data.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int | str) and not isinstance(value, bool):
            return value
        raise bad_request("chat not found")

    def recorded(self) -> dict[str, Any]:
        """Return the parameters for `calls`, with uploads shown by file name."""
        return {
            key: f"<upload {value.filename}>" if isinstance(value, Upload) else value
            for key, value in self.data.items()
        }
