"""The administrator commands on small files the tests write themselves."""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from classifier import load
from classifier.cli import add_commands

BASE = """\
# hand-written comment that learn must keep
[departments]
ecology = "生态环境局"
hrss = "人力资源和社会保障局"

[thresholds]
min_score = 1.0
min_margin = 0.5

[aliases]
"环保" = "environment"

[[topics]]
code = "environment"
name = "环境保护"
department = "ecology"

[topics.keywords]
"污染" = 2.0

[[topics]]
code = "labour"
name = "劳动和社会保障"
department = "hrss"

[topics.keywords]
"工资" = 2.0
"""

ROWS = [
    ("", "化工厂排放废气，气味刺鼻，晚上尤其严重", "环境保护"),
    ("", "河道被养猪场的粪水污染，废气熏人", "环境保护"),
    ("废气扰民", "工地扬尘和废气让人喘不过气", "环保"),
    ("", "搅拌站粉尘很大，气味难闻", "环境保护"),
    ("", "公司拖欠工资半年，社保也断缴了", "劳动和社会保障"),
    ("", "老板不签劳动合同，社保不交", "劳动和社会保障"),
    ("社保", "单位一直不给买社保，工资也压着", "劳动和社会保障"),
    ("", "辞退员工不给补偿，社保停缴", "劳动和社会保障"),
]


def run(argv: list[str], replay: Iterable[tuple[str, str, str]] | None = None) -> int:
    """Run one command through a parser built with add_commands."""
    parser = argparse.ArgumentParser(prog="deputybot")
    items = None if replay is None else (lambda: list(replay))
    add_commands(parser.add_subparsers(dest="command", required=True), replay_items=items)
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    routing = tmp_path / "routing.toml"
    routing.write_text(BASE, encoding="utf-8")
    data = tmp_path / "labelled.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text", "label"])
        writer.writerows(ROWS)
    return routing, data


def test_classify_explains(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    routing, _ = files
    assert run(["classify", "工厂污染严重", "--title", "污染", "--config", str(routing)]) == 0
    out = capsys.readouterr().out
    assert "topic: 环境保护 (environment)" in out
    assert "department: 生态环境局 (ecology)" in out
    assert "matched: 污染" in out


def test_eval_json(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    routing, data = files
    assert run(["eval", str(data), "--json", "--config", str(routing)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "coverage", "covered_accuracy", "per_label"} <= set(report)
    assert set(report["per_label"]) == {"环境保护", "劳动和社会保障"}
    assert 0.0 <= report["accuracy"] <= 1.0


def test_eval_text(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    routing, data = files
    assert run(["eval", str(data), "--config", str(routing)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out
    assert "confusion" in out


def test_learn_merges_and_improves(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routing, data = files
    out = tmp_path / "learned.toml"
    argv = ["learn", str(data), "-o", str(out), "--base", str(routing), "--min-df", "2"]
    assert run(argv) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# hand-written comment that learn must keep")
    learned = load(out).config
    environment = learned.topic("environment")
    labour = learned.topic("labour")
    assert environment is not None
    assert labour is not None
    assert environment.keywords == {"污染": 2.0}
    assert "废气" in environment.learned
    assert "社保" in labour.learned
    assert text.count("\nbias = ") == 2  # one learned bias per labelled topic
    assert run(["eval", str(data), "--json", "--config", str(out)]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["accuracy"] == 1.0
    # learning again on the learned file replaces the learned tables, not duplicates them
    again = tmp_path / "again.toml"
    assert run(["learn", str(data), "-o", str(again), "--base", str(out), "--min-df", "2"]) == 0
    assert again.read_text(encoding="utf-8") == text


def test_learn_diff(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    routing, data = files
    assert run(["learn", str(data), "--diff", "--base", str(routing), "--min-df", "2"]) == 0
    out = capsys.readouterr().out
    assert '+"废气" = ' in out
    assert routing.read_text(encoding="utf-8") == BASE


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(BASE, 0, id="valid"),
        pytest.param(BASE.replace('"hrss"\n', '"money"\n'), 1, id="unknown-department"),
    ],
)
def test_check_config(
    tmp_path: Path, text: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(text, encoding="utf-8")
    assert run(["check-config", str(path)]) == code
    captured = capsys.readouterr()
    if code:
        assert f"{path}:24: topics[1].department: unknown department 'money'" in captured.err
    else:
        assert captured.out.count("\n") == 1
        assert "OK" in captured.out


def test_check_config_replay(
    files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    routing, _ = files
    monkeypatch.setenv("DEPUTYBOT_ROUTING", str(routing))
    new = tmp_path / "new.toml"
    new.write_text(BASE.replace('"工资" = 2.0', '"工资" = 2.0\n"排放" = 5.0'), encoding="utf-8")
    items = [("A-1", "", "化工厂排放废气"), ("A-2", "", "工厂污染"), ("A-3", "", "你好")]
    assert run(["check-config", str(new), "--replay"], replay=items) == 0
    out = capsys.readouterr().out
    assert "1 of 3 stored items would move." in out
    assert "(triage) -> hrss: 1" in out
    assert "A-1: 化工厂排放废气" in out
