"""Telegram's exact wording for over-long texts and for edits of messages a user deleted."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE, BOB, call

KEYBOARD = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
EDIT_NOT_FOUND = {
    "ok": False,
    "error_code": 400,
    "description": "Bad Request: message to edit not found",
}


def bad(detail: str) -> tuple[int, dict[str, object]]:
    """Return the (status, body) of a 400 answer."""
    return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {detail}"}


async def test_text_limit_is_4096(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    status, sent = await call(http, fake, "sendMessage", chat_id=ALICE, text="办" * 4096)
    assert status == 200
    too_long = await call(http, fake, "sendMessage", chat_id=ALICE, text="x" * 4097)
    assert too_long == bad("message is too long")
    message_id = sent["result"]["message_id"]
    edit = {"chat_id": ALICE, "message_id": message_id, "text": "y" * 4097}
    assert await call(http, fake, "editMessageText", **edit) == bad("message is too long")
    assert [len(m.text) for m in fake.chat(ALICE)] == [4096]


async def test_caption_limit_is_1024(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    photo = fake.send_photo(BOB, data=b"JPEG")
    file_id = photo["photo"][-1]["file_id"]
    send = {"chat_id": ALICE, "photo": file_id}
    status, sent = await call(http, fake, "sendPhoto", **send, caption="c" * 1024)
    assert status == 200
    too_long = await call(http, fake, "sendPhoto", **send, caption="c" * 1025)
    assert too_long == bad("message caption is too long")
    edit = {"chat_id": ALICE, "message_id": sent["result"]["message_id"], "caption": "d" * 1025}
    assert await call(http, fake, "editMessageCaption", **edit) == bad(
        "message caption is too long"
    )


async def test_caption_too_long_through_ptb(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(ALICE, b"data", caption="c" * 1025)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        pytest.param("editMessageText", {"text": "changed"}, id="text"),
        pytest.param("editMessageReplyMarkup", {}, id="reply-markup"),
        pytest.param("editMessageReplyMarkup", {"reply_markup": KEYBOARD}, id="same-markup"),
    ],
)
async def test_edit_after_user_deletes(
    fake: FakeTelegram, http: aiohttp.ClientSession, method: str, params: dict[str, Any]
) -> None:
    _, sent = await call(http, fake, "sendMessage", chat_id=ALICE, text="t", reply_markup=KEYBOARD)
    message_id = sent["result"]["message_id"]
    fake.user_deletes(ALICE, message_id)
    assert fake.chat(ALICE) == []
    assert fake.chat(ALICE, include_deleted=True)[0].deleted
    answer = await call(http, fake, method, chat_id=ALICE, message_id=message_id, **params)
    assert answer == (400, EDIT_NOT_FOUND)


async def test_user_deletes_through_ptb(fake: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(ALICE, "choose", reply_markup=keyboard)
    fake.user_deletes(ALICE, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("chosen", ALICE, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)
    with pytest.raises(LookupError):
        fake.press_button(ALICE, sent.message_id, "OK")


async def test_user_deletes_own_message_and_unknown_ones(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    incoming = fake.send_text(ALICE, "oops")
    fake.user_deletes(ALICE, incoming["message_id"])
    reply = {"chat_id": ALICE, "text": "re", "reply_to_message_id": incoming["message_id"]}
    assert await call(http, fake, "sendMessage", **reply) == bad("message to be replied not found")
    with pytest.raises(LookupError):
        fake.user_deletes(ALICE, incoming["message_id"])
    with pytest.raises(LookupError):
        fake.user_deletes(ALICE, 999)
