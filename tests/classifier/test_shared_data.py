"""Checks against ../shared/data; each test skips when that folder is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from classifier import Classifier
from classifier.dataset import read_samples
from classifier.evaluate import evaluate, unknown_labels
from tests.classifier.conftest import TAXONOMY_CSV


def test_shipped_topics_cover_the_taxonomy(shipped: Classifier) -> None:
    if not TAXONOMY_CSV.is_file():
        pytest.skip("../shared/data/teddy2020c-taxonomy.csv is absent")
    with TAXONOMY_CSV.open(encoding="utf-8", newline="") as handle:
        level1 = {row["level1"] for row in csv.DictReader(handle)}
    assert len(level1) == 15
    names = {t.name for t in shipped.config.topics if t.parent is None}
    assert level1 <= names
    for topic in shipped.config.topics:
        assert shipped.config.department(topic.department) is not None


def test_dev_labels_resolve_and_route(shipped: Classifier, dev_csv: Path) -> None:
    samples = read_samples(dev_csv)[::10]  # a tenth keeps the test quick
    assert unknown_labels(shipped, samples) == []
    report = evaluate(shipped, samples)
    # in-sample figures (the keywords were learned from this file); cross-validated ones
    # come from `python -m classifier.crossval`
    assert report.macro_f1 > 0.9
    assert report.coverage > 0.8
