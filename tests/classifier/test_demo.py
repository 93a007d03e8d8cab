"""The demo messages route clearly; vague ones abstain."""

from __future__ import annotations

import pytest

from classifier import Classifier


@pytest.mark.parametrize(
    ("text", "departments"),
    [
        pytest.param("小区门口的路灯坏了一个月，晚上很黑", {"housing", "urban"}, id="streetlight"),
        pytest.param("工厂夜里偷排污水，河水发臭", {"ecology"}, id="sewage"),
        pytest.param("孩子上学的学校食堂卫生差", {"education", "health"}, id="canteen"),
        pytest.param("公司拖欠工资三个月", {"hrss"}, id="unpaid-wages"),
    ],
)
def test_demo_routes(shipped: Classifier, text: str, departments: set[str]) -> None:
    route = shipped.classify(text)
    assert route.department in departments
    assert not route.abstained


@pytest.mark.parametrize("text", ["你好", "请帮忙看看"], ids=["hello", "please-look"])
def test_vague_abstains(shipped: Classifier, text: str) -> None:
    assert shipped.classify(text).abstained
