"""Read labelled messages from a CSV with columns title, text, label."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One labelled message."""

    title: str
    text: str
    label: str


def read_samples(path: str | Path) -> list[Sample]:
    """Read a labelled CSV; title may be missing or empty, text and label are required."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        missing = {"text", "label"} - columns
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        return [
            Sample(
                (row.get("title") or "").strip(), (row["text"] or "").strip(), row["label"].strip()
            )
            for row in reader
        ]


def stratified_folds(labels: list[str], k: int) -> list[int]:
    """Assign each item a fold 0..k-1, spreading every label evenly (deterministic)."""
    folds = [0] * len(labels)
    counters: dict[str, int] = {}
    for i, label in enumerate(labels):
        n = counters.get(label, 0)
        folds[i] = n % k
        counters[label] = n + 1
    return folds
