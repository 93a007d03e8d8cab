"""Migrations: they build exactly the models' schema, and go down and up again."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.migrate import HEAD, alembic_config, upgrade
from bot.db.models import Base


def _differences(connection: Connection) -> list[Any]:
    """Compare the migrated database with the models."""
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


def _down_and_up(connection: Connection, url: str) -> None:
    """Downgrade to nothing and upgrade again on one connection."""
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, "base")
    command.upgrade(config, "head")


async def test_migrations_match_models_and_round_trip(database_url: str) -> None:
    engine = create_engine(database_url, foreign_keys=False)
    await upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    async with engine.begin() as connection:
        await connection.run_sync(_down_and_up, database_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    await engine.dispose()


def _to(connection: Connection, url: str, revision: str) -> None:
    """Upgrade (or downgrade) a database to a revision on one connection."""
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_cards_and_ratings_delivered_before_0005_are_carried_over(database_url: str) -> None:
    engine = create_engine(database_url, foreign_keys=False)
    async with engine.begin() as connection:
        await connection.run_sync(_to, database_url, "0004")
        await connection.execute(
            text(
                "INSERT INTO members (id, telegram_id, role, name, joined_at, invite_code)"
                " VALUES (1, 101, 'deputy', '张三', '2026-12-01 00:00:00', 'x')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO items (id, status, deputy_id, source_chat_id, source_message_id,"
                " text, confidence, matched, abstained, created_at, reopen_count, urgent,"
                " extension_used) VALUES (1, 'routed', 1, 101, 1, '路灯', 0.5, '[]', false,"
                " '2026-12-01 00:00:00', 0, false, false)"
            )
        )
        for row_id, op, chat, message, sent, payload in (
            (1, "send", 201, None, 11, '{"buttons": [[["签收", "ack:1"], ["退回", "ret:1"]]]}'),
            (2, "send", 202, None, 12, '{"buttons": [[["签收", "ack:1"], ["退回", "ret:1"]]]}'),
            (3, "edit", 202, 12, 12, '{"buttons": null}'),
        ):
            await connection.execute(
                text(
                    "INSERT INTO outbox (id, op, chat_id, message_id, payload, item_id, status,"
                    " attempts, created_at, next_attempt_at, sent_at, sent_message_id) VALUES"
                    " (:id, :op, :chat, :message, :payload, 1, 'sent', 1,"
                    " '2026-12-01 00:00:00', '2026-12-01 00:00:00', '2026-12-01 00:00:00', :sent)"
                ),
                {"id": row_id, "op": op, "chat": chat, "message": message, "payload": payload,
                 "sent": sent},
            )  # fmt: skip
        await connection.execute(
            text(
                "INSERT INTO item_events (item_id, at, kind, actor_role, note) VALUES"
                " (1, '2026-12-02 00:00:00', 'rated', 'deputy', '基本满意')"
            )
        )
        await connection.run_sync(_to, database_url, "head")
        cards = (
            await connection.execute(
                text("SELECT chat_id, kind, retired_at IS NULL FROM card_messages ORDER BY chat_id")
            )
        ).all()
        rating = await connection.scalar(text("SELECT rating FROM item_events"))
    await engine.dispose()
    assert [tuple(row) for row in cards] == [(201, "assignment", True), (202, "assignment", False)]
    assert rating == "basic"


def test_the_head_the_bot_checks_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == [HEAD]
