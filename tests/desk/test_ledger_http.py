"""GET /desk/ledger without a period shows the last 30 days, and says so in the form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx

from bot.clock import ManualClock
from bot.db.models import Item
from bot.db.sessions import Sessions
from bot.desk.web.ledger_view import filter_of, ledger_router
from bot.desk.web.signin import COOKIE, SignIn
from bot.services.actors import ActorDirectory
from bot.services.routing import RoutingHolder
from bot.web.app import build_web_app
from tests.bot.test_summary import NOW, TZ
from tests.bot.test_summary import sessions as sessions  # the seeded database fixture

ADMIN = 9001


def test_without_a_period_the_filter_holds_the_last_30_days() -> None:
    now = datetime(2026, 12, 14, 2, 0, tzinfo=TZ)  # 02:00 in Shanghai
    default = filter_of({"status": "routed"}, now, TZ)
    assert default.start == datetime(2026, 11, 15, tzinfo=TZ)
    assert default.end == datetime(2026, 12, 15, tzinfo=TZ)  # today included
    typed = filter_of({"from": "2026-01-01", "to": ""}, now, TZ)
    assert (typed.start, typed.end) == (datetime(2026, 1, 1, tzinfo=TZ), None)
    until = filter_of({"to": "2026-06-30"}, now, TZ)
    assert (until.start, until.end) == (None, datetime(2026, 7, 1, tzinfo=TZ))


async def _ledger(
    sessions: Sessions, routing: RoutingHolder, clock: ManualClock, query: str
) -> str:
    """Return the ledger page an administrator signed in now gets for this query string."""
    signin = SignIn(sessions, clock)
    actors = ActorDirectory(sessions, frozenset({ADMIN}))
    router = ledger_router(signin, actors, sessions, clock, lambda: routing.current.config, TZ)
    opened = await signin.redeem(await signin.issue_link(ADMIN))
    assert opened is not None
    transport = httpx.ASGITransport(app=build_web_app([router]))
    cookies = {COOKIE: opened.cookie}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", cookies=cookies) as c:
        answer = await c.get(f"/desk/ledger?{query}")
    assert answer.status_code == 200
    return answer.text


def _total(page: str) -> int:
    """Return the count the page says the filter holds."""
    found = re.search(r"共 (\d+) 件", page)
    assert found is not None
    return int(found.group(1))


async def test_the_ledger_shows_the_last_30_days_unless_asked(
    sessions: Sessions, routing: RoutingHolder
) -> None:
    clock = ManualClock(NOW)
    everything = _total(await _ledger(sessions, routing, clock, "from=2000-01-01"))
    now = await _ledger(sessions, routing, clock, "")
    assert _total(now) == everything > 0  # every seeded item is of the last two weeks
    today = NOW.astimezone(TZ).date()
    assert f"最近30天（{today - timedelta(days=29)} 至 {today}）" in now
    assert 'name="from" value=""' in now  # the form sends no period unless one is chosen
    clock.advance(timedelta(days=60))
    assert _total(await _ledger(sessions, routing, clock, "")) == 0
    asked = await _ledger(sessions, routing, clock, "from=2026-11-01&to=")
    assert _total(asked) == everything
    assert 'value="2026-11-01"' in asked
    assert "最近30天" not in asked
    numbers = re.findall(r'href="/desk/item/(\d{6}-\d+)"', asked)
    assert numbers == sorted(numbers, reverse=True)  # newest first until a sort is chosen
    assert 'name="desc" value="1" checked' in asked
    oldest = re.findall(
        r'href="/desk/item/(\d{6}-\d+)"',
        await _ledger(sessions, routing, clock, "from=2026-11-01&sort=received"),
    )
    assert oldest == sorted(numbers)


def _numbers(page: str) -> set[str]:
    """Return the item numbers a ledger page lists."""
    return set(re.findall(r'href="/desk/item/([^"]+)"', page))


async def test_overdue_only_lists_open_overdue_items_of_any_age(
    sessions: Sessions, routing: RoutingHolder
) -> None:
    async with sessions.begin() as session:  # one item answered a day after its deadline
        session.add(
            Item(
                tracking_no="L1", status="closed", deputy_id=1, source_chat_id=1001,
                source_message_id=99, text="诉求 L1", topic="education", department="education",
                created_at=NOW - timedelta(days=3), submitted_at=NOW - timedelta(days=3),
                answer_due_at=NOW - timedelta(days=2), closed_at=NOW - timedelta(days=1),
            )
        )  # fmt: skip
    clock = ManualClock(NOW)
    recent = await _ledger(sessions, routing, clock, "overdue=1")
    assert "L1" in _numbers(recent)
    assert _numbers(recent) == _numbers(
        await _ledger(sessions, routing, clock, "from=2000-01-01&overdue=1")
    )
    clock.advance(timedelta(days=60))  # every seeded item was received over 30 days ago
    default = await _ledger(sessions, routing, clock, "overdue=1")
    ever = _numbers(await _ledger(sessions, routing, clock, "from=2000-01-01&overdue=1"))
    closed = _numbers(await _ledger(sessions, routing, clock, "from=2000-01-01&status=closed"))
    assert ever & closed == {"L1"}  # answered late
    assert _numbers(default) == ever - closed != set()  # still open: shown however old
    assert "未办结的超期事项不限收到日期" in default
    typed = await _ledger(
        sessions, routing, clock, f"from={(NOW + timedelta(days=40)).date()}&overdue=1"
    )
    assert _numbers(typed) == set()  # a chosen period bounds them all
