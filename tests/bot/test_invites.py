"""Invites: once only, seven days, right role; on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import Member, OutboxMessage
from bot.db.sessions import Sessions
from bot.services.errors import Refused
from bot.services.invites import Invites

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _invites(sessions: Sessions, clock: ManualClock) -> Invites:
    return Invites(sessions, clock, lambda: {"housing": "住房和城乡建设局"})


async def test_code_binds_once(sessions: Sessions) -> None:
    clock = ManualClock(START)
    invites = _invites(sessions, clock)
    view = await invites.create_deputy(name="张三", level="县级", district="K8县", by="cli")
    member = await invites.redeem(code=view.code, telegram_id=5, chat_id=5)
    assert (member.role, member.name, member.level, member.district) == (
        "deputy",
        "张三",
        "县",
        "K8县",
    )
    with pytest.raises(Refused, match="已使用或已过期"):
        await invites.redeem(code=view.code, telegram_id=6, chat_id=6)
    with pytest.raises(Refused, match="已绑定"):
        await invites.redeem(code=view.code, telegram_id=5, chat_id=5)
    async with sessions() as session:
        rows = list((await session.execute(select(OutboxMessage.op))).scalars())
        members = list((await session.execute(select(Member.telegram_id))).scalars())
    assert sorted(rows) == ["commands", "send"]
    assert members == [5]


async def test_code_expires_after_seven_days(sessions: Sessions) -> None:
    clock = ManualClock(START)
    invites = _invites(sessions, clock)
    fresh = await invites.create_handler(department="housing", name="李四", by="cli")
    stale = await invites.create_handler(department="housing", name="赵六", by="cli")
    clock.advance(timedelta(days=6, hours=23))
    assert (await invites.redeem(code=fresh.code, telegram_id=7, chat_id=7)).department == "housing"
    clock.advance(timedelta(hours=2))
    with pytest.raises(Refused):
        await invites.redeem(code=stale.code, telegram_id=8, chat_id=8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"level": "村", "district": "x"}, "层级", id="bad-level"),
        pytest.param({"level": "县", "district": "x", "name": " "}, "用法", id="empty-name"),
    ],
)
async def test_bad_deputy_invites_are_refused(
    sessions: Sessions, kwargs: dict[str, str], message: str
) -> None:
    invites = _invites(sessions, ManualClock(START))
    arguments = {"name": "张三", **kwargs}
    with pytest.raises(Refused, match=message):
        await invites.create_deputy(by="cli", **arguments)


async def test_unknown_department_is_refused(sessions: Sessions) -> None:
    invites = _invites(sessions, ManualClock(START))
    with pytest.raises(Refused, match="未知的部门代码 nope"):
        await invites.create_handler(department="nope", name="李四", by="cli")
