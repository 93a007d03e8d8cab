"""Handlers through Application.process_update, without polling: one update in, rows out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram import Update

from bot.app import build_application
from bot.context import BotApplication
from bot.db.models import Item, OutboxMessage
from bot.fake_telegram import FakeTelegram
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from tests.e2e.procs import seed

ADMIN = 900001


@pytest.fixture
async def app(database_url: str, routing: RoutingHolder) -> AsyncIterator[BotApplication]:
    """An initialised Application with its services, not polling; the sender is stopped."""
    fake = FakeTelegram()
    await fake.start()
    await seed(database_url, fake, deputies=1)
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=database_url,  # type: ignore[call-arg]
        DEPUTYBOT_TELEGRAM_API_URL=fake.root,
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        _env_file=None,
    )
    application = build_application(settings, token=fake.token, routing=routing)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.bot_data.runtime.stop_sender()
    yield application
    await application.shutdown()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)
    await fake.stop()


def _message(update_id: int, user: int, text: str) -> dict[str, object]:
    """Build a private text message update."""
    chat = {"id": user, "type": "private", "first_name": "用户"}
    sender = {"id": user, "is_bot": False, "first_name": "用户"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def _outbox(app: BotApplication, chat: int) -> list[str]:
    """Return the texts queued for a chat."""
    async with app.bot_data.services.deps.sessions() as session:
        query = select(OutboxMessage.text).where(OutboxMessage.chat_id == chat)
        return [
            t or "" for t in (await session.execute(query.order_by(OutboxMessage.id))).scalars()
        ]


async def test_a_deputys_text_becomes_a_draft_with_its_preview(app: BotApplication) -> None:
    await app.process_update(Update.de_json(_message(1, 100001, "小区门口的路灯坏了"), app.bot))
    async with app.bot_data.services.deps.sessions() as session:
        items = list((await session.execute(select(Item))).scalars())
    assert [(i.status, i.department) for i in items] == [("draft", "housing")]
    assert "诉求预览" in (await _outbox(app, 100001))[-1]
    assert app.bot_data.errors == []


async def test_a_handler_command_meant_for_admins_is_refused(app: BotApplication) -> None:
    await app.process_update(Update.de_json(_message(2, 200001, "/triage"), app.bot))
    await app.process_update(Update.de_json(_message(3, ADMIN, "/triage"), app.bot))
    assert (await _outbox(app, 200001))[-1].startswith("抱歉，您的身份无权")
    assert (await _outbox(app, ADMIN))[-1] == "当前没有待分拨的诉求。"
    assert app.bot_data.errors == []
