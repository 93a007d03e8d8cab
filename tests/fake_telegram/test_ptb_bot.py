"""A real telegram.Bot against the fake server: messages, edits, files and error mapping."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE, BOB

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])


async def test_send_message_returns_full_message(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "hi", reply_markup=KEYBOARD)
    assert sent.chat.id == ALICE
    assert sent.from_user is not None
    assert sent.from_user.username == "deputy_test_bot"
    assert sent.reply_markup == KEYBOARD
    stored = fake.last(ALICE)
    assert stored is not None
    assert (stored.message_id, stored.text, stored.buttons()) == (sent.message_id, "hi", ["OK"])


async def test_message_ids_are_shared_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    incoming = fake.send_text(ALICE, "hello")
    sent = await bot.send_message(ALICE, "reply", reply_to_message_id=incoming["message_id"])
    assert sent.message_id == incoming["message_id"] + 1
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "hello"
    other = await bot.send_message(BOB, "first in Bob's chat")
    assert other.message_id == 1


async def test_edit_without_markup_removes_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "choose", reply_markup=KEYBOARD)
    await bot.edit_message_text("chosen", chat_id=ALICE, message_id=sent.message_id)
    stored = fake.last(ALICE)
    assert stored is not None
    assert (stored.text, stored.reply_markup, stored.edited) == ("chosen", None, 1)
    assert stored.history == ["choose", "chosen"]


async def test_edit_reply_markup_keeps_text(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "choose")
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=KEYBOARD)
    assert fake.messages[-1].buttons() == ["OK"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"text": "   "}, "Message text is empty", id="empty"),
        pytest.param({"text": "x" * 4097}, "Message is too long", id="too-long"),
        pytest.param({"text": "a <b", "parse_mode": "HTML"}, "Can't parse entities", id="bad-html"),
        pytest.param({"chat_id": 424242, "text": "hi"}, "Chat not found", id="unknown-chat"),
    ],
)
async def test_send_message_bad_requests(bot: Bot, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(BadRequest, match=match):
        await bot.send_message(**{"chat_id": ALICE, **kwargs})  # type: ignore[arg-type]


async def test_edit_errors(bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "same", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("same", ALICE, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)


async def test_html_is_rendered_into_entities(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "<b>办结</b> &lt;1&gt;", parse_mode="HTML")
    assert sent.text == "办结 <1>"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]
    assert fake.messages[-1].raw_text == "<b>办结</b> &lt;1&gt;"


async def test_retry_after(fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(ALICE, "hi")
    assert [m.text for m in fake.chat(ALICE)] == ["hi"]


@pytest.mark.parametrize(
    ("code", "error", "match"),
    [
        pytest.param(500, NetworkError, "Internal Server Error", id="500"),
        pytest.param(502, NetworkError, "Bad Gateway", id="502"),
        pytest.param(403, Forbidden, "Forbidden", id="403"),
        pytest.param(400, BadRequest, "Bad Request", id="400"),
    ],
)
async def test_injected_errors(
    fake: FakeTelegram, bot: Bot, code: int, error: type[Exception], match: str
) -> None:
    fake.fail_next("SENDMESSAGE", error_code=code, times=2)
    for _ in range(2):
        with pytest.raises(error, match=match):
            await bot.send_message(ALICE, "hi")
    await bot.send_message(ALICE, "finally")
    assert [m.text for m in fake.chat(ALICE)] == ["finally"]


async def test_blocked_user(fake: FakeTelegram, bot: Bot) -> None:
    fake.block(ALICE)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "hi")
    fake.unblock(ALICE)
    await bot.send_message(ALICE, "hi")


async def test_upload_photo_and_resend_by_file_id(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_photo(ALICE, InputFile(b"PNGDATA", filename="chart.png"), caption="chart")
    stored = fake.last(ALICE)
    assert stored is not None
    assert (stored.photo, stored.text, stored.file_bytes) == (True, "chart", b"PNGDATA")
    again = await bot.send_photo(BOB, sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id


async def test_send_document(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(ALICE, InputFile(b"a,b\n", filename="export.csv"))
    assert sent.document is not None
    assert sent.document.file_name == "export.csv"
    assert fake.messages[-1].document == "export.csv"
    assert fake.messages[-1].file_bytes == b"a,b\n"


async def test_download_user_photo(fake: FakeTelegram, bot: Bot) -> None:
    message = fake.send_photo(ALICE, caption="pothole", data=b"JPEG-BYTES")
    assert message["caption"] == "pothole"
    file = await bot.get_file(message["photo"][-1]["file_id"])
    assert file.file_path is not None
    assert bytes(await file.download_as_bytearray()) == b"JPEG-BYTES"


async def test_commands_by_scope(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "开始")])
    await bot.set_my_commands([BotCommand("admin", "管理")], scope=BotCommandScopeChat(ALICE))
    assert fake.commands == {
        "default": [{"command": "start", "description": "开始"}],
        f"chat:{ALICE}": [{"command": "admin", "description": "管理"}],
    }
    mine = await bot.get_my_commands(scope=BotCommandScopeChat(ALICE))
    assert [c.command for c in mine] == ["admin"]
    await bot.delete_my_commands()
    assert list(fake.commands) == [f"chat:{ALICE}"]


async def test_callback_query_round_trip(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "choose", reply_markup=KEYBOARD)
    query_id = fake.press_button(ALICE, sent.message_id, "OK")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None
    assert (query.id, query.data) == (query_id, "ok")
    assert query.chat_instance
    assert isinstance(query.message, Message)
    assert query.message.reply_markup == KEYBOARD
    await query.answer("done", show_alert=True)
    answer = await fake.wait_callback_answer(query_id)
    assert (answer["text"], answer["show_alert"]) == ("done", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()
