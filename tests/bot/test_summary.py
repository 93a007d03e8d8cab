"""The pilot summary on a seeded database: every metric, the text, the JSON and the CLI."""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.summary import add_commands
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import Item, ItemEvent, Member
from bot.db.sessions import Sessions
from bot.domain.states import Rating
from bot.services.summary import HotSpot, Overdue, Summary, compute_summary
from bot.services.summary_text import Names, render_text, to_json
from bot.settings import Settings
from classifier import load
from tests.conftest import ROUTING

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 7, tzinfo=TZ).astimezone(UTC)
END = START + timedelta(days=7)
NOW = START + timedelta(hours=170)
DEPUTIES = {1: ("岳麓区", "市"), 2: ("岳麓区", "县"), 3: ("雨花区", "省")}


def h(hours: float) -> datetime:
    """Return the moment `hours` after the period starts."""
    return START + timedelta(hours=hours)


@dataclass
class Seed:
    """One item to store, with its events as (kind, hours, note)."""

    no: str
    deputy: int
    status: str
    submitted: float | None
    topic: str | None = None
    department: str | None = None
    ack_due: float | None = None
    answer_due: float | None = None
    events: list[tuple[str, float, str | None]] = field(default_factory=list)
    recurrence_of: str | None = None


SEEDS = [
    # The previous period [START - 7 days, START).
    Seed("P1", 1, "closed", -1, "urban_rural", "housing"),
    Seed("P2", 2, "closed", -30, "urban_rural", "housing"),
    Seed("P3", 2, "closed", -160, "urban_rural", "housing"),
    Seed("P4", 3, "closed", -100, "environment", "ecology"),
    Seed("P5", 3, "cancelled", -50, "transport", "transport"),
    Seed("P6", 3, "closed", -169, "transport", "transport"),  # before the previous period
    # The period.
    Seed(
        "A1", 1, "closed", 1, "urban_rural", "housing", 25, 121,
        [("acknowledged", 3, None), ("answered", 11, "已修复"), ("rated", 12, "满意")],
    ),
    Seed(
        "A2", 1, "closed", 2, "urban_rural", "housing", 26, 122,
        [
            ("acknowledged", 30, None),
            ("answered", 50, "已处理"),
            ("rated", 60, "不满意：没修好"),
            ("reopened", 60, "没修好"),
            ("acknowledged", 62, None),
            ("answered", 70, "再次处理"),
            ("rated", 80, "基本满意"),
        ],
    ),
    Seed("A3", 2, "acknowledged", 5, "environment", "ecology", 29, 53, [("acknowledged", 6, None)]),
    Seed("A4", 3, "routed", 10, "environment", "ecology", 34, 130),
    Seed("A5", 3, "routed", 20, "transport", "transport", 180, 300),
    Seed("A6", 1, "triage", 30),
    Seed(
        "A7", 2, "acknowledged", 40, "urban_rural", "housing", 42, 175,
        [("acknowledged", 41, None)], recurrence_of="P1",
    ),
    Seed(
        "A9", 2, "routed", 50, "environment", "ecology", 74, 150,
        [
            ("acknowledged", 53, None),
            ("answered", 62, "已答复"),
            ("rated", 65, "不满意：敷衍"),
            ("reopened", 65, "敷衍"),
        ],
    ),
    Seed(
        "A10", 3, "acknowledged", 100, "transport", "transport", 124, 200,
        [("acknowledged", 110, None)],
    ),
    Seed(  # taken before its deadline, which has not passed yet
        "A11", 3, "acknowledged", 120, "transport", "transport", 190, 300,
        [("acknowledged", 125, None)],
    ),
    Seed(
        "A12", 1, "acknowledged", 60, "education", "education", 84, 100,
        [("acknowledged", 61, None)],
    ),
    Seed("A13", 1, "cancelled", 3, "education", "education"),
    Seed("A14", 1, "draft", None, "education", "education"),
    Seed("N1", 1, "routed", 168, "education", "education", 192, 300),  # at END: next period
]  # fmt: skip


async def seed(sessions: Sessions, seeds: list[Seed]) -> None:
    """Store the deputies and the items with their events."""
    async with sessions.begin() as session:
        for number, (district, level) in DEPUTIES.items():
            session.add(
                Member(
                    id=number, telegram_id=1000 + number, role="deputy", name=f"代表{number}",
                    level=level, district=district, joined_at=h(-500), invite_code=f"c{number}",
                )
            )  # fmt: skip
        await session.flush()
        ids: dict[str, int] = {}
        for index, s in enumerate(seeds):
            submitted = None if s.submitted is None else h(s.submitted)
            item = Item(
                tracking_no=s.no, status=s.status, deputy_id=s.deputy,
                source_chat_id=1000 + s.deputy, source_message_id=index, text=f"诉求 {s.no}",
                topic=s.topic, department=s.department,
                created_at=submitted or h(0), submitted_at=submitted,
                routed_at=submitted if s.ack_due is not None else None,
                ack_due_at=None if s.ack_due is None else h(s.ack_due),
                answer_due_at=None if s.answer_due is None else h(s.answer_due),
                recurrence_of=ids[s.recurrence_of] if s.recurrence_of else None,
            )  # fmt: skip
            session.add(item)
            await session.flush()
            ids[s.no] = item.id
            for kind, at, note in s.events:
                session.add(
                    ItemEvent(
                        item_id=item.id, at=h(at), kind=kind, actor_role="handler", note=note,
                        department=s.department, rating=_rating(kind, note),
                    )
                )  # fmt: skip


