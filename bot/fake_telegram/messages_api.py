"""Bot API methods that create, edit and delete messages."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .formatting import render
from .models import BotMessage, StoredFile
from .params import Params, Upload
from .registry import method
from .state import State, now

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly"
    " the same as a current content and reply markup of the message"
)
BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
Rows = list[list[dict[str, Any]]]
Text = tuple[str, str, list[dict[str, Any]]]  # (as sent, as rendered, entities)


def parse_markup(markup: Any) -> tuple[Rows | None, dict[str, Any] | None]:
    """Split reply_markup into (inline rows, other keyboard), validating buttons."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None, markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if not BUTTON_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return ([list(row) for row in rows if row] or None), None


def message_text(p: Params, key: str, limit: int) -> Text:
    """Return (raw, rendered, entities) for text or caption, checking its length."""
    raw = p.get_str(key) or ""
    explicit = p.get_obj("entities" if key == "text" else "caption_entities")
    if isinstance(explicit, list):
        plain, entities = raw, list(explicit)
    else:
        plain, entities = render(raw, p.get_str("parse_mode"))
    if key == "text" and not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return raw, plain, entities


def _reply_to(state: State, chat_id: int, p: Params) -> int | None:
    """Resolve reply_to_message_id / reply_parameters."""
    target = p.get_obj("reply_parameters")
    allow = p.get_bool("allow_sending_without_reply")
    if isinstance(target, dict):
        message_id = target.get("message_id")
        allow = allow or bool(target.get("allow_sending_without_reply"))
    else:
        message_id = p.get_int("reply_to_message_id") if p.has("reply_to_message_id") else None
    if message_id is None:
        return None
    if state.find_any(chat_id, int(message_id)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def new_message(state: State, chat_id: int, p: Params, text: Text) -> BotMessage:
    """Validate markup and reply target, then allocate the bot's next message in the chat."""
    rows, keyboard = parse_markup(p.get_obj("reply_markup"))
    reply_to = _reply_to(state, chat_id, p)
    raw, plain, entities = text
    return BotMessage(
        message_id=state.next_message_id(chat_id),
        chat_id=chat_id,
        text=plain,
        raw_text=raw,
        entities=entities,
        parse_mode=p.get_str("parse_mode"),
        reply_markup=rows,
        keyboard=keyboard,
        reply_to_message_id=reply_to,
        date=now(),
    )


@method("sendMessage")
def send_message(state: State, p: Params) -> dict[str, Any]:
    """Send a text message to a known chat."""
    chat_id = state.require_chat(p.chat_id())
    message = new_message(state, chat_id, p, message_text(p, "text", 4096))
    state.add_message(message)
    return state.message_dict(message)


def _file(state: State, p: Params, key: str, folder: str) -> StoredFile:
    """Resolve an uploaded file, attach:// reference or known file_id."""
    value = p.data.get(key)
    if isinstance(value, str) and value.startswith("attach://"):
        value = p.data.get(value.removeprefix("attach://"))
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        return state.store_file(value.data, folder, value.filename, value.content_type)
    if isinstance(value, str) and value in state.files:
        return state.files[value]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    if not value:
        raise bad_request(f"there is no {key} in the request")
    raise bad_request("wrong file identifier/HTTP URL specified")


def _send_file(state: State, p: Params, key: str) -> dict[str, Any]:
    chat_id = state.require_chat(p.chat_id())
    caption = message_text(p, "caption", 1024)
    stored = _file(state, p, key, "photos" if key == "photo" else "documents")
    message = new_message(state, chat_id, p, caption)
    message.file_id = stored.file_id
    message.file_bytes = stored.data
    if key == "photo":
        message.photo = True
    else:
        message.document = stored.file_name
    state.add_message(message)
    return state.message_dict(message)


@method("sendPhoto")
def send_photo(state: State, p: Params) -> dict[str, Any]:
    """Send a photo by upload or file_id."""
    return _send_file(state, p, "photo")


@method("sendDocument")
def send_document(state: State, p: Params) -> dict[str, Any]:
    """Send a document by upload or file_id."""
    return _send_file(state, p, "document")


def _editable(state: State, p: Params) -> BotMessage:
    """Find the bot message an edit call targets."""
    if p.has("inline_message_id"):
        raise bad_request("message to edit not found")
    chat_id = state.require_chat(p.chat_id())
    message_id = p.get_int("message_id")
    message = state.by_key.get((chat_id, message_id))
    if message is None or message.deleted:
        if (chat_id, message_id) in state.incoming:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return message


def _apply(state: State, message: BotMessage, p: Params, text: Text | None) -> dict[str, Any]:
    """Apply an edit (no reply_markup removes the keyboard) unless nothing changes."""
    rows, _ = parse_markup(p.get_obj("reply_markup"))
    raw, plain, entities = text or (message.raw_text, message.text, message.entities)
    if (plain, entities, rows) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    if text is not None:
        message.raw_text, message.text, message.entities = raw, plain, entities
        message.parse_mode = p.get_str("parse_mode")
    message.reply_markup = rows
    message.edited += 1
    message.edit_date = now()
    state.record("edited", message)
    return state.message_dict(message)


@method("editMessageText")
def edit_message_text(state: State, p: Params) -> dict[str, Any]:
    """Replace a text message's text (and keyboard)."""
    message = _editable(state, p)
    if message.photo or message.document is not None:
        raise bad_request("there is no text in the message to edit")
    return _apply(state, message, p, message_text(p, "text", 4096))


@method("editMessageCaption")
def edit_message_caption(state: State, p: Params) -> dict[str, Any]:
    """Replace a media message's caption (and keyboard)."""
    message = _editable(state, p)
    if not message.photo and message.document is None:
        raise bad_request("there is no caption in the message to edit")
    return _apply(state, message, p, message_text(p, "caption", 1024))


@method("editMessageReplyMarkup")
def edit_message_reply_markup(state: State, p: Params) -> dict[str, Any]:
    """Replace or remove a message's inline keyboard."""
    return _apply(state, _editable(state, p), p, None)


@method("deleteMessage")
def delete_message(state: State, p: Params) -> bool:
    """Delete a bot message or a user's message in a private chat."""
    chat_id = state.require_chat(p.chat_id(), sending=False)
    message_id = p.get_int("message_id")
    message = state.by_key.get((chat_id, message_id))
    if message is not None and not message.deleted:
        message.deleted = True
        state.record("deleted", message)
        return True
    if state.incoming.pop((chat_id, message_id), None) is not None:
        return True
    raise bad_request("message to delete not found")
