"""The shared problem collector: file, line and key of every config problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classifier import ConfigError, ConfigProblem, ProblemCollector
from classifier.problems import KeyPath, format_key
from classifier.tomllines import scan

TEXT = """\
[quiet_hours]
start = "22:00"

[[topics]]
code = "a"

[[topics]]
code = "b"

[topics.keywords]
"污染" = 2
"""
FILE = Path("conf") / "routing.toml"


def collector() -> ProblemCollector:
    """Return a collector over TEXT."""
    return ProblemCollector(FILE, scan(TEXT))


@pytest.mark.parametrize(
    ("keypath", "line", "key"),
    [
        pytest.param(("quiet_hours", "start"), 2, "quiet_hours.start", id="key"),
        pytest.param(("quiet_hours", "end"), 1, "quiet_hours.end", id="missing-key-its-table"),
        pytest.param(("topics", 1, "code"), 8, "topics[1].code", id="array-index"),
        pytest.param(("topics", 1, "keywords", "污染"), 11, "topics[1].keywords.污染", id="deep"),
        pytest.param(("urgency", "keywords", 0), None, "urgency.keywords[0]", id="not-in-file"),
        pytest.param((), None, "", id="empty"),
    ],
)
def test_add_finds_the_line_of_the_key_or_its_nearest_parent(
    keypath: KeyPath, line: int | None, key: str
) -> None:
    chk = collector()
    chk.add(keypath, "bad")
    assert chk.problems == [ConfigProblem(str(FILE), line, key, "bad")]


def test_a_given_line_wins() -> None:
    chk = collector()
    chk.add(("quiet_hours", "start"), "given twice", 7)
    chk.note("(syntax)", "oops", None)
    assert [(p.line, p.key) for p in chk.problems] == [(7, "quiet_hours.start"), (None, "(syntax)")]


def test_format_key() -> None:
    assert format_key(("topics", 0, "keywords", "水")) == "topics[0].keywords.水"


@pytest.mark.parametrize(
    ("raw", "returned", "messages"),
    [
        pytest.param({"start": "1"}, {"start": "1"}, [], id="known"),
        pytest.param(
            {"start": "1", "begin": "2"},
            {"start": "1"},
            [("quiet_hours.begin", "unknown key (expected start, end)")],
            id="unknown-key",
        ),
        pytest.param(
            "22:00", {}, [("quiet_hours", "must be a table, not '22:00'")], id="not-a-table"
        ),
    ],
)
def test_table(raw: Any, returned: dict[str, Any], messages: list[tuple[str, str]]) -> None:
    chk = collector()
    assert chk.table(("quiet_hours",), raw, ("start", "end")) == returned
    assert [(p.key, p.message) for p in chk.problems] == messages


def test_unknown_keys_with_own_wording() -> None:
    chk = collector()
    chk.unknown_keys(("dictionary",), {"file": 1, "path": 2}, ("file", "words"), "file or words")
    assert [(p.key, p.message) for p in chk.problems] == [
        ("dictionary.path", "unknown key (expected file or words)")
    ]


def test_raise_if_any() -> None:
    chk = collector()
    chk.raise_if_any()
    chk.add(("quiet_hours", "start"), "first")
    chk.add(("quiet_hours", "end"), "second")
    with pytest.raises(ConfigError) as caught:
        chk.raise_if_any()
    assert caught.value.problems == chk.problems
    assert str(caught.value).splitlines()[0] == f"{FILE}:2: quiet_hours.start: first"