def _rating(kind: str, note: str | None) -> Rating | None:
    """Return the rating a seeded rating event records (the summary reads the column)."""
    if kind != "rated" or note is None:
        return None
    labels = {"不满意": Rating.UNSATISFIED, "基本满意": Rating.BASIC, "满意": Rating.SATISFIED}
    return next(rating for label, rating in labels.items() if note.startswith(label))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    """Open a migrated database holding the seeded items."""
    engine = create_engine(database_url)
    await upgrade(engine)
    factory = session_factory(engine)
    await seed(factory, SEEDS)
    yield factory
    await engine.dispose()


async def summarize(sessions: Sessions, start: datetime = START, **kwargs: bool) -> Summary:
    """Summarize the week from `start` as of NOW."""
    return await compute_summary(
        sessions, start=start, end=start + timedelta(days=7), now=NOW, tz=TZ, **kwargs
    )


async def test_counts(sessions: Sessions) -> None:
    summary = await summarize(sessions)
    assert summary.received == 11
    assert summary.closed == 2
    assert summary.by_topic == {
        "urban_rural": 3,
        "environment": 3,
        "transport": 3,
        "education": 1,
        "": 1,
    }
    assert summary.by_department == {
        "housing": 3,
        "ecology": 3,
        "transport": 3,
        "education": 1,
        "": 1,
    }
    assert summary.by_district == {"岳麓区": 7, "雨花区": 4}
    assert summary.by_level == {"市": 4, "省": 4, "县": 3}
    assert summary.recurrences == {"housing": 1}
    assert summary.previous_received == 4


async def test_rates(sessions: Sessions) -> None:
    summary = await summarize(sessions)
    # Due: A1 A2 A3 A4 A7 A9 A10 A12 (deadline passed) and A11 (taken early); A2 late, A4 never.
    assert (summary.ack_in_time, summary.ack_due) == (7, 9)
    assert summary.response_rate == pytest.approx(7 / 9)
    assert summary.resolution_rate == pytest.approx(2 / 11)
    # Latest ratings: A1 满意, A2 基本满意 (after 不满意 and a reopen), A9 不满意.
    assert summary.ratings == {"satisfied": 1, "basic": 1, "unsatisfied": 1}
    assert summary.rated == 3
    assert summary.satisfaction_rate == pytest.approx(2 / 3)


async def test_medians_use_the_first_acknowledgement_and_answer(
    sessions: Sessions,
) -> None:
    summary = await summarize(sessions)
    assert summary.median_ack_hours == 2.5  # 1 1 1 2 | 3 5 10 28
    assert summary.median_answer_hours == 12.0  # 10 12 48


async def test_overdue_most_overdue_first(sessions: Sessions) -> None:
    summary = await summarize(sessions)
    assert summary.overdue == (
        Overdue("A4", "ecology", 136.0),  # not taken: acknowledgement deadline h34
        Overdue("A3", "ecology", 117.0),  # taken: answer deadline h53
        Overdue("A9", "ecology", 96.0),  # reopened, not taken again: h74
        Overdue("A12", "education", 70.0),
    )


async def test_hot_spots_against_the_previous_week(
    sessions: Sessions,
) -> None:
    summary = await summarize(sessions)
    assert summary.hot_topics == (
        HotSpot("transport", 3, 0, None),
        HotSpot("environment", 3, 1, 2.0),
    )
    assert summary.hot_districts == (
        HotSpot("岳麓区", 7, 3, 4 / 3),
        HotSpot("雨花区", 4, 1, 3.0),
    )
    plain = await summarize(sessions, previous=False)
    assert (plain.hot_topics, plain.hot_districts, plain.previous_received) == ((), (), None)


async def test_empty_period_has_no_rates(sessions: Sessions) -> None:
    summary = await summarize(sessions, END + timedelta(days=7))
    assert summary.received == summary.rated == summary.ack_due == 0
    assert summary.response_rate is None
    assert summary.resolution_rate is None
    assert summary.satisfaction_rate is None
    assert summary.median_ack_hours is summary.median_answer_hours is None
    assert summary.overdue == ()
    assert summary.hot_topics == summary.hot_districts == ()
    assert summary.by_topic == summary.recurrences == {}
    assert summary.previous_received == 1  # N1, submitted exactly at END


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(START, START, id="empty"),
        pytest.param(END, START, id="backwards"),
        pytest.param(START.replace(tzinfo=None), END, id="naive"),
    ],
)
async def test_bad_periods_are_refused(sessions: Sessions, start: datetime, end: datetime) -> None:
    with pytest.raises(ValueError, match=r"period|timezone"):
        await compute_summary(sessions, start=start, end=end, now=NOW, tz=TZ)


