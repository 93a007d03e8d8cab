"""Apply what the 12345 platform reports, exactly as if a handler had done it in the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import HotlineReport, Item
from bot.db.sessions import dialect_name
from bot.domain.hotline import plan
from bot.domain.states import OPEN
from bot.hotline.contract import PlatformEvent
from bot.services.acting import Act, Acting
from bot.services.actors import Actor
from bot.services.base import ServiceDeps
from bot.services.errors import Refused


@dataclass(frozen=True)
class Applied:
    """How a report was taken: a code for the platform and the HTTP status."""

    code: str
    status: int = 200

    @property
    def success(self) -> bool:
        """Tell whether the platform should consider the report delivered."""
        return self.status < 400

    @property
    def message(self) -> str:
        """Return the reason in words."""
        return texts.HOTLINE_ANSWERS.get(self.code, self.code)


NOTES = {"implied": texts.HOTLINE_NOTE_IMPLIED, "late": texts.HOTLINE_NOTE_LATE}


class _Rejected(Exception):
    """The report changes nothing and is refused (the transaction rolls back)."""

    def __init__(self, applied: Applied) -> None:
        super().__init__(applied.code)
        self.applied = applied


class HotlineReports:
    """Takes reports from the platform (its callbacks, or the poll) one transaction each."""

    def __init__(self, deps: ServiceDeps, acting: Acting) -> None:
        self._deps = deps
        self._acting = acting

    async def apply(self, event: PlatformEvent) -> Applied:
        """Apply one report; a repeat, an unknown code or a senseless one changes nothing."""
        try:
            async with self._deps.sessions.begin() as session:
                applied = await self._apply(session, event)
        except _Rejected as rejected:
            return rejected.applied
        self._deps.outbox.kick()
        return applied

    async def _apply(self, session: AsyncSession, event: PlatformEvent) -> Applied:
        """Do the work of apply inside its transaction."""
        deps = self._deps
        now = deps.clock.now()
        item = (
            await session.execute(
                select(Item).where(Item.tracking_no == event.code).with_for_update()
            )
        ).scalar_one_or_none()
        if item is None:
            raise _Rejected(Applied("unknown_code", 404))
        seen = select(HotlineReport.id).where(HotlineReport.event_id == event.event_id)
        if await session.scalar(seen) is not None:
            return Applied("duplicate")  # read after the item's lock: a twin has committed
        if not deps.config.on_hotline(item.department):
            raise _Rejected(Applied("not_with_platform", 409))
        steps = plan(event.type, item.status)
        if steps is None:
            raise _Rejected(Applied("not_in_state", 409))
        actor = Actor.of_platform(event.who or texts.ROLES["platform"])
        try:
            for action in steps.actions:
                await self._acting.within(
                    session,
                    Act(action, item.id, actor, text=event.text or "", due=event.deadline),
                )
        except Refused:
            raise _Rejected(Applied("not_in_state", 409)) from None
        if not await self._claim(session, event, item.id, now, steps.outcome):
            raise _Rejected(Applied("duplicate"))  # a twin got in first after all: undo ours
        return Applied("ok" if steps.outcome == "applied" else steps.outcome)

    @staticmethod
    async def _claim(
        session: AsyncSession, event: PlatformEvent, item_id: int, now: datetime, outcome: str
    ) -> bool:
        """Record the event by its id; False when it is already recorded."""
        dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
        claim = (
            dialect.insert(HotlineReport)
            .values(
                event_id=event.event_id,
                item_id=item_id,
                type=event.type.value,
                at=event.at,
                received_at=now,
                outcome=outcome,
                note=NOTES.get(outcome),
            )
            .on_conflict_do_nothing()
        )
        result = await session.execute(claim)
        return bool(getattr(result, "rowcount", 0))


async def open_work_orders(deps: ServiceDeps) -> list[str]:
    """Return the codes of open items at departments the platform handles (for the poll)."""
    departments = [d.code for d in deps.config.departments if d.hotline]
    if not departments:
        return []
    query = select(Item.tracking_no).where(
        Item.status.in_(OPEN), Item.department.in_(departments), Item.tracking_no.is_not(None)
    )
    async with deps.sessions() as session:
        return [str(code) for code in (await session.execute(query.order_by(Item.id))).scalars()]
