"""Evaluate a classifier on labelled messages: the figures behind `deputybot eval`."""

from __future__ import annotations

from collections.abc import Sequence

from classifier.dataset import Sample
from classifier.engine import Classifier
from classifier.metrics import Report, score


def label_of(classifier: Classifier, topic: str) -> str:
    """Return the name of a topic's top-level ancestor, the level labels are given at."""
    if not topic:
        return "(none)"
    found = classifier.config.topic(classifier.config.root(topic))
    return found.name if found is not None else topic


def gold_label(classifier: Classifier, label: str) -> str:
    """Return the top-level topic name for an outside label, or the label itself if unknown."""
    code = classifier.config.resolve_label(label)
    return label_of(classifier, code) if code else label


def evaluate_found(classifier: Classifier, items: Sequence[tuple[dict[str, float], str]]) -> Report:
    """Score pre-segmented (found, label) items."""
    gold: list[str] = []
    predicted: list[str] = []
    abstained: list[bool] = []
    for found, label in items:
        route = classifier.route(found)
        gold.append(gold_label(classifier, label))
        predicted.append(label_of(classifier, route.topic))
        abstained.append(route.abstained)
    return score(gold, predicted, abstained)


def evaluate(classifier: Classifier, samples: Sequence[Sample]) -> Report:
    """Classify every sample and score the top topics and the abstentions."""
    items = [(classifier.found(s.text, s.title), s.label) for s in samples]
    return evaluate_found(classifier, items)


def unknown_labels(classifier: Classifier, samples: Sequence[Sample]) -> list[str]:
    """Return labels that are neither topic names, codes nor aliases."""
    labels = {s.label for s in samples}
    return sorted(label for label in labels if classifier.config.resolve_label(label) is None)
