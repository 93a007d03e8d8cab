"""The `deputybot` console script as an administrator uses it."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROUTING


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the CLI at a fresh SQLite file and the shipped routing file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DEPUTYBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DEPUTYBOT_ROUTING", str(ROUTING))
    monkeypatch.setenv("DEPUTYBOT_BOT_USERNAME", "hunan_deputy_bot")
    return tmp_path


def test_invite_deputy_prints_code_and_deep_link(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "deputy", "--name", "张三", "--level", "县", "--district", "K8县"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"邀请码：(\w+)", out)
    assert code is not None
    assert f"https://t.me/hunan_deputy_bot?start={code.group(1)}" in out
    assert "县级人大代表 张三（K8县）" in out


def test_invite_handler_checks_the_department(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "handler", "--department", "housing", "--name", "李四"]) == 0
    assert "住房和城乡建设局" in capsys.readouterr().out
    assert main(["invite", "handler", "--department", "nowhere", "--name", "李四"]) == 1
    assert "未知的部门代码 nowhere" in capsys.readouterr().out


def test_bad_setting_stops_with_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEPUTYBOT_ADMIN_IDS", "1,two")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "DEPUTYBOT_ADMIN_IDS" in err


def test_migrate(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert (env / "cli.db").exists()


def test_check_config_also_checks_the_deadline_tables(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROUTING.parent / "userdict.txt", env / "userdict.txt")
    text = ROUTING.read_text(encoding="utf-8")
    (env / "good.toml").write_text(text, encoding="utf-8")
    assert main(["check-config", str(env / "good.toml")]) == 0
    assert "OK" in capsys.readouterr().out
    bad = text.replace('answer = { "普通" = "5wd"', 'answer = { "普通" = "5 weeks"')
    (env / "bad.toml").write_text(bad, encoding="utf-8")
    assert main(["check-config", str(env / "bad.toml")]) == 1
    err = capsys.readouterr().err
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if "5 weeks" in row)
    assert f"bad.toml:{line}: deadlines.answer" in err


def test_health_never_migrates_and_reports_what_is_wrong(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health"]) == 2
    assert "deputybot migrate" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["health", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"] == ["no bot instance has reported in the last minute"]
    assert report["outbox_pending"] == 0


def test_run_without_a_token_stops_with_one_line_and_no_demo(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "TELEGRAM_BOT_TOKEN" in captured.err
    assert "deputybot demo" in captured.err
    assert captured.out == ""
    assert main([]) == 2
    assert "demo" in capsys.readouterr().err


def test_the_shipped_routing_file_is_found_from_any_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEPUTYBOT_ROUTING", raising=False)
    assert main(["classify", "小区门口的路灯坏了一个月"]) == 0
    assert "housing" in capsys.readouterr().out


def test_a_hotline_department_needs_the_platform_configured(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROUTING.parent / "userdict.txt", env / "userdict.txt")
    text = ROUTING.read_text(encoding="utf-8").replace(
        'market = "市场监督管理局"', 'market = { name = "市场监督管理局", reach = "hotline" }'
    )
    path = env / "hotline.toml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if 'reach = "hotline"' in row)
    assert main(["check-config", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"hotline.toml:{line}: departments.market.reach:" in err
    assert "DEPUTYBOT_HOTLINE_URL" in err
    # The bot refuses to start on it too, with the same one line.
    monkeypatch.setenv("DEPUTYBOT_ROUTING", str(path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("DEPUTYBOT_TELEGRAM_API_URL", "http://127.0.0.1:9")
    assert main(["run"]) == 1
    assert f"hotline.toml:{line}: departments.market.reach:" in capsys.readouterr().err
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    # Configured, it is accepted.
    monkeypatch.setenv("DEPUTYBOT_HOTLINE_URL", "https://12345.example.org/api")
    monkeypatch.setenv("DEPUTYBOT_HOTLINE_APP_ID", "deputybot")
    monkeypatch.setenv("DEPUTYBOT_HOTLINE_SECRET", "s3cret")
    assert main(["check-config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize("seconds", ["0", "-5", "soon"])
def test_demo_refuses_a_serve_time_that_is_not_a_positive_number(
    env: Path, capsys: pytest.CaptureFixture[str], seconds: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--serve", seconds])
    assert exited.value.code == 2
    assert "--serve" in capsys.readouterr().err


def test_demo_on_a_port_in_use_stops_with_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["demo", "--port", str(port)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"127.0.0.1:{port}" in err
