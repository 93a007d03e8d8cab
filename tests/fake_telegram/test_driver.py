"""The driver API: injected updates, button presses, waits, redelivery and hooks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.fake_telegram import BotMessage, FakeTelegram

from .conftest import ALICE, BOB


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    """Build a one-row keyboard whose callback data is the lower-cased label."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(x, callback_data=x.lower()) for x in labels]]
    )


async def test_send_text_adds_command_entity(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_text(ALICE, "/start abc")
    fake.send_text(ALICE, "plain")
    first, second = await bot.get_updates()
    assert first.message is not None
    assert first.message.parse_entities() == {first.message.entities[0]: "/start"}
    assert second.message is not None
    assert second.message.entities == ()
    assert first.message.from_user is not None
    assert first.message.from_user.language_code == "zh-hans"


async def test_sticker_and_location(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_sticker(ALICE)
    fake.send_location(ALICE, 31.23, 121.47)
    sticker, location = await bot.get_updates()
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert location.message is not None
    assert location.message.location is not None
    assert location.message.location.latitude == pytest.approx(31.23)


async def test_press_button_uses_current_markup(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "choose", reply_markup=keyboard("Yes", "No"))
    query_id = fake.press_button(ALICE, sent.message_id, "No")
    await bot.edit_message_text("done", ALICE, sent.message_id)
    with pytest.raises(LookupError, match="Yes"):
        fake.press_button(ALICE, sent.message_id, "Yes")
    forged = fake.press(ALICE, sent.message_id, "forged")
    updates = await bot.get_updates()
    assert [(u.callback_query.id, u.callback_query.data) for u in updates if u.callback_query] == [
        (query_id, "no"),
        (forged, "forged"),
    ]


async def test_wait_for_reads_each_chat_in_order(fake: FakeTelegram, bot: Bot) -> None:
    for text in ("one", "two"):
        await bot.send_message(ALICE, text)
    await bot.send_message(BOB, "bob")
    assert (await fake.wait_for(ALICE)).text == "one"
    assert (await fake.wait_for(ALICE)).text == "two"
    assert (await fake.wait_for(BOB)).text == "bob"
    waiter = asyncio.create_task(fake.wait_for(ALICE, timeout=2))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await bot.send_message(ALICE, "three")
    assert (await waiter).text == "three"


async def test_wait_for_sees_edits_after_mark(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "draft", reply_markup=keyboard("Submit"))
    mark = fake.mark()
    waiter = asyncio.create_task(fake.wait_for(ALICE, lambda m: m.edited > 0, after=mark))
    await bot.edit_message_text("submitted", ALICE, sent.message_id)
    edited = await waiter
    assert (edited.message_id, edited.text, edited.reply_markup) == (
        sent.message_id,
        "submitted",
        None,
    )


async def test_wait_for_int_after_skips_older_messages(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ALICE, "old")
    start = len(fake.messages)
    await bot.send_message(ALICE, "new")
    assert (await fake.wait_for(ALICE, after=start)).text == "new"


async def test_wait_for_timeout_dumps_chat(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ALICE, "only this", reply_markup=keyboard("Go"))
    with pytest.raises(TimeoutError, match=r"(?s)chat 1001.*'only this' buttons=\['Go'\]"):
        await fake.wait_for(ALICE, lambda m: m.text == "never", timeout=0.1)


async def test_redeliver_copies_update(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_text(ALICE, "once")
    original = fake.last_update_id()
    copy_id = fake.redeliver(original)
    first, second = await bot.get_updates()
    assert (first.update_id, second.update_id) == (original, copy_id)
    assert first.message == second.message


async def test_hooks_see_both_sides(fake: FakeTelegram, bot: Bot) -> None:
    seen: list[str] = []

    def on_message(message: BotMessage) -> None:
        seen.append(f"bot: {message.text}")

    def on_incoming(update: dict[str, Any]) -> None:
        seen.append(f"user: {update['message']['text']}")

    fake.on_message = on_message
    fake.on_incoming = on_incoming
    fake.send_text(ALICE, "hi")
    await bot.send_message(ALICE, "hello")
    assert seen == ["user: hi", "bot: hello"]


async def test_calls_are_recorded_decoded(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ALICE, "hi", reply_markup=keyboard("A"))
    params = fake.calls_of("sendMessage")[-1]
    assert params["chat_id"] == ALICE
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert ("getMe", {}) in fake.calls


async def test_wait_for_does_not_repeat_seen_edits(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "draft", reply_markup=keyboard("Go"))
    await bot.edit_message_text("final", ALICE, sent.message_id)
    first = await fake.wait_for(ALICE)
    assert (first.text, first.edited) == ("final", 1)
    await bot.send_message(ALICE, "next")
    assert (await fake.wait_for(ALICE)).text == "next"
    await bot.edit_message_text("final again", ALICE, sent.message_id)
    assert (await fake.wait_for(ALICE)).text == "final again"
