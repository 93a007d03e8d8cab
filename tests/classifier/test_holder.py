"""Reload by swapping: a good file replaces the classifier, a bad one leaves the old running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from classifier import ClassifierHolder, ConfigError

GOOD = """\
[departments]
ecology = "生态环境局"
hrss = "人力资源和社会保障局"

[thresholds]
min_score = 1.0
min_margin = 0.5

[[topics]]
code = "environment"
name = "环境保护"
department = "ecology"

[topics.keywords]
"污染" = 2.5

[[topics]]
code = "labour"
name = "劳动和社会保障"
department = "hrss"

[topics.keywords]
"工资" = 2.0
"""


def write(path: Path, text: str, mtime: float) -> None:
    """Write the file and give it a distinct mtime."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


@pytest.fixture
def routing(tmp_path: Path) -> Path:
    path = tmp_path / "routing.toml"
    write(path, GOOD, 1_000_000)
    return path


def test_reload_swaps_in_a_new_classifier(routing: Path) -> None:
    holder = ClassifierHolder(routing)
    old = holder.current
    write(routing, GOOD.replace('"工资" = 2.0', '"工资" = 2.0\n"社保" = 2.0'), 1_000_100)
    assert holder.reload() == []
    assert holder.current is not old
    assert holder.current.classify("社保断缴").topic == "labour"
    assert old.classify("社保断缴").topic == ""  # the old classifier was not mutated


def test_bad_file_keeps_the_old_classifier(routing: Path) -> None:
    holder = ClassifierHolder(routing)
    old = holder.current
    write(routing, GOOD.replace('department = "hrss"', 'department = "nowhere"'), 1_000_100)
    problems = holder.reload()
    assert [p.key for p in problems] == ["topics[1].department"]
    assert problems[0].line == 20
    assert "unknown department" in str(problems[0])
    assert holder.current is old
    assert holder.current.classify("拖欠工资").topic == "labour"


def test_reload_if_changed_follows_mtime(routing: Path) -> None:
    holder = ClassifierHolder(routing)
    assert holder.reload_if_changed() is None
    first = holder.current
    write(routing, GOOD.replace("2.5", "3.0"), 1_000_200)
    assert holder.reload_if_changed() == []
    assert holder.current is not first
    assert holder.reload_if_changed() is None


def test_reload_if_changed_reports_a_bad_file_once(routing: Path) -> None:
    holder = ClassifierHolder(routing)
    write(routing, "this is = not toml [", 1_000_300)
    problems = holder.reload_if_changed()
    assert problems
    assert problems[0].key == "(syntax)"
    assert holder.reload_if_changed() is None


def test_holder_refuses_a_bad_file_at_start(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text("[departments]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        ClassifierHolder(path)
