"""The pilot summary for administrators: weekly on Monday 09:00, and on demand."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import texts
from bot.db.models import Digest, Item
from bot.desk.excel import write_workbook
from bot.desk.ledger import EVERYTHING, LedgerFilter
from bot.services import outbox
from bot.services.actors import Actor
from bot.services.base import ServiceDeps
from bot.services.chart import render_chart
from bot.services.errors import Refused
from bot.services.summary import Summary, compute_summary
from bot.services.summary_text import Names, render_text

WEEKLY_TIME = time(9, 0)
PERIODS = {"week": 7, "month": 30}


class Reports:
    """Computes the summary and sends it as text plus one PNG chart."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def weekly_due(self, now: datetime) -> int:
        """Send last week's summary to each admin once, any time after Monday 09:00."""
        deps = self._deps
        local = now.astimezone(deps.tz)
        monday = local.date() - timedelta(days=local.weekday())
        if local < datetime.combine(monday, WEEKLY_TIME, deps.tz):
            return 0
        period = monday.isoformat()
        end = datetime.combine(monday, time(0), deps.tz)
        pending = []
        async with deps.sessions() as session:
            for admin_id in sorted(deps.admin_ids):
                seen = await session.scalar(
                    select(Digest.id).where(
                        Digest.kind == "weekly", Digest.chat_id == admin_id, Digest.period == period
                    )
                )
                if seen is None:
                    pending.append(admin_id)
        if not pending or not await self._pilot_started(end):
            return 0
        summary = await self._summary(end - timedelta(days=7), end, now)
        text, png = await self._render(summary)
        workbook, filename = await self._workbook(summary)
        sent = 0
        for admin_id in pending:
            try:
                async with deps.sessions.begin() as session:
                    session.add(Digest(kind="weekly", chat_id=admin_id, period=period, at=now))
                    await session.flush()
                    outbox.send(session, now, chat_id=admin_id, text=text, bulk=True)
                    outbox.photo(session, now, chat_id=admin_id, png=png, bulk=True)
                    outbox.document(
                        session, now, chat_id=admin_id, data=workbook, filename=filename,
                        caption=texts.WEEKLY_WORKBOOK_CAPTION, bulk=True,
                    )  # fmt: skip
                sent += 1
            except IntegrityError:
                continue
        if sent:
            deps.outbox.kick()
        return sent

    async def on_demand(self, actor: Actor, *, chat_id: int, period: str) -> None:
        """Send the summary of the last week or month to an administrator."""
        deps = self._deps
        days = PERIODS.get(period or "week")
        if days is None:
            raise Refused(texts.SUMMARY_USAGE)
        now = deps.clock.now()
        today = datetime.combine(now.astimezone(deps.tz).date(), time(0), deps.tz)
        text, png = await self._render(
            await self._summary(today - timedelta(days=days - 1), now, now)
        )
        async with deps.sessions.begin() as session:
            outbox.send(session, now, chat_id=chat_id, text=text)
            outbox.photo(session, now, chat_id=chat_id, png=png)
        deps.outbox.kick()

    async def _pilot_started(self, end: datetime) -> bool:
        """Return whether any item was submitted before `end` (no summary of nothing)."""
        async with self._deps.sessions() as session:
            query = select(Item.id).where(Item.submitted_at < end).limit(1)
            return (await session.execute(query)).first() is not None

    async def _summary(self, start: datetime, end: datetime, now: datetime) -> Summary:
        """Compute the summary of a period."""
        deps = self._deps
        return await compute_summary(deps.sessions, start=start, end=end, now=now, tz=deps.tz)

    async def _workbook(self, summary: Summary) -> tuple[bytes, str]:
        """Write the summary's period as a workbook (台账, 事件, 汇总, 代表履职); name its file."""
        deps = self._deps
        buffer = io.BytesIO()
        flt = LedgerFilter(start=summary.start, end=summary.end)
        async with deps.sessions() as session:
            await write_workbook(
                session, buffer, flt=flt, scope=EVERYTHING, summary=summary,
                names=Names.from_config(deps.config), now=summary.now, tz=deps.tz,
            )  # fmt: skip
        last = (summary.end - timedelta(days=1)).astimezone(deps.tz).date()
        first = summary.start.astimezone(deps.tz).date()
        return buffer.getvalue(), texts.WEEKLY_WORKBOOK_FILE.format(start=first, end=last)

    async def _render(self, summary: Summary) -> tuple[str, bytes]:
        """Render a summary's text and chart."""
        deps = self._deps
        names = Names.from_config(deps.config)
        # Drawn in a thread: the first chart imports matplotlib, and the bot keeps answering.
        png = await asyncio.to_thread(render_chart, summary, names)
        return render_text(summary, names), png
