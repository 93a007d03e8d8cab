"""Validation of routing files: every error names file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import ConfigError, ConfigProblem, load
from classifier.loader import load_config

VALID = """\
[departments]
housing = "住房和城乡建设局"
ecology = "生态环境局"

[thresholds]
min_score = 1.0
min_margin = 0.5

[[topics]]
code = "urban_rural"
name = "城乡建设"
department = "housing"

[topics.keywords]
"物业" = 2.0
"路灯" = 1.5

[[topics]]
code = "environment"
name = "环境保护"
department = "ecology"

[topics.keywords]
"污染" = 2.5
"污水" = 2
"""


def problems_of(tmp_path: Path, text: str) -> list[ConfigProblem]:
    """Write text as a routing file and return the problems loading it reports."""
    path = tmp_path / "routing.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def test_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(VALID, encoding="utf-8")
    config = load(path).config
    assert [t.code for t in config.topics] == ["urban_rural", "environment"]
    assert config.department("ecology") is not None
    assert config.topic("environment") is not None
    assert config.topic("environment").keywords["污水"] == 2.0  # type: ignore[union-attr]
    assert config.source == path
    assert dict(config.extensions) == {}


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "words"),
    [
        pytest.param(
            'department = "ecology"',
            'department = "water"',
            21,
            "topics[1].department",
            "unknown department 'water'",
            id="unknown-department",
        ),
        pytest.param(
            'code = "environment"',
            'code = "urban_rural"',
            19,
            "topics[1].code",
            "duplicate topic code",
            id="duplicate-topic-code",
        ),
        pytest.param(
            '"污染" = 2.5',
            '"污染" = "high"',
            24,
            "topics[1].keywords.污染",
            "must be a number",
            id="non-numeric-weight",
        ),
        pytest.param(
            '"污染" = 2.5',
            '"污染" = -1',
            24,
            "topics[1].keywords.污染",
            ">= 0",
            id="negative-weight",
        ),
        pytest.param(
            '"污染" = 2.5',
            '"污染" = true',
            24,
            "topics[1].keywords.污染",
            "must be a number",
            id="boolean-weight",
        ),
        pytest.param(
            '"污水" = 2',
            '"污水" = 2\n"污染" = 1',
            26,
            "topics[1].keywords.污染",
            "listed twice",
            id="keyword-twice",
        ),
        pytest.param(
            '"污水" = 2',
            '"污水" = 2\n"污水 " = 1',
            26,
            "topics[1].keywords.污水 ",
            "listed twice",
            id="keyword-twice-once-normalised",
        ),
        pytest.param(
            "[thresholds]",
            "[colours]\nred = 1\n\n[thresholds]",
            5,
            "colours",
            "unknown top-level key",
            id="unknown-top-level-key",
        ),
        pytest.param(
            'name = "环境保护"',
            'name = "环境保护"\ncolour = "green"',
            21,
            "topics[1].colour",
            "unknown key",
            id="unknown-topic-key",
        ),
        pytest.param(
            'name = "环境保护"',
            'name = "环境保护"\nbias = "big"',
            21,
            "topics[1].bias",
            "bias must be a finite number",
            id="non-numeric-bias",
        ),
        pytest.param(
            "min_margin = 0.5",
            "min_margin = 0.5\nmin_colour = 1",
            8,
            "thresholds.min_colour",
            "unknown key",
            id="unknown-threshold",
        ),
        pytest.param(
            '"物业" = 2.0',
            '"物业" = 2.0 oops',
            15,
            "(syntax)",
            "",
            id="syntax-error",
        ),
    ],
)
def test_problem_names_line_and_key(
    tmp_path: Path, old: str, new: str, line: int, key: str, words: str
) -> None:
    assert old in VALID
    problems = problems_of(tmp_path, VALID.replace(old, new, 1))
    assert len(problems) >= 1
    problem = problems[0]
    assert (problem.line, problem.key) == (line, key), problems
    assert words in problem.message
    assert str(problem).startswith(f"{tmp_path / 'routing.toml'}:{line}: {key}: ")


def test_empty_topic(tmp_path: Path) -> None:
    text = VALID.replace('[topics.keywords]\n"污染" = 2.5\n"污水" = 2\n', "")
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.key) for p in problems] == [(18, "topics[1]")]
    assert "no keywords" in problems[0].message


def test_keyword_in_curated_and_learned(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, VALID + '\n[topics.learned]\n"污水" = 1.2\n')
    assert [(p.line, p.key) for p in problems] == [(28, "topics[1].learned.污水")]


def test_every_problem_is_reported(tmp_path: Path) -> None:
    text = VALID.replace('"ecology"', '"water"').replace("2.5", '"x"')
    problems = problems_of(tmp_path, text)
    assert {p.key for p in problems} >= {"topics[1].department", "topics[1].keywords.污染"}


def test_extension_tables_are_kept_raw(tmp_path: Path) -> None:
    extra = '[deadlines]\nanswer_days = 5\n\n[urgency]\nwords = ["火灾"]\n\n[quiet_hours]\nx = 1\n'
    path = tmp_path / "routing.toml"
    path.write_text(extra + VALID, encoding="utf-8")
    config = load_config(path)
    assert config.extensions["deadlines"] == {"answer_days": 5}
    assert set(config.extensions) == {"deadlines", "urgency", "quiet_hours"}


def test_missing_user_dictionary(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[dictionary]\nfile = "nope.txt"\n\n' + VALID)
    assert [(p.line, p.key) for p in problems] == [(2, "dictionary.file")]


def test_user_dictionary_words_stay_whole(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("# comment\n楚江河\n", encoding="utf-8")
    path = tmp_path / "routing.toml"
    text = '[dictionary]\nfile = "words.txt"\nwords = ["鲢鱼塘"]\n\n' + VALID
    path.write_text(text, encoding="utf-8")
    classifier = load(path)
    assert classifier.config.words == ("楚江河", "鲢鱼塘")
    assert "楚江河" in classifier.tokens("楚江河边的鲢鱼塘")
    assert "鲢鱼塘" in classifier.tokens("楚江河边的鲢鱼塘")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path / "absent.toml")
    assert caught.value.problems[0].key == "(file)"


def test_shipped_file_is_valid(shipped: object) -> None:
    assert shipped is not None
