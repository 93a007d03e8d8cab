"""Learn abstention thresholds per message length from out-of-fold scores.

A message is routed when its best score reaches min_score and leads the runner-up by at least
min_margin of itself. For each length band the thresholds that route the most messages while
the routed ones stay right at least `accuracy` of the time are chosen, on scores of messages
the keywords were not learned from.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from classifier.model import Band, Thresholds

SCORES = tuple(x / 4 for x in range(41))  # 0 .. 10 keyword-weight units
MARGINS = tuple(x / 40 for x in range(40))  # 0 .. 0.975 of the best score


@dataclass(frozen=True)
class Scored:
    """One held-out message: its length, whether its best topic is right, top two scores.

    A message no keyword matched has evidence False and is never routed.
    """

    length: int
    right: bool
    top: float
    second: float
    evidence: bool = True

    def kept(self, min_score: float, min_margin: float) -> bool:
        """Tell whether these thresholds route the message."""
        top = self.top
        return self.evidence and top >= min_score and top - self.second >= min_margin * top


@dataclass(frozen=True)
class Choice:
    """Thresholds and what they did on the scores they were chosen on."""

    min_score: float
    min_margin: float
    coverage: float
    accuracy: float


def _lead(item: Scored) -> float:
    """Return the lead over the runner-up as a share of the best score (-1 if it cannot route)."""
    if not item.evidence or item.top <= 0.0:
        return -1.0
    return (item.top - item.second) / item.top


def choose(items: Sequence[Scored], accuracy: float) -> Choice:
    """Return the thresholds routing the most items at covered accuracy >= accuracy.

    Ties go to the more accurate, then the lower thresholds. When no pair reaches the
    accuracy, the most accurate pair is returned.
    """
    best: tuple[tuple[bool, int, float, float, float], Choice] | None = None
    total = max(len(items), 1)
    for min_score in SCORES:
        ranked = sorted((_lead(i), i.right) for i in items if i.evidence and i.top >= min_score)
        leads = [lead for lead, _ in ranked]
        # correct[j]: right answers among the items from position j on (leads ascending)
        correct = [0] * (len(ranked) + 1)
        for j in range(len(ranked) - 1, -1, -1):
            correct[j] = correct[j + 1] + ranked[j][1]
        for min_margin in MARGINS:
            start = bisect.bisect_left(leads, min_margin)
            kept = len(leads) - start
            if not kept:
                continue
            share = correct[start] / kept
            key = (
                share >= accuracy,
                kept if share >= accuracy else 0,
                share,
                -min_score,
                -min_margin,
            )
            if best is None or key > best[0]:
                best = (key, Choice(min_score, min_margin, kept / total, share))
    return best[1] if best is not None else Choice(SCORES[-1], MARGINS[-1], 0.0, 0.0)


def tune(items: Sequence[Scored], edges: Sequence[int], accuracy: float) -> Thresholds:
    """Choose thresholds for each band of lengths up to each edge, and for longer messages."""
    bands = []
    low = 0
    for edge in edges:
        inside = [i for i in items if low < i.length <= edge]
        choice = choose(inside, accuracy)
        bands.append(Band(edge, choice.min_score, choice.min_margin))
        low = edge
    rest = choose([i for i in items if i.length > low], accuracy)
    return Thresholds(rest.min_score, rest.min_margin, tuple(bands))
