"""Evaluate a classifier on labelled messages: the figures behind `deputybot eval`."""

from __future__ import annotations

from collections.abc import Sequence

from classifier.dataset import Sample
from classifier.engine import Classifier
from classifier.metrics import Report, score
from classifier.titles import short_text

Item = tuple[dict[str, float], int, str]
"""A message ready to route: token factors (see Classifier.found), length, label."""


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


def item(classifier: Classifier, sample: Sample, short: bool = False) -> Item:
    """Segment a sample: in full (title and text), or short (its title alone, see short_text)."""
    if short:
        text = short_text(sample.title, sample.text)
        return classifier.found(text), classifier.length(text), sample.label
    length = classifier.length(sample.text, sample.title)
    return classifier.found(sample.text, sample.title), length, sample.label


def evaluate_found(classifier: Classifier, items: Sequence[Item]) -> Report:
    """Score pre-segmented items: top topics, suggestions and abstentions."""
    gold: list[str] = []
    predicted: list[str] = []
    abstained: list[bool] = []
    suggested: list[list[str]] = []
    for found, length, label in items:
        route = classifier.route(found, length)
        gold.append(gold_label(classifier, label))
        predicted.append(label_of(classifier, route.topic))
        abstained.append(route.abstained)
        suggested.append([label_of(classifier, s.topic) for s in route.suggestions])
    return score(gold, predicted, abstained, suggested)


def evaluate(classifier: Classifier, samples: Sequence[Sample], short: bool = False) -> Report:
    """Classify every sample (in full, or on its title alone) and score the routes."""
    return evaluate_found(classifier, [item(classifier, s, short) for s in samples])


def unknown_labels(classifier: Classifier, samples: Sequence[Sample]) -> list[str]:
    """Return labels that are neither topic names, codes nor aliases."""
    labels = {s.label for s in samples}
    return sorted(label for label in labels if classifier.config.resolve_label(label) is None)
