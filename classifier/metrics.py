"""Accuracy, macro-F1, top-3 accuracy, per-label scores, confusion and coverage of routes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """Evaluation figures over labelled items."""

    total: int = 0
    accuracy: float = 0.0
    macro_f1: float = 0.0
    coverage: float = 0.0
    covered_accuracy: float = 0.0
    top3: float = 0.0
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Return the figures the --json output promises."""
        return {
            "total": self.total,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "coverage": round(self.coverage, 4),
            "covered_accuracy": round(self.covered_accuracy, 4),
            "top3": round(self.top3, 4),
            "per_label": self.per_label,
            "confusion": self.confusion,
        }


def score(
    gold: list[str],
    predicted: list[str],
    abstained: list[bool],
    suggested: list[list[str]] | None = None,
) -> Report:
    """Score predictions; macro-F1 averages over the gold labels present.

    suggested holds the labels offered for each item, best first (the prediction alone when
    absent); top3 is the share whose gold label is among the first three.
    """
    total = len(gold)
    if total == 0:
        return Report()
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    offered = suggested if suggested is not None else [[p] for p in predicted]
    top3 = sum(g in s[:3] for g, s in zip(gold, offered, strict=True))
    covered = [(g, p) for g, p, a in zip(gold, predicted, abstained, strict=True) if not a]
    labels = sorted(set(gold))
    pairs = Counter(zip(gold, predicted, strict=True))
    per_label: dict[str, dict[str, float]] = {}
    f1s: list[float] = []
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(n for (g, _), n in pairs.items() if g == label)
        guessed = sum(n for (_, p), n in pairs.items() if p == label)
        precision = tp / guessed if guessed else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    columns = sorted(set(predicted) | set(labels))
    confusion = {g: {p: pairs[(g, p)] for p in columns if pairs[(g, p)]} for g in labels}
    return Report(
        total=total,
        accuracy=correct / total,
        macro_f1=sum(f1s) / len(f1s),
        coverage=len(covered) / total,
        covered_accuracy=sum(g == p for g, p in covered) / len(covered) if covered else 0.0,
        top3=top3 / total,
        per_label=per_label,
        confusion=confusion,
    )
