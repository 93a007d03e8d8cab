"""Who is talking: administrator, deputy, handler or stranger."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member
from bot.db.sessions import Sessions
from bot.domain.permissions import Command, may_run
from bot.domain.states import Role


@dataclass(frozen=True)
class MemberView:
    """A bound deputy or handler, detached from any session."""

    id: int
    telegram_id: int
    role: str
    name: str
    level: str | None
    district: str | None
    department: str | None

    @classmethod
    def of(cls, member: Member) -> MemberView:
        """Copy the fields of a Member row."""
        return cls(
            member.id,
            member.telegram_id,
            member.role,
            member.name,
            member.level,
            member.district,
            member.department,
        )


@dataclass(frozen=True)
class Actor:
    """The sender of an update, with the role checked on the server side."""

    telegram_id: int
    is_admin: bool
    member: MemberView | None
    platform: str | None = None  # the 12345 platform's person or unit, reporting

    @classmethod
    def of_platform(cls, who: str) -> Actor:
        """Return the actor of a report from the 12345 platform."""
        return cls(0, False, None, platform=who)

    @property
    def role(self) -> Role:
        """Return admin, deputy, handler, supervisor, stranger or the platform."""
        if self.platform is not None:
            return Role.PLATFORM
        if self.is_admin:
            return Role.ADMIN
        return Role(self.member.role) if self.member else Role.STRANGER

    def may(self, command: Command) -> bool:
        """Tell whether the actor may run a command (the one table in bot.domain)."""
        return may_run(self.role, command)

    @property
    def is_deputy(self) -> bool:
        """Return whether the sender is a bound deputy."""
        return self.member is not None and self.member.role == "deputy"

    @property
    def is_handler(self) -> bool:
        """Return whether the sender is a bound department handler."""
        return self.member is not None and self.member.role == "handler"

    @property
    def label(self) -> str:
        """Return a name fit for an event log."""
        if self.platform is not None:
            return self.platform
        return self.member.name if self.member else ("管理员" if self.is_admin else "访客")

    def handles(self, department: str | None) -> bool:
        """Return whether the sender is a handler of that department."""
        return (
            self.is_handler
            and department is not None
            and self.member is not None
            and (self.member.department == department)
        )


class ActorDirectory:
    """Resolves Telegram user ids into actors."""

    def __init__(self, sessions: Sessions, admin_ids: frozenset[int]):
        self._sessions = sessions
        self._admin_ids = admin_ids

    @property
    def admin_ids(self) -> frozenset[int]:
        """Return the configured administrator ids."""
        return self._admin_ids

    async def resolve(self, telegram_id: int) -> Actor:
        """Look the user up; strangers (and revoked members) get an actor with no member."""
        async with self._sessions() as session:
            member = await member_by_telegram_id(session, telegram_id=telegram_id)
        view = MemberView.of(member) if member else None
        return Actor(telegram_id, telegram_id in self._admin_ids, view)


def active() -> ColumnElement[bool]:
    """Return the condition of a member whose binding was not revoked."""
    return Member.revoked_at.is_(None)


async def member_by_telegram_id(
    session: AsyncSession, *, telegram_id: int, include_revoked: bool = False
) -> Member | None:
    """Return the member bound to a Telegram account, if any (a revoked one only on request)."""
    query = select(Member).where(Member.telegram_id == telegram_id)
    if not include_revoked:
        query = query.where(active())
    return (await session.execute(query)).scalar_one_or_none()


async def handlers_of(session: AsyncSession, *, department: str) -> list[Member]:
    """Return every active handler of a department."""
    return await _of_department(session, role="handler", department=department)


async def supervisors_of(session: AsyncSession, *, department: str) -> list[Member]:
    """Return every active supervisor (department head) of a department."""
    return await _of_department(session, role="supervisor", department=department)


async def _of_department(session: AsyncSession, *, role: str, department: str) -> list[Member]:
    """Return the active members of a role in a department, oldest first."""
    query = select(Member).where(Member.role == role, Member.department == department, active())
    return list((await session.execute(query.order_by(Member.id))).scalars())
