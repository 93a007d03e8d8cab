"""Bot API methods about the bot itself: identity, updates, webhooks, commands, callbacks."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .errors import ApiError, bad_request
from .params import Params
from .registry import method
from .state import State

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request;"
    " make sure that only one bot instance is running"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@method("getMe")
def get_me(state: State, p: Params) -> dict[str, Any]:
    """Return the bot's User object with the getMe-only capability flags."""
    return {
        **state.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(state: State, p: Params) -> list[dict[str, Any]]:
    """Long-poll the update queue the way Telegram does."""
    if state.webhook_url:
        state.conflicts += 1
        raise ApiError(409, CONFLICT_WEBHOOK)
    state.poll_generation += 1
    generation = state.poll_generation
    state.updates_signal.fire()
    offset: int | None = p.get_int("offset") if p.has("offset") else None
    limit = min(max(p.get_int("limit", 100), 1), 100)
    timeout = 0.0 if state.instant else max(p.get_float("timeout"), 0.0)
    allowed = p.get_obj("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != state.poll_generation:
            state.conflicts += 1
            raise ApiError(409, CONFLICT_POLL)
        updates = state.take_updates(offset, limit)
        if offset is not None and offset < 0:
            offset = None
        remaining = deadline - loop.time()
        if updates or state.closing or remaining <= 0:
            return updates
        await state.updates_signal.wait(remaining)


@method("setWebhook")
def set_webhook(state: State, p: Params) -> bool:
    """Set the webhook URL (and secret token) that pending updates are pushed to."""
    url = p.get_str("url") or ""
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if url != state.webhook_url:
        state.webhook_error = None
    state.webhook_url = url
    state.webhook_secret = p.get_str("secret_token") or ""
    allowed = p.get_obj("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]
    if p.get_bool("drop_pending_updates"):
        state.pending.clear()
    state.updates_signal.fire()
    return True


@method("deleteWebhook")
def delete_webhook(state: State, p: Params) -> bool:
    """Forget the webhook, optionally dropping pending updates."""
    state.webhook_url = ""
    state.webhook_secret = ""
    state.webhook_error = None
    if p.get_bool("drop_pending_updates"):
        state.pending.clear()
    return True


@method("getWebhookInfo")
def get_webhook_info(state: State, p: Params) -> dict[str, Any]:
    """Describe the webhook state, with the last failed push as Telegram reports it."""
    info: dict[str, Any] = {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending),
    }
    if state.webhook_url and state.webhook_error is not None:
        info["last_error_date"], info["last_error_message"] = state.webhook_error
    if state.webhook_url and state.allowed_updates:
        info["allowed_updates"] = list(state.allowed_updates)
    return info


@method("close")
def close(state: State, p: Params) -> bool:
    """Accept close."""
    return True


@method("logOut")
def log_out(state: State, p: Params) -> bool:
    """Accept logOut."""
    return True


def scope_key(state: State, p: Params) -> str:
    """Return the `commands` key for the scope and language of a call."""
    scope = p.get_obj("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = str(scope["type"])
    key = kind
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = state.require_chat(scope.get("chat_id", ""), sending=False)
        key = f"{kind}:{chat_id}"
        if kind == "chat_member":
            key += f":{scope.get('user_id')}"
    language = p.get_str("language_code")
    return f"{key}@{language}" if language else key


@method("setMyCommands")
def set_my_commands(state: State, p: Params) -> bool:
    """Store the command list for a scope, validating like Telegram."""
    commands = p.get_obj("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not COMMAND_NAME.match(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = scope_key(state, p)
    if commands:
        state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        state.commands.pop(key, None)
    return True


@method("getMyCommands")
def get_my_commands(state: State, p: Params) -> list[dict[str, Any]]:
    """Return the command list stored for a scope."""
    return list(state.commands.get(scope_key(state, p), []))


@method("deleteMyCommands")
def delete_my_commands(state: State, p: Params) -> bool:
    """Remove the command list of a scope."""
    state.commands.pop(scope_key(state, p), None)
    return True


@method("answerCallbackQuery")
def answer_callback_query(state: State, p: Params) -> bool:
    """Record the answer; an unknown or already answered query is rejected."""
    query_id = p.get_str("callback_query_id") or ""
    if state.queries.pop(query_id, None) is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    answer = {
        "callback_query_id": query_id,
        "text": p.get_str("text"),
        "show_alert": p.get_bool("show_alert"),
    }
    answer.update({k: v for k, v in p.data.items() if k in ("url", "cache_time")})
    state.callback_answers.append(answer)
    state.changed.fire()
    return True


@method("sendChatAction")
def send_chat_action(state: State, p: Params) -> bool:
    """Validate and accept a chat action."""
    state.require_chat(p.chat_id())
    if p.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@method("getFile")
def get_file(state: State, p: Params) -> dict[str, Any]:
    """Return the File object with a download path."""
    stored = state.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.info()


def _accept(state: State, p: Params) -> bool:
    return True


for _name in ("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton"):
    method(_name)(_accept)
