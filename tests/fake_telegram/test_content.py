"""Copy, forward, location, getChat, captions, deletion and user replies through PTB."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE, BOB


async def test_copy_user_photo_to_another_chat(fake: FakeTelegram, bot: Bot) -> None:
    incoming = fake.send_photo(ALICE, "broken streetlight", data=b"PHOTO")
    copied = await bot.copy_message(BOB, ALICE, incoming["message_id"], caption="转办：路灯")
    stored = fake.last(BOB)
    assert stored is not None
    assert stored.message_id == copied.message_id
    assert (stored.photo, stored.text, stored.file_bytes) == (True, "转办：路灯", b"PHOTO")


async def test_forward_keeps_origin(fake: FakeTelegram, bot: Bot) -> None:
    incoming = fake.send_text(ALICE, "please fix the road")
    forwarded = await bot.forward_message(BOB, ALICE, incoming["message_id"])
    assert forwarded.text == "please fix the road"
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.type == "user"
    with pytest.raises(BadRequest, match="Message to forward not found"):
        await bot.forward_message(BOB, ALICE, 999)


async def test_location_and_get_chat(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_location(ALICE, 31.2, 121.5)
    assert sent.location is not None
    assert fake.messages[-1].extra["location"] == {"latitude": 31.2, "longitude": 121.5}
    chat = await bot.get_chat(ALICE)
    assert (chat.id, chat.type, chat.username) == (ALICE, "private", "alice")


async def test_caption_edits(fake: FakeTelegram, bot: Bot) -> None:
    photo = await bot.send_photo(ALICE, InputFile(b"P", filename="p.jpg"), caption="before")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("x", ALICE, photo.message_id)
    edited = await bot.edit_message_caption(ALICE, photo.message_id, caption="after")
    assert isinstance(edited, Message)
    assert edited.caption == "after"
    assert edited.edit_date is not None
    assert (fake.messages[-1].text, fake.messages[-1].edited) == ("after", 1)


async def test_delete_message(fake: FakeTelegram, bot: Bot) -> None:
    incoming = fake.send_text(ALICE, "oops")
    sent = await bot.send_message(ALICE, "to delete")
    assert await bot.delete_message(ALICE, sent.message_id)
    assert await bot.delete_message(ALICE, incoming["message_id"])
    assert fake.chat(ALICE) == []
    assert fake.chat(ALICE, include_deleted=True)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ALICE, sent.message_id)


async def test_user_replies_to_bot_message(fake: FakeTelegram, bot: Bot) -> None:
    prompt = await bot.send_message(ALICE, "请输入答复内容")
    fake.send_text(ALICE, "已修复", reply_to=prompt.message_id)
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == prompt.message_id
    with pytest.raises(LookupError):
        fake.send_text(ALICE, "x", reply_to=999)


async def test_callback_data_limit(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="办" * 22)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ALICE, "too long data", reply_markup=markup)
