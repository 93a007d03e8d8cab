"""/keyword: an administrator changes one routing keyword from the phone."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import RoutingChange
from bot.services.routing import routing_holder
from tests.conftest import ROUTING
from tests.e2e.harness import running_bot

PROPERTY = "我们小区的物业公司长期不作为，楼道垃圾没人清理"


def _copy(folder: Path) -> Path:
    """Copy the shipped routing file (and its dictionary) to a folder of the test's own."""
    for name in ("routing.toml", "userdict.txt"):
        (folder / name).write_text((ROUTING.parent / name).read_text(encoding="utf-8"))
    return folder / "routing.toml"


async def test_a_keyword_added_and_removed_from_the_phone(
    database_url: str, tmp_path: Path
) -> None:
    path = _copy(tmp_path)
    routing = routing_holder(path, ZoneInfo("Asia/Shanghai"))
    before = routing.current.classify(PROPERTY)
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        await bot.submit(cast.deputy, PROPERTY)
        talk = bot.talk
        talk.say(cast.admin, "/keyword 城乡建设 +物业公司 6")
        done = await talk.expect(cast.admin, "已将关键词「物业公司」（权重 6）加入分类「城乡建设」")
        assert "最近 1 件诉求按新配置有" in (done.text or "")
        assert '"物业公司" = 6' in path.read_text(encoding="utf-8")
        after = routing.current.classify(PROPERTY)
        assert after.topic == "urban_rural"
        assert not after.abstained
        assert after.confidence > before.confidence

        talk.say(cast.admin, "/keyword 城乡建设 -物业公司")
        await talk.expect(cast.admin, "已从分类「城乡建设」删除关键词「物业公司」")
        topic = routing.current.config.topic("urban_rural")
        assert topic is not None
        assert "物业公司" not in {**topic.keywords, **topic.learned, **topic.learned_short}
        for bad, reply in (
            ("/keyword 城乡建设 物业", "用法"),
            ("/keyword 城乡建设 +物业 99", "用法"),
            ("/keyword 没有这个 +物业", "没有名为「没有这个」的分类"),
            ("/keyword 城乡建设 -从来没有的词", "没有关键词「从来没有的词」"),
        ):
            text = path.read_text(encoding="utf-8")
            talk.say(cast.admin, bad)
            await talk.expect(cast.admin, reply)
            assert path.read_text(encoding="utf-8") == text
        talk.say(cast.deputy, "/keyword 城乡建设 +物业 2")
        await talk.expect(cast.deputy, "无权")
        async with bot.bot_data.services.deps.sessions() as session:
            kinds = list((await session.execute(select(RoutingChange.summary))).scalars())
        assert kinds == ["urban_rural +物业公司", "urban_rural -物业公司"]
        assert bot.bot_data.errors == []


async def test_an_edit_the_file_would_refuse_names_file_line_and_key(
    database_url: str, tmp_path: Path
) -> None:
    path = _copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    marker = '[[topics]]\ncode = "civil"'
    assert marker in text
    negative = '[topics.negative]\n"测试负词" = 1\n\n'
    path.write_text(text.replace(marker, negative + marker), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index('"测试负词" = 1') + 1
    routing = routing_holder(path, ZoneInfo("Asia/Shanghai"))
    async with running_bot(database_url, routing) as bot:
        cast = await bot.enrol()
        before = path.read_text(encoding="utf-8")
        config = routing.current
        bot.talk.say(cast.admin, "/keyword 政法 +测试负词 2")
        refused = await bot.talk.expect(cast.admin, "已拒绝加载")
        # The line is the one in the file as it would have been written (one keyword more).
        said = refused.text or ""
        assert f"{path}:{line + 1}: topics[" in said
        assert "].negative.测试负词: keyword '测试负词' also listed in keywords" in said
        assert path.read_text(encoding="utf-8") == before
        assert routing.current is config
        assert bot.bot_data.errors == []
