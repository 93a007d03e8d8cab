"""Compare two classifiers on stored items: which would move, from where to where."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from classifier.engine import Classifier
from classifier.model import Route

TRIAGE = "(triage)"


@dataclass(frozen=True)
class Move:
    """One stored item that the new routing file would send elsewhere."""

    tracking_no: str
    text: str
    old: str
    new: str


@dataclass
class ReplayReport:
    """Outcome of replaying stored items through the current and the new classifier."""

    total: int = 0
    moves: list[Move] = field(default_factory=list)

    def by_pair(self) -> Counter[tuple[str, str]]:
        """Count moves per (old destination, new destination)."""
        return Counter((m.old, m.new) for m in self.moves)


def destination(route: Route) -> str:
    """Return where a route sends an item: a department code, or triage when abstaining."""
    return TRIAGE if route.abstained or not route.department else route.department


def replay(old: Classifier, new: Classifier, items: Iterable[tuple[str, str, str]]) -> ReplayReport:
    """Route every (tracking_no, title, text) with both classifiers and collect the moves."""
    report = ReplayReport()
    for tracking_no, title, text in items:
        report.total += 1
        before = destination(old.classify(text, title))
        after = destination(new.classify(text, title))
        if before != after:
            report.moves.append(Move(tracking_no, (title + " " + text).strip(), before, after))
    return report


def describe(report: ReplayReport, examples: int = 3) -> list[str]:
    """Render the report for an administrator, with a few examples per move."""
    lines = [f"{len(report.moves)} of {report.total} stored items would move."]
    for (old, new), count in report.by_pair().most_common():
        lines.append(f"  {old} -> {new}: {count}")
        shown = [m for m in report.moves if (m.old, m.new) == (old, new)][:examples]
        for move in shown:
            snippet = move.text if len(move.text) <= 40 else move.text[:40] + "…"
            lines.append(f"    {move.tracking_no}: {snippet}")
    return lines