@pytest.fixture(scope="module")
def names() -> Names:
    """Name topics and departments as the shipped routing file does."""
    return Names.from_config(load(ROUTING).config)


async def test_json_has_every_key(sessions: Sessions) -> None:
    data = json.loads(json.dumps(to_json(await summarize(sessions)), ensure_ascii=False))
    assert data["received"] == 11
    assert data["by_topic"]["environment"] == 3
    assert data["by_department"]["housing"] == 3
    assert data["by_district"] == {"岳麓区": 7, "雨花区": 4}
    assert data["response_rate"] == pytest.approx(7 / 9)
    assert data["resolution_rate"] == pytest.approx(2 / 11)
    assert data["satisfaction_rate"] == pytest.approx(2 / 3)
    assert data["overdue"] == ["A4", "A3", "A9", "A12"]
    assert data["overdue_detail"][0] == {"tracking_no": "A4", "department": "ecology", "hours": 136}
    assert data["hot_spots"]["topics"][0] == {
        "key": "transport", "current": 3, "before": 0, "growth": None,
    }  # fmt: skip
    assert data["recurrences"] == {"housing": 1}
    assert {"median_ack_hours", "median_answer_hours", "by_level", "ratings"} <= data.keys()
    empty = to_json(await summarize(sessions, END + timedelta(days=7)))
    assert [empty[k] for k in ("response_rate", "resolution_rate", "satisfaction_rate")] == [
        None, None, None,
    ]  # fmt: skip


async def test_text_for_administrators(sessions: Sessions, names: Names) -> None:
    text = render_text(await summarize(sessions), names)
    assert text.startswith("📊 人大代表社情民意直通 12345 试点小结（2026-12-07 至 2026-12-13）")
    for line in (
        "收到诉求 11 件（上期 4 件），已办结 2 件。",
        "• 响应率 77.78%（按时签收 7/9 件）｜苏州 99.41%",
        "• 解决率 18.18%（办结 2/11 件）｜苏州 98.36%",
        "• 满意率 66.67%（满意及基本满意 2/3 件）｜苏州 97.69%",
        "用时中位数：签收 2.5 小时，答复 12.0 小时",
        "按承办部门：生态环境局 3、住房和城乡建设局 3、交通运输局 3、教育局 1、待分拨 1",
        "按代表层级：市级 4、省级 4、县级 3",
        "• A4｜生态环境局｜已超时 136.0 小时",
        "• 分类「交通运输」3 件，上期 0 件（新出现）",
        "• 选区「岳麓区」7 件，上期 3 件（+133%）",
        "🔁 回头看“又出现了”重新立案：住房和城乡建设局 1",
    ):
        assert line in text.splitlines()
    assert text.index("A4") < text.index("A3") < text.index("A9") < text.index("A12")


async def test_empty_text_says_so(sessions: Sessions) -> None:
    text = render_text(await summarize(sessions, END + timedelta(days=7)), {})
    assert "本期没有收到诉求。" in text
    assert "• 响应率 —（暂无到期应签收的诉求）｜苏州 99.41%" in text
    assert "✅ 没有超时未办结的诉求。" in text


async def test_long_text_stays_under_telegrams_limit(sessions: Sessions, names: Names) -> None:
    big = replace(
        await summarize(sessions),
        overdue=tuple(Overdue(f"261207-{i:04d}", "housing", 500.0 - i) for i in range(500)),
        by_district={f"第{i}选区" * 5: 1 for i in range(500)},
    )
    text = render_text(big, names)
    assert len(text) < 4000
    assert "……另有 485 件" in text
    assert "等 500 项" in text


def _cli(settings: Settings) -> argparse.ArgumentParser:
    """Build a parser with just the summary command."""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"), settings)
    return parser


async def test_cli_prints_json_and_writes_png(
    sessions: Sessions,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        DEPUTYBOT_DATABASE_URL=database_url,
        DEPUTYBOT_ROUTING=str(ROUTING),
    )
    png = tmp_path / "summary.png"
    args = _cli(settings).parse_args(
        ["summary", "--from", "2026-12-07", "--to", "2026-12-13", "--json", "--png", str(png)]
    )
    from bot.cli.summary import run_summary

    assert await run_summary(settings, args) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["received"], data["start"], data["end"]) == (
        11, START.isoformat(), END.isoformat(),
    )  # fmt: skip
    assert png.read_bytes().startswith(b"\x89PNG")
    args = _cli(settings).parse_args(["summary", "--from", "2026-12-07", "--to", "2026-12-13"])
    assert await run_summary(settings, args) == 0
    assert "收到诉求 11 件（上期 4 件）" in capsys.readouterr().out


def test_cli_refuses_a_backwards_period(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    parser = _cli(settings)
    args = parser.parse_args(["summary", "--from", "2026-12-07", "--to", "2026-12-01"])
    assert args.func(args) == 2
    assert "结束日期不能早于开始日期" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["summary", "--from", "7/12/2026", "--to", "2026-12-01"])
