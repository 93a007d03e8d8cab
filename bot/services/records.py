"""/record: a deputy's record (履职档案) of this month and this year, told in the bot."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Member
from bot.desk.ledger import LedgerFilter
from bot.desk.record import DeputyRecord, deputy_record
from bot.domain.permissions import Command
from bot.domain.states import Rating, Role
from bot.services import outbox
from bot.services.actors import Actor, active
from bot.services.base import ServiceDeps
from bot.services.errors import Refused
from bot.services.summary_text import Names, counts_line, hours_text


class Records:
    """Tells deputies their own record, and administrators anyone's."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def record(self, actor: Actor, *, who: str, chat_id: int) -> None:
        """Send the record of this month and this year (a deputy's own, or the one asked for)."""
        if not actor.may(Command.RECORD):
            raise Refused(texts.NOT_ALLOWED)
        deps = self._deps
        now = deps.clock.now()
        local = now.astimezone(deps.tz)
        month = datetime.combine(local.date().replace(day=1), time(), deps.tz)
        year = month.replace(month=1)
        async with deps.sessions() as session:
            deputy = await self._deputy(session, actor, who.strip())
            this_month = await deputy_record(session, deputy.id, LedgerFilter(start=month), now)
            this_year = await deputy_record(session, deputy.id, LedgerFilter(start=year), now)
        names = Names.from_config(deps.config)
        text = "\n\n".join(
            (
                texts.RECORD_HEADER.format(
                    name=deputy.name, level=deputy.level or "", district=deputy.district or ""
                ),
                render_period(texts.RECORD_LABELS["month"], month, this_month, names),
                render_period(texts.RECORD_LABELS["year"], year, this_year, names),
            )
        )
        async with deps.sessions.begin() as session:
            outbox.send(session, now, chat_id=chat_id, text=text)
        deps.outbox.kick()

    async def _deputy(self, session: AsyncSession, actor: Actor, who: str) -> Member:
        """Return the deputy whose record is asked for (a deputy only ever their own)."""
        if actor.role is Role.DEPUTY and actor.member is not None:
            member = await session.get(Member, actor.member.id)
            assert member is not None
            return member
        if not who:
            raise Refused(texts.RECORD_USAGE)
        query = select(Member).where(Member.role == Role.DEPUTY, active())
        if who.isdigit():
            query = query.where(Member.telegram_id == int(who))
        else:
            query = query.where(Member.name == who)
        found = (await session.execute(query.order_by(Member.id).limit(1))).scalar_one_or_none()
        if found is None:
            raise Refused(texts.RECORD_NOT_FOUND.format(who=who))
        return found


def render_period(label: str, start: datetime, record: DeputyRecord | None, names: Names) -> str:
    """Render one period of a record."""
    since = start.strftime("%Y-%m-%d")
    if record is None:
        return texts.RECORD_NONE.format(label=label, start=since)

    return texts.RECORD_PERIOD.format(
        label=label,
        start=since,
        submitted=record.submitted,
        closed=record.closed,
        in_time=record.answered_in_time,
        satisfied=record.ratings[Rating.SATISFIED],
        basic=record.ratings[Rating.BASIC],
        unsatisfied=record.ratings[Rating.UNSATISFIED],
        recurrences=record.recurrences,
        ack=hours_text(record.median_ack_hours),
        answer=hours_text(record.median_answer_hours),
        topics=counts_line(record.by_topic, lambda code: names.topic(code or None)),
    )
