"""Membership: who is bound to the bot, and revoking a binding (解除绑定) without losing work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeAlias

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.callbacks import MAX_ID
from bot.db.models import Item, Member, OutboxMessage, PendingInput
from bot.domain.permissions import Command
from bot.domain.rules import Action
from bot.domain.states import Status
from bot.services import cards, outbox
from bot.services.acting import Act, Acting
from bot.services.actors import Actor, active
from bot.services.base import ServiceDeps
from bot.services.errors import Refused
from bot.services.menus import set_menu

CLI: Literal["cli"] = "cli"
# Who asks: an administrator in Telegram (checked), or the server's command line.
By: TypeAlias = Actor | Literal["cli"]
ROLE_ORDER = ("deputy", "handler", "supervisor")
WITHDRAWN = "withdrawn: the recipient's binding was revoked"


@dataclass(frozen=True)
class MemberRecord:
    """A member as an administrator sees it, detached from any session."""

    id: int
    telegram_id: int
    role: str
    name: str
    level: str | None
    district: str | None
    department: str | None
    joined_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    who: str

    @classmethod
    def of(cls, member: Member, who: str) -> MemberRecord:
        """Copy a Member row, with its description."""
        return cls(
            member.id,
            member.telegram_id,
            member.role,
            member.name,
            member.level,
            member.district,
            member.department,
            member.joined_at,
            member.revoked_at,
            member.revoked_by,
            who,
        )


@dataclass(frozen=True)
class Revocation:
    """What revoking one member did."""

    member: MemberRecord
    released: tuple[str, ...]
    department: str

    def report(self) -> str:
        """Tell the administrator what happened, in Chinese."""
        lines = [texts.REVOKE_DONE.format(who=self.member.who)]
        if self.member.role == "handler":
            lines.append(
                texts.REVOKE_RELEASED.format(
                    count=len(self.released),
                    department=self.department,
                    numbers="、".join(self.released),
                )
                if self.released
                else texts.REVOKE_NOTHING_OPEN
            )
        elif self.member.role == "deputy":
            lines.append(texts.REVOKE_DEPUTY_ITEMS)
        return "\n".join(lines)


class Members:
    """Lists members and revokes bindings; administrators only."""

    def __init__(self, deps: ServiceDeps, acting: Acting) -> None:
        self._deps = deps
        self._acting = acting

    async def list(self, *, by: By, include_revoked: bool = False) -> tuple[MemberRecord, ...]:
        """Return the active members (and the revoked ones on request), by role and department."""
        _check(by)
        query = select(Member)
        if not include_revoked:
            query = query.where(active())
        async with self._deps.sessions() as session:
            rows = (await session.execute(query)).scalars().all()
        ordered = sorted(rows, key=lambda m: (_rank(m.role), m.department or "", m.id))
        return tuple(MemberRecord.of(m, self.describe(m)) for m in ordered)

    async def roster(self, *, by: By) -> str:
        """Render the active members with their numbers, for /revoke without a number."""
        rows = await self.list(by=by)
        if not rows:
            return texts.MEMBERS_EMPTY
        lines = [texts.MEMBERS_LINE.format(id=row.id, who=row.who) for row in rows]
        footer = texts.MEMBERS_FOOTER.format(example=rows[-1].id)
        return "\n".join([texts.MEMBERS_HEADER.format(count=len(rows)), *lines, footer])

    async def revoke(self, member_id: int, *, by: By) -> Revocation:
        """Revoke a binding: open work goes back to the department, the person is told once."""
        _check(by)
        deps = self._deps
        now = deps.clock.now()
        async with deps.sessions.begin() as session:
            member = (
                await session.get(Member, member_id, with_for_update=True)
                if 0 < member_id <= MAX_ID
                else None
            )
            if member is None:
                raise Refused(texts.REVOKE_UNKNOWN.format(id=member_id))
            who = self.describe(member)
            if member.revoked_at is not None:
                at = cards.local_time(member.revoked_at, deps.tz)
                raise Refused(texts.REVOKE_ALREADY.format(who=who, at=at))
            member.revoked_at = now
            member.revoked_by = by if isinstance(by, str) else f"admin:{by.telegram_id}"
            await session.flush()
            released = await self._release(session, member, by, now)
            await self._farewell(session, member, now)
            result = Revocation(
                MemberRecord.of(member, who),
                released,
                cards.department_name(deps.config, member.department),
            )
        deps.outbox.kick()
        return result

    def describe(self, member: Member) -> str:
        """Describe a member: role, name, and department or level and district."""
        if member.role == "deputy":
            place = texts.MEMBER_PLACE_DEPUTY.format(level=member.level, district=member.district)
        else:
            place = cards.department_name(self._deps.config, member.department)
        role = texts.ROLES.get(member.role, member.role)
        return texts.MEMBER_WHO.format(role=role, name=member.name, place=place)

    async def _release(
        self, session: AsyncSession, member: Member, by: By, now: datetime
    ) -> tuple[str, ...]:
        """Send the items the member acknowledged and has not closed back to the department."""
        query = (
            select(Item.id)
            .where(Item.status == Status.ACKNOWLEDGED, Item.acknowledged_by == member.id)
            .order_by(Item.id)
        )
        actor = by if isinstance(by, Actor) else None
        released = []
        for item_id in (await session.execute(query)).scalars():
            done = await self._acting.within(session, Act(Action.RELEASE, item_id, actor))
            released.append(done.tracking_no or str(item_id))
        return tuple(released)

    async def _farewell(self, session: AsyncSession, member: Member, now: datetime) -> None:
        """Forget pending input, withdraw queued messages, tell the person, reset the menu.

        An administrator who was also a member stays an administrator: their chat keeps its
        queued messages and its menu.
        """
        chat_id = member.telegram_id
        await session.execute(delete(PendingInput).where(PendingInput.telegram_id == chat_id))
        if chat_id not in self._deps.admin_ids:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending")
                .values(status="failed", sent_at=now, claimed_until=None, last_error=WITHDRAWN)
                .execution_options(synchronize_session=False)
            )
        outbox.send(session, now, chat_id=chat_id, text=texts.REVOKED_NOTICE)
        if chat_id not in self._deps.admin_ids:
            await set_menu(session, now, chat_id=chat_id, menu="default")


def _check(by: By) -> None:
    """Refuse whom the command table does not allow (the command line is trusted)."""
    if isinstance(by, Actor) and not by.may(Command.REVOKE):
        raise Refused(texts.NOT_ALLOWED)


def _rank(role: str) -> int:
    """Order roles as administrators read them: deputies, handlers, supervisors."""
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
