"""A real PTB Application polls the fake server, answers /start and shuts down cleanly."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
)

from bot.fake_telegram import FakeTelegram

from .conftest import ALICE


async def echo_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the /start payload."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"hello {' '.join(context.args or [])}".strip())


def build(fake: FakeTelegram, errors: list[object]) -> Application:  # type: ignore[type-arg]
    """Build an Application wired to the fake server."""
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", echo_start))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(on_error)
    return app


@pytest.mark.parametrize(
    "instant", [pytest.param(False, id="long-poll"), pytest.param(True, id="instant")]
)
async def test_application_replies_and_shuts_down(
    instant: bool, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTelegram(instant_get_updates=instant)
    fake.add_user(ALICE, "Alice")
    await fake.start()
    errors: list[object] = []
    app = build(fake, errors)
    try:
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.05, timeout=1)
            await app.start()
            fake.send_text(ALICE, "/start abc")
            reply = await fake.wait_for(ALICE, timeout=5)
            assert reply.text == "hello abc"
            await app.updater.stop()
            await app.stop()
    finally:
        await fake.stop()
    assert errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_rate_limiter_retries_after_429(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA the limiter reads RetryAfter.retry_after as an int, which emits
    # a PTBDeprecationWarning (an error under filterwarnings=error).
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", retry_after=1)
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .rate_limiter(AIORateLimiter(max_retries=1))
        .build()
    )
    async with app:
        await app.bot.send_message(ALICE, "hi")
    assert [m.text for m in fake.chat(ALICE)] == ["hi"]
    assert len(fake.calls_of("sendMessage")) == 2
