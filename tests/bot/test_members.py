"""Members: listing and revoking bindings, and binding a revoked person again; on real databases."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.cli import main
from bot.clock import ManualClock
from bot.context import Services
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import CommandMenu, Item, ItemEvent, Member, OutboxMessage, PendingInput
from bot.domain.rules import Action
from bot.domain.states import Status
from bot.services.acting import Act
from bot.services.actors import Actor, handlers_of, supervisors_of
from bot.services.errors import Refused
from bot.services.members import CLI
from bot.services.routing import RoutingHolder
from bot.settings import Settings
from bot.wiring import build_services
from tests.conftest import ROUTING

CST = ZoneInfo("Asia/Shanghai")
# Monday 10:00, a working day outside quiet hours.
START = datetime(2026, 12, 7, 10, 0, tzinfo=CST)
ADMIN = 900
DEPUTY, LI, ZHAO, WANG, HEAD = 101, 201, 202, 203, 209


@pytest.fixture
async def services(database_url: str, routing: RoutingHolder) -> AsyncIterator[Services]:
    """Wire every service on an empty, migrated database with a clock that stands still."""
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=database_url,  # type: ignore[call-arg]
        DEPUTYBOT_ADMIN_IDS=str(ADMIN),
        _env_file=None,
    )
    built = await build_services(settings, ManualClock(START), routing)
    yield built
    await built.engine.dispose()


ADMIN_ACTOR = Actor(ADMIN, True, None)


async def seed(services: Services) -> dict[int, int]:
    """Bind a deputy, two housing handlers, an ecology handler and a housing head."""
    people = (
        (DEPUTY, "deputy", "张三", None),
        (LI, "handler", "李四", "housing"),
        (ZHAO, "handler", "赵六", "housing"),
        (WANG, "handler", "王五", "ecology"),
        (HEAD, "supervisor", "孙局长", "housing"),
    )
    async with services.deps.sessions.begin() as session:
        rows = {}
        for telegram_id, role, name, department in people:
            rows[telegram_id] = Member(
                telegram_id=telegram_id,
                role=role,
                name=name,
                level="县" if role == "deputy" else None,
                district="K8县" if role == "deputy" else None,
                department=department,
                joined_at=START,
                invite_code=f"seed-{telegram_id}",
            )
            session.add(rows[telegram_id])
        await session.flush()
        return {telegram_id: member.id for telegram_id, member in rows.items()}


async def routed_item(services: Services, deputy_id: int, n: int, department: str) -> int:
    """Store an item routed to a department with its deadlines; return its id."""
    async with services.deps.sessions.begin() as session:
        item = Item(
            tracking_no=f"261207-{n:04d}",
            status="routed",
            deputy_id=deputy_id,
            source_chat_id=DEPUTY,
            source_message_id=n,
            text=f"路灯坏了 第{n}处",
            topic="urban_rural",
            department=department,
            created_at=START,
            submitted_at=START,
            routed_at=START,
            ack_due_at=START + timedelta(hours=24),
            answer_due_at=START + timedelta(days=7),
            next_reminder_at=START + timedelta(hours=24),
        )
        session.add(item)
        await session.flush()
        return item.id


async def acknowledge(services: Services, telegram_id: int, item_id: int) -> None:
    """Acknowledge an item as a handler, from a card with message id 1."""
    actor = await services.actors.resolve(telegram_id)
    act = Act(Action.ACKNOWLEDGE, item_id, actor, chat_id=telegram_id, message_id=1)
    await services.acting(act)


async def outbox_since(services: Services, mark: int, chat_id: int) -> list[OutboxMessage]:
    """Return the rows queued for a chat after a row id."""
    async with services.deps.sessions() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.id > mark, OutboxMessage.chat_id == chat_id
        )
        return list((await session.execute(query.order_by(OutboxMessage.id))).scalars())


async def last_outbox_id(services: Services) -> int:
    """Return the id of the newest outbox row."""
    async with services.deps.sessions() as session:
        return int(await session.scalar(select(func.max(OutboxMessage.id))) or 0)


async def test_revoking_a_handler_sends_their_open_items_back(services: Services) -> None:
    ids = await seed(services)
    first, second, other, closed = [
        await routed_item(services, ids[DEPUTY], n, "housing") for n in (1, 2, 3, 4)
    ]
    for item_id in (first, second, closed):
        await acknowledge(services, LI, item_id)
    await acknowledge(services, ZHAO, other)
    async with services.deps.sessions.begin() as session:
        item = await session.get(Item, closed)
        assert item is not None
        item.status = Status.CLOSED
        session.add(PendingInput(telegram_id=LI, purpose="answer", item_id=first, since=START))
    # A reminder held for the morning must not reach a person who is no longer bound.
    async with services.deps.sessions.begin() as session:
        session.add(
            OutboxMessage(
                op="send",
                chat_id=LI,
                text="⏰ 催办",
                payload={},
                item_id=first,
                status="pending",
                attempts=0,
                created_at=START,
                next_attempt_at=START + timedelta(hours=22),
            )
        )
    async with services.deps.sessions() as session:
        before = {
            item.id: (item.ack_due_at, item.answer_due_at)
            for item in (await session.execute(select(Item))).scalars()
        }
        events_before = await session.scalar(select(func.count()).select_from(ItemEvent))
    mark = await last_outbox_id(services)

    result = await services.members.revoke(ids[LI], by=ADMIN_ACTOR)

    assert result.released == ("261207-0001", "261207-0002")
    report = result.report()
    assert "承办人员 李四（住房和城乡建设局）" in report
    assert "2 件" in report
    assert "261207-0001、261207-0002" in report
    async with services.deps.sessions() as session:
        li = await session.get(Member, ids[LI])
        assert li is not None
        assert li.revoked_at == START
        assert li.revoked_by == f"admin:{ADMIN}"
        items = {item.id: item for item in (await session.execute(select(Item))).scalars()}
        for item_id in (first, second):
            assert items[item_id].status == "routed"
            assert items[item_id].acknowledged_by is None
            assert items[item_id].acknowledged_at is None
            assert (items[item_id].ack_due_at, items[item_id].answer_due_at) == before[item_id]
        assert items[other].status == "acknowledged"
        assert items[closed].status == "closed"
        events = list(
            (await session.execute(select(ItemEvent).where(ItemEvent.kind == "released"))).scalars()
        )
        assert [e.item_id for e in events] == [first, second]
        assert all(e.actor_role == "admin" and e.actor_telegram_id == ADMIN for e in events)
        assert all((e.from_status, e.to_status) == ("acknowledged", "routed") for e in events)
        assert all("李四" in (e.note or "") for e in events)
        events_after = await session.scalar(select(func.count()).select_from(ItemEvent))
        assert events_after == (events_before or 0) + 2
        assert await session.get(PendingInput, LI) is None
        menu = await session.get(CommandMenu, LI)
        assert menu is not None
        assert menu.menu == "default"
        held = await session.scalar(select(OutboxMessage).where(OutboxMessage.text == "⏰ 催办"))
        assert held is not None
        assert held.status == "failed"
    # The other housing handler gets both cards again; the revoked one only the notice.
    cards = [row for row in await outbox_since(services, mark, ZHAO) if row.op == "send"]
    assert [row.item_id for row in cards] == [first, second]
    assert all("新派单" in (row.text or "") for row in cards)
    assert all("原签收人 李四 已解除绑定" in (row.text or "") for row in cards)
    assert cards[0].payload["buttons"][0][0] == [texts.BTN_ACK, f"ack:{first}"]
    to_li = await outbox_since(services, mark, LI)
    assert [(row.op, row.text) for row in to_li] == [
        ("send", texts.REVOKED_NOTICE),
        ("commands", None),
    ]
    assert to_li[1].payload["commands"] == []
    assert await outbox_since(services, mark, WANG) == []
    # Li is a stranger now; Zhao can take the item.
    assert (await services.actors.resolve(LI)).role == "stranger"
    async with services.deps.sessions() as session:
        assert [m.telegram_id for m in await handlers_of(session, department="housing")] == [ZHAO]
    await acknowledge(services, ZHAO, first)


async def test_a_department_left_without_handlers_is_reported(services: Services) -> None:
    ids = await seed(services)
    item_id = await routed_item(services, ids[DEPUTY], 1, "ecology")
    await acknowledge(services, WANG, item_id)
    mark = await last_outbox_id(services)
    result = await services.members.revoke(ids[WANG], by=CLI)
    assert result.released == ("261207-0001",)
    alerts = await outbox_since(services, mark, ADMIN)
    assert [row.text for row in alerts] == [
        texts.NO_HANDLERS.format(no="261207-0001", department="生态环境局")
    ]
    async with services.deps.sessions() as session:
        event = await session.scalar(select(ItemEvent).where(ItemEvent.kind == "released"))
        assert event is not None
        assert (event.actor_role, event.actor_telegram_id) == ("system", None)
        member = await session.get(Member, ids[WANG])
        assert member is not None
        assert member.revoked_by == "cli"


async def test_revoking_a_deputy_keeps_their_items(services: Services) -> None:
    ids = await seed(services)
    item_id = await routed_item(services, ids[DEPUTY], 1, "housing")
    await acknowledge(services, LI, item_id)
    async with services.deps.sessions() as session:
        events_before = await session.scalar(select(func.count()).select_from(ItemEvent))
    result = await services.members.revoke(ids[DEPUTY], by=ADMIN_ACTOR)
    assert result.released == ()
    assert texts.REVOKE_DEPUTY_ITEMS in result.report()
    assert "人大代表 张三（县级，K8县）" in result.report()
    async with services.deps.sessions() as session:
        item = await session.get(Item, item_id)
        assert item is not None
        assert (item.status, item.deputy_id) == ("acknowledged", ids[DEPUTY])
        events = await session.scalar(select(func.count()).select_from(ItemEvent))
        assert events == events_before
    assert (await services.actors.resolve(DEPUTY)).role == "stranger"


async def test_revoking_a_supervisor_drops_them_from_the_department(services: Services) -> None:
    ids = await seed(services)
    result = await services.members.revoke(ids[HEAD], by=ADMIN_ACTOR)
    assert result.report() == texts.REVOKE_DONE.format(who="部门负责人 孙局长（住房和城乡建设局）")
    async with services.deps.sessions() as session:
        assert await supervisors_of(session, department="housing") == []


@pytest.mark.parametrize(
    ("member", "message"),
    [
        pytest.param(999, "没有编号为 999 的成员", id="unknown"),
        pytest.param(0, "没有编号为 0 的成员", id="zero"),
        pytest.param(2**40, "没有编号为", id="beyond-integer-keys"),
    ],
)
async def test_unknown_members_are_refused(services: Services, member: int, message: str) -> None:
    await seed(services)
    with pytest.raises(Refused, match=message):
        await services.members.revoke(member, by=ADMIN_ACTOR)


async def test_revoking_twice_is_refused(services: Services) -> None:
    ids = await seed(services)
    await services.members.revoke(ids[LI], by=ADMIN_ACTOR)
    mark = await last_outbox_id(services)
    with pytest.raises(Refused, match=r"李四.*已于 12-07 10:00 解除绑定，无需重复操作"):
        await services.members.revoke(ids[LI], by=CLI)
    assert await outbox_since(services, mark, LI) == []


@pytest.mark.parametrize("who", [DEPUTY, LI, HEAD, 300001])
async def test_only_administrators_list_or_revoke(services: Services, who: int) -> None:
    ids = await seed(services)
    actor = await services.actors.resolve(who)
    with pytest.raises(Refused, match="无权"):
        await services.members.revoke(ids[ZHAO], by=actor)
    with pytest.raises(Refused, match="无权"):
        await services.members.list(by=actor)
    assert (await services.actors.resolve(ZHAO)).role == "handler"


async def test_list_shows_active_members_and_on_request_the_revoked(services: Services) -> None:
    ids = await seed(services)
    await services.members.revoke(ids[ZHAO], by=ADMIN_ACTOR)
    active = await services.members.list(by=ADMIN_ACTOR)
    assert [row.name for row in active] == ["张三", "王五", "李四", "孙局长"]
    assert [row.who for row in active][:2] == [
        "人大代表 张三（县级，K8县）",
        "承办人员 王五（生态环境局）",
    ]
    everyone = await services.members.list(by=CLI, include_revoked=True)
    revoked = [row for row in everyone if row.revoked_at is not None]
    assert [(row.name, row.revoked_by, row.joined_at) for row in revoked] == [
        ("赵六", f"admin:{ADMIN}", START)
    ]
    roster = await services.members.roster(by=ADMIN_ACTOR)
    assert roster.splitlines()[0] == texts.MEMBERS_HEADER.format(count=4)
    assert f"{ids[LI]}. 承办人员 李四（住房和城乡建设局）" in roster
    assert "赵六" not in roster


async def test_empty_roster(services: Services) -> None:
    assert await services.members.roster(by=ADMIN_ACTOR) == texts.MEMBERS_EMPTY


async def test_a_revoked_person_can_be_invited_again(services: Services) -> None:
    ids = await seed(services)
    item_id = await routed_item(services, ids[DEPUTY], 1, "housing")
    await acknowledge(services, LI, item_id)
    await services.members.revoke(ids[LI], by=ADMIN_ACTOR)
    clock = services.deps.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=1))
    view = await services.invites.create_handler(
        department="ecology", name="李四", by="cli", role="supervisor"
    )
    member = await services.invites.redeem(code=view.code, telegram_id=LI, chat_id=LI)
    assert (member.id, member.role, member.department) == (ids[LI], "supervisor", "ecology")
    async with services.deps.sessions() as session:
        row = await session.get(Member, ids[LI])
        assert row is not None
        assert (row.revoked_at, row.revoked_by) == (None, None)
        assert (row.joined_at, row.invite_code) == (START + timedelta(days=1), view.code)
        count = await session.scalar(select(func.count()).select_from(Member))
        assert count == len(ids)
        menu = await session.get(CommandMenu, LI)
        assert menu is not None
        assert menu.menu == "supervisor"
        # The past stays: the release of the item he had taken is still on record.
        assert await session.scalar(select(ItemEvent).where(ItemEvent.kind == "released"))
    actor = await services.actors.resolve(LI)
    assert (actor.role, actor.label) == ("supervisor", "李四")
    again = await services.invites.create_deputy(name="李四", level="县", district="x", by="cli")
    with pytest.raises(Refused, match="已绑定为部门负责人"):
        await services.invites.redeem(code=again.code, telegram_id=LI, chat_id=LI)


async def test_a_revoked_administrator_keeps_the_admin_menu(
    database_url: str, routing: RoutingHolder
) -> None:
    settings = Settings(
        DEPUTYBOT_DATABASE_URL=database_url,  # type: ignore[call-arg]
        DEPUTYBOT_ADMIN_IDS=f"{ADMIN},{LI}",
        _env_file=None,
    )
    services = await build_services(settings, ManualClock(START), routing)
    try:
        ids = await seed(services)
        mark = await last_outbox_id(services)
        await services.members.revoke(ids[LI], by=ADMIN_ACTOR)
        rows = await outbox_since(services, mark, LI)
        assert [(row.op, row.text) for row in rows] == [("send", texts.REVOKED_NOTICE)]
        assert (await services.actors.resolve(LI)).role == "admin"
    finally:
        await services.engine.dispose()


async def test_revoked_handlers_get_no_daily_digest(services: Services) -> None:
    ids = await seed(services)
    await routed_item(services, ids[DEPUTY], 1, "housing")
    await services.members.revoke(ids[LI], by=ADMIN_ACTOR)
    mark = await last_outbox_id(services)
    tomorrow_nine = START + timedelta(days=1, hours=-1)
    assert await services.digests.daily_due(tomorrow_nine) == 1
    assert await outbox_since(services, mark, LI) == []


async def test_revoked_supervisors_get_no_supervision(services: Services) -> None:
    ids = await seed(services)
    await routed_item(services, ids[DEPUTY], 1, "housing")
    await services.members.revoke(ids[HEAD], by=ADMIN_ACTOR)
    mark = await last_outbox_id(services)
    after_deadline = START + timedelta(days=7, hours=1)
    await services.reminders.sweep(after_deadline)
    assert any("督办" in (row.text or "") for row in await outbox_since(services, mark, ADMIN))
    assert await outbox_since(services, mark, HEAD) == []


# The command line


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Point the CLI at a fresh SQLite file and the shipped routing file; return its URL."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DEPUTYBOT_DATABASE_URL", url)
    monkeypatch.setenv("DEPUTYBOT_ROUTING", str(ROUTING))
    monkeypatch.setenv("DEPUTYBOT_ADMIN_IDS", str(ADMIN))
    return url


async def _cli_seed(url: str) -> dict[int, int]:
    """Bind the cast and give Li an acknowledged item, straight in the database."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        members = {}
        for telegram_id, role, name, department in (
            (DEPUTY, "deputy", "张三", None),
            (LI, "handler", "李四", "housing"),
            (ZHAO, "handler", "赵六", "housing"),
        ):
            members[telegram_id] = Member(
                telegram_id=telegram_id,
                role=role,
                name=name,
                level="县" if role == "deputy" else None,
                district="K8县" if role == "deputy" else None,
                department=department,
                joined_at=START,
                invite_code=f"seed-{telegram_id}",
            )
            session.add(members[telegram_id])
        await session.flush()
        session.add(
            Item(
                tracking_no="261207-0001",
                status="acknowledged",
                deputy_id=members[DEPUTY].id,
                source_chat_id=DEPUTY,
                source_message_id=1,
                text="路灯坏了",
                topic="urban_rural",
                department="housing",
                created_at=START,
                submitted_at=START,
                routed_at=START,
                ack_due_at=START + timedelta(hours=24),
                answer_due_at=START + timedelta(days=7),
                acknowledged_at=START,
                acknowledged_by=members[LI].id,
            )
        )
        ids = {telegram_id: member.id for telegram_id, member in members.items()}
    await engine.dispose()
    return ids


