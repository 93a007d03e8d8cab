"""The offline main job: the whole loop against the local Bot API, printed as it goes."""

from __future__ import annotations

import logging

import pytest

from bot.demo import run_offline
from bot.settings import Settings
from tests.conftest import ROUTING


async def test_offline_run_shows_the_whole_loop(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = Settings(DEPUTYBOT_ROUTING=str(ROUTING), _env_file=None)  # type: ignore[call-arg]
    assert await run_offline(settings) == 0
    out = capsys.readouterr().out
    for step in (
        "邀请码",
        "诉求预览",
        "新派单",
        "已签收",
        "办理进展",
        "请对办理结果进行评价",
        "重新办理",
        "待分拨",
        "已退回",
        "感谢您的评价",
        "办理记录",
        "12345平台 ← 新工单",
        "12345平台 → 回调 受理",
        "已由【交通运输局】签收",
        "12345平台 → 回调 办结",
        "12345平台 ← 代表评价",
        "数据库中已存储",
    ):
        assert step in out, step
    assert "发往 12345 平台：已送达 2" in out
    assert "待发送" not in out
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "TEST-TOKEN" not in logged
    assert "路灯" not in logged
