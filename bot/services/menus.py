"""Command menus per chat: set once when a role changes, taken back when a role ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.db.models import CommandMenu, Member
from bot.db.sessions import Sessions
from bot.services import outbox


async def set_menu(session: AsyncSession, now: datetime, *, chat_id: int, menu: str) -> None:
    """Queue a chat's command menu for a role ("default" clears it) and remember it."""
    commands = [] if menu == "default" else texts.COMMANDS[menu]
    outbox.set_commands(session, now, chat_id=chat_id, commands=commands)
    row = await session.get(CommandMenu, chat_id)
    if row is None:
        session.add(CommandMenu(chat_id=chat_id, menu=menu, set_at=now))
    else:
        row.menu, row.set_at = menu, now


class Menus:
    """Keeps administrators' menus in step with DEPUTYBOT_ADMIN_IDS."""

    def __init__(self, sessions: Sessions, clock: Clock, outbox_: outbox.Outbox) -> None:
        self._sessions = sessions
        self._clock = clock
        self._outbox = outbox_

    async def sync_admins(self, admin_ids: frozenset[int]) -> int:
        """Give new administrators their menu, and former ones their role's; return changes."""
        now = self._clock.now()
        changed = 0
        async with self._sessions.begin() as session:
            query = select(CommandMenu).where(
                CommandMenu.chat_id.in_(admin_ids) | (CommandMenu.menu == "admin")
            )
            known = {row.chat_id: row.menu for row in (await session.execute(query)).scalars()}
            for chat_id in sorted(admin_ids):
                if known.get(chat_id) != "admin":
                    await set_menu(session, now, chat_id=chat_id, menu="admin")
                    changed += 1
            for chat_id, menu in sorted(known.items()):
                if menu == "admin" and chat_id not in admin_ids:
                    role = await _role_of(session, chat_id)
                    await set_menu(session, now, chat_id=chat_id, menu=role or "default")
                    changed += 1
        if changed:
            self._outbox.kick()
        return changed


async def _role_of(session: AsyncSession, chat_id: int) -> str | None:
    """Return the role of an active member with this Telegram id, if any."""
    query = select(Member.role).where(Member.telegram_id == chat_id, Member.revoked_at.is_(None))
    return (await session.execute(query)).scalar_one_or_none()
