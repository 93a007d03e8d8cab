"""One-time invites that bind a Telegram account to a deputy or handler."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.db.models import Invite, Member
from bot.db.sessions import Sessions
from bot.services import outbox
from bot.services.actors import MemberView, member_by_telegram_id
from bot.services.errors import Refused
from bot.services.menus import set_menu

INVITE_TTL = timedelta(days=7)
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


@dataclass(frozen=True)
class InviteView:
    """An invite as shown to the administrator who created it."""

    code: str
    role: str
    name: str
    expires_at: datetime
    description: str


class Invites:
    """Creates and redeems invites."""

    def __init__(
        self, sessions: Sessions, clock: Clock, departments: Callable[[], Mapping[str, str]]
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._known = departments

    @property
    def _departments(self) -> Mapping[str, str]:
        """Return the departments of the routing file in force."""
        return self._known()

    async def create_deputy(self, *, name: str, level: str, district: str, by: str) -> InviteView:
        """Create an invite for a deputy."""
        level = level.removesuffix("级")
        if level not in texts.LEVELS:
            raise Refused(texts.INVITE_BAD_LEVEL)
        description = f"{level}级人大代表 {name}（{district}）"
        return await self._create(
            role="deputy",
            name=name,
            level=level,
            district=district,
            department=None,
            by=by,
            description=description,
        )

    async def create_handler(
        self, *, department: str, name: str, by: str, role: str = "handler"
    ) -> InviteView:
        """Create an invite for a department handler (or its supervisor, the department head)."""
        if department not in self._departments:
            raise Refused(
                texts.INVITE_BAD_DEPARTMENT.format(
                    code=department, departments="、".join(self._departments)
                )
            )
        description = f"【{self._departments[department]}】{texts.ROLES[role]} {name}"
        return await self._create(
            role=role,
            name=name,
            level=None,
            district=None,
            department=department,
            by=by,
            description=description,
        )

    async def _create(
        self,
        *,
        role: str,
        name: str,
        level: str | None,
        district: str | None,
        department: str | None,
        by: str,
        description: str,
    ) -> InviteView:
        """Store a fresh invite code."""
        if not name.strip() or len(name) > 64:
            raise Refused(texts.INVITE_USAGE.format(departments="、".join(self._departments)))
        now = self._clock.now()
        code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        invite = Invite(
            code=code,
            role=role,
            name=name.strip(),
            level=level,
            district=district,
            department=department,
            created_by=by,
            created_at=now,
            expires_at=now + INVITE_TTL,
        )
        async with self._sessions.begin() as session:
            session.add(invite)
        return InviteView(code, role, invite.name, invite.expires_at, description)

    async def redeem(self, *, code: str, telegram_id: int, chat_id: int) -> MemberView:
        """Bind the account to the invite's role; a code works once and for 7 days.

        A revoked member is bound again in place (the Telegram id is unique), with the new
        invite's role and details; their past items and events stay theirs.
        """
        now = self._clock.now()
        async with self._sessions.begin() as session:
            existing = await member_by_telegram_id(
                session, telegram_id=telegram_id, include_revoked=True
            )
            if existing is not None and existing.revoked_at is None:
                role = texts.ROLES[existing.role]
                raise Refused(texts.ALREADY_BOUND.format(role=role, name=existing.name))
            invite = await session.get(Invite, code.strip().lower(), with_for_update=True)
            if invite is None or invite.used_at is not None or invite.expires_at <= now:
                raise Refused(texts.INVITE_INVALID)
            invite.used_at, invite.used_by = now, telegram_id
            member = existing or Member(telegram_id=telegram_id)
            member.role, member.name = invite.role, invite.name
            member.level, member.district = invite.level, invite.district
            member.department = invite.department
            member.joined_at, member.invite_code = now, invite.code
            member.revoked_at = member.revoked_by = None
            session.add(member)
            await session.flush()
            await self._welcome(session, now, member, chat_id)
            return MemberView.of(member)

    async def _welcome(
        self, session: AsyncSession, now: datetime, member: Member, chat_id: int
    ) -> None:
        """Queue the welcome message and the role's command menu."""
        department = self._departments.get(member.department or "", member.department)
        if member.role == "deputy":
            text = texts.WELCOME_DEPUTY.format(name=member.name)
        elif member.role == "supervisor":
            text = texts.WELCOME_SUPERVISOR.format(name=member.name, department=department)
        else:
            text = texts.WELCOME_HANDLER.format(name=member.name, department=department)
        outbox.send(session, now, chat_id=chat_id, text=text)
        await set_menu(session, now, chat_id=chat_id, menu=member.role)
