"""Table tests of Classifier.classify on a small hand-written routing file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from classifier import Classifier, Route, load

ROUTING = """\
[departments]
housing = "住房和城乡建设局"
ecology = "生态环境局"
hrss = "人力资源和社会保障局"
urban = "城市管理和综合执法局"

[thresholds]
min_score = 2.0
min_margin = 0.3

[scoring]
title_weight = 2.0
temperature = 1.0

[[topics]]
code = "urban_rural"
name = "城乡建设"
department = "housing"

[topics.keywords]
"物业" = 2.0
"路灯" = 2.0
"小区" = 1.0

[[topics]]
code = "urban_mgmt"
name = "城管执法"
department = "urban"
parent = "urban_rural"

[topics.keywords]
"城管" = 2.5
"占道经营" = 2.5

[[topics]]
code = "environment"
name = "环境保护"
department = "ecology"

[topics.keywords]
"污染" = 2.5
"污水" = 2.0
"噪音" = 2.0
"wifi" = 0.5

[topics.negative]
"噪音扰民" = 1.0

[[topics]]
code = "labour"
name = "劳动和社会保障"
department = "hrss"

[topics.keywords]
"工资" = 2.0
"拖欠" = 1.5
"社保" = 2.5
"app" = 2.5
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    path = tmp_path_factory.mktemp("routing") / "routing.toml"
    path.write_text(ROUTING, encoding="utf-8")
    return load(path)


@pytest.mark.parametrize(
    ("title", "text", "topic", "department", "abstained"),
    [
        pytest.param("", "小区物业不管事", "urban_rural", "housing", False, id="short"),
        pytest.param(
            "",
            "我们小区的物业公司收了物业费却不管事，路灯坏了三个月没人修，"
            "晚上一片漆黑，老人孩子出门很不安全，多次打电话给物业都说没有经费，"
            "希望有关部门督促物业尽快把路灯修好。" * 3,
            "urban_rural",
            "housing",
            False,
            id="long",
        ),
        pytest.param("", "公司APP上的社保查询打不开", "labour", "hrss", False, id="mixed-english"),
        pytest.param("", "123 456 😀😀🎉", "", "", True, id="digits-and-emoji"),
        pytest.param("", "今天天气不错", "", "", True, id="matches-nothing"),
        pytest.param("", "小区", "urban_rural", "housing", True, id="too-weak"),
        pytest.param("", "污水工资", "environment", "ecology", True, id="too-close"),
        pytest.param("", "城管占道经营执法粗暴", "urban_mgmt", "urban", False, id="finer-topic"),
        pytest.param("拖欠工资", "工厂污染", "labour", "hrss", False, id="title-counts-more"),
    ],
)
def test_classify(
    small: Classifier, title: str, text: str, topic: str, department: str, abstained: bool
) -> None:
    route = small.classify(text, title=title)
    assert (route.topic, route.department, route.abstained) == (topic, department, abstained)
    assert 0.0 <= route.confidence <= 1.0


def test_route_explains_itself(small: Classifier) -> None:
    route = small.classify("工厂污染，污水直排，工资也拖欠")
    assert route.topic == "environment"
    assert route.runner_up == "labour"
    assert [word for word, _ in route.matched] == ["污染", "污水"]
    assert all(weight > 0 for _, weight in route.matched)
    assert route.confidence > 0.5


def test_route_is_frozen(small: Classifier) -> None:
    route = small.classify("污染")
    assert isinstance(route, Route)
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.topic = "x"  # type: ignore[misc]


def test_negative_keywords_subtract(small: Classifier) -> None:
    plain = small.topic_scores(small.found("噪音"))[0]
    damped = small.topic_scores(small.found("噪音扰民"))[0]
    assert damped[2] < plain[2]


def test_nothing_matched_has_no_topic(small: Classifier) -> None:
    route = small.classify("")
    assert route == Route("", "", 0.0, (), None, True)


def test_confidence_grows_with_evidence(small: Classifier) -> None:
    weak = small.classify("污染")
    strong = small.classify("污染 污水 噪音")
    assert strong.confidence > weak.confidence


def test_own_tokenizer_leaves_global_jieba_alone(small: Classifier, tmp_path: Path) -> None:
    import jieba

    assert "占道经营" in small.tokens("城管说他占道经营")
    assert jieba.dt.FREQ.get("占道经营") is None or not jieba.dt.initialized


def test_bias_is_added_to_a_topic_score(small: Classifier) -> None:
    topics = tuple(
        dataclasses.replace(t, bias=5.0) if t.code == "labour" else t for t in small.config.topics
    )
    biased = small.rebuilt(dataclasses.replace(small.config, topics=topics))
    plain = small.topic_scores(small.found("这里有污染"))[0]
    assert biased.topic_scores(biased.found("这里有污染"))[0][3] == plain[3] + 5.0
    assert biased.classify("污染工资").topic == "labour"  # the bias decides between evidence
    # a topic no keyword points to is never the route: its bias only makes the route unsure
    route = biased.classify("这里有污染")
    assert (route.topic, route.abstained) == ("environment", True)
    assert [s.topic for s in route.suggestions] == ["environment"]
    assert biased.classify("你好").abstained  # no keyword at all: bias alone never routes


def test_length_norm_scales_long_messages(small: Classifier) -> None:
    scoring = dataclasses.replace(small.config.scoring, length_norm=4.0)
    scaled = small.rebuilt(dataclasses.replace(small.config, scoring=scoring))
    short = "污染"
    long = "这条河的污染一直没有人管，附近的人都很着急"
    assert scaled.found(short) == small.found(short)
    words = len(small.found(long))
    ratio = (4.0 / words) ** 0.5
    assert scaled.found(long)["污染"] == pytest.approx(small.found(long)["污染"] * ratio)