async def _cli_outbox(url: str) -> list[tuple[int, str, str | None]]:
    """Return every queued row as (chat, op, text)."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        query = select(OutboxMessage.chat_id, OutboxMessage.op, OutboxMessage.text)
        rows = [tuple(row) for row in (await session.execute(query.order_by(OutboxMessage.id)))]
    await engine.dispose()
    return rows  # type: ignore[return-value]


def test_cli_lists_and_revokes_members(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_cli_seed(cli_env))
    assert main(["members", "list"]) == 0
    out = capsys.readouterr().out
    header, *lines = out.splitlines()
    assert header.split() == list(texts.MEMBERS_COLUMNS)
    assert re.match(rf"{ids[LI]}\s+承办人员\s+李四\s+housing\s+2026-12-07 10:00\s+—$", lines[1])
    assert "县级，K8县" in lines[0]

    assert main(["members", "revoke", str(ids[LI])]) == 0
    out = capsys.readouterr().out
    assert "已解除承办人员 李四（住房和城乡建设局）的绑定" in out
    assert "其签收的 1 件未办结诉求已退回【住房和城乡建设局】重新签收：261207-0001" in out
    assert texts.REVOKE_QUEUED in out
    queued = asyncio.run(_cli_outbox(cli_env))
    assert (LI, "send", texts.REVOKED_NOTICE) in queued
    assert any(chat == ZHAO and "原签收人 李四" in (text or "") for chat, _, text in queued)

    assert main(["members", "revoke", str(ids[LI])]) == 1
    assert "无需重复操作" in capsys.readouterr().out
    assert main(["members", "revoke", "12345"]) == 1
    assert "没有编号为 12345 的成员" in capsys.readouterr().out

    assert main(["members", "list"]) == 0
    assert "李四" not in capsys.readouterr().out
    assert main(["members", "list", "--all"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "李四" in line)
    assert row.endswith("（cli）")
