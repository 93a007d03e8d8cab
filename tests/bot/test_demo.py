"""The offline main job: the whole loop against the local Bot API, printed as it goes."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from pathlib import Path

import httpx
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
        "服务台登录链接",
        "服务台：http://127.0.0.1:",
        "演示结束时网页随之关闭",
        "deputybot demo --serve",
    ):
        assert step in out, step
    assert "发往 12345 平台：已送达 2" in out
    assert "待发送" not in out
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "TEST-TOKEN" not in logged
    assert "路灯" not in logged


async def _read_until(stream: asyncio.StreamReader, marker: str) -> str:
    """Read lines until one contains the marker; return everything read."""
    lines: list[str] = []
    while not lines or marker not in lines[-1]:
        line = await stream.readline()
        assert line, "the demo ended before printing " + marker + ":\n" + "".join(lines)
        lines.append(line.decode())
    return "".join(lines)


def _demo_env() -> dict[str, str]:
    """The environment of a fresh clone: no token, no DEPUTYBOT_* settings but the routing file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEPUTYBOT_")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env | {"DEPUTYBOT_ROUTING": str(ROUTING)}


async def test_serve_keeps_the_desk_open_with_the_demo_items_until_ctrl_c(tmp_path: Path) -> None:
    demo = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("deputybot")),
        "demo",
        "--serve",
        "20",
        cwd=tmp_path,
        env=_demo_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert demo.stdout is not None
    try:
        async with asyncio.timeout(90):
            out = await _read_until(demo.stdout, "按 Ctrl-C")
        found = re.search(r"登录链接（管理员王主任，只能使用一次）：(http://127\.0\.0\.1:\S+)", out)
        assert found is not None, out
        link = found.group(1)
        assert out.count(link) == 2  # the bot's answer to /web, then the closing lines
        numbers = set(re.findall(r"\b\d{6}-\d{4}\b", out))
        assert len(numbers) == 5, numbers
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            home = await browser.get(link)
            assert home.status_code == 200
            assert "管理员" in home.text
            ledger = await browser.get(link.split("/desk/")[0] + "/desk/ledger")
            assert ledger.status_code == 200
            assert "共 5 件" in ledger.text
            for number in numbers:
                assert number in ledger.text, number
        demo.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(demo.communicate(), 15)
    finally:
        if demo.returncode is None:
            demo.kill()
            await demo.wait()
    assert demo.returncode == 0, rest.decode()
    assert "已提前结束，停止服务" in rest.decode()
    assert "Traceback" not in out + rest.decode()
