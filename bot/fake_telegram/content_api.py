"""Bot API methods that copy, forward or share content: copy/forward, location, getChat."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .messages_api import message_text, new_message
from .models import BotMessage
from .params import Params
from .registry import method
from .state import State, now

OTHER_CONTENT = ("sticker", "location", "contact", "voice", "video", "audio", "animation")


def _source(state: State, p: Params, verb: str) -> dict[str, Any]:
    """Find the message a copy or forward starts from."""
    from_chat = p.get_obj("from_chat_id")
    if from_chat is None:
        raise bad_request("from_chat_id is empty")
    chat_id = state.require_chat(from_chat, sending=False)
    found = state.find_any(chat_id, p.get_int("message_id"))
    if found is None:
        raise bad_request(f"message to {verb} not found")
    return found


def _clone(state: State, p: Params, source: dict[str, Any], verb: str) -> BotMessage:
    """Build the bot's copy of a message in the target chat."""
    chat_id = state.require_chat(p.chat_id())
    media = "photo" in source or "document" in source
    if media and p.has("caption"):
        text = message_text(p, "caption", 1024)
    else:
        body = source.get("caption" if media else "text", "")
        text = (body, body, list(source.get("caption_entities" if media else "entities", [])))
    if verb == "copy":
        message = new_message(state, chat_id, p, text)
    else:
        message = BotMessage(
            message_id=state.next_message_id(chat_id),
            chat_id=chat_id,
            text=text[1],
            raw_text=text[0],
            entities=text[2],
            date=now(),
        )
    if "photo" in source:
        message.photo = True
        message.file_id = source["photo"][-1]["file_id"]
    elif "document" in source:
        message.document = source["document"].get("file_name", "file")
        message.file_id = source["document"]["file_id"]
    if message.file_id in state.files:
        message.file_bytes = state.files[message.file_id].data
    message.extra = {key: source[key] for key in OTHER_CONTENT if key in source}
    return message


@method("copyMessage")
def copy_message(state: State, p: Params) -> dict[str, Any]:
    """Copy a message without a link to the original; return its MessageId."""
    message = _clone(state, p, _source(state, p, "copy"), "copy")
    state.add_message(message)
    return {"message_id": message.message_id}


@method("forwardMessage")
def forward_message(state: State, p: Params) -> dict[str, Any]:
    """Forward a message, keeping its origin."""
    source = _source(state, p, "forward")
    message = _clone(state, p, source, "forward")
    message.forward_origin = {
        "type": "user",
        "sender_user": source["from"],
        "date": source["date"],
    }
    state.add_message(message)
    return state.message_dict(message)


@method("sendLocation")
def send_location(state: State, p: Params) -> dict[str, Any]:
    """Send a location."""
    chat_id = state.require_chat(p.chat_id())
    for key in ("latitude", "longitude"):
        if not p.has(key):
            raise bad_request(f"{key} is empty")
    message = new_message(state, chat_id, p, ("", "", []))
    location = {"latitude": p.get_float("latitude"), "longitude": p.get_float("longitude")}
    message.extra = {"location": location}
    state.add_message(message)
    return state.message_dict(message)


@method("getChat")
def get_chat(state: State, p: Params) -> dict[str, Any]:
    """Return the ChatFullInfo of a user's private chat."""
    chat_id = state.require_chat(p.chat_id(), sending=False)
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
    return {
        **state.chat(chat_id),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys(gifts, True) | {"gifts_from_channels": False},
    }
