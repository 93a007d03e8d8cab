"""Print k-fold cross-validated routing figures, for messages in full and for titles alone.

Each fold is routed by a routing file learned as `deputybot learn` learns it, from the other
folds alone: both keyword tables, and the thresholds, chosen by a cross-validation inside
those folds. The fold is then routed in full (title and text) and short (its title alone, as
`deputybot eval --short` does).

Run from the repository root: python -m classifier.crossval [--data CSV] [--base TOML]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classifier import SHIPPED_ROUTING
from classifier.dataset import read_samples, stratified_folds
from classifier.engine import Classifier, load
from classifier.evaluate import label_of
from classifier.fit import Example, examples, learn_all
from classifier.learn import LearnParams, with_learned
from classifier.metrics import Report, score
from classifier.model import Thresholds
from classifier.tuning import Choice, Scored, choose

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "teddy2020c-dev.csv"
VIEWS = ("full", "short")
TARGET = 0.93


@dataclass
class Routed:
    """What one view of the held-out messages got: labels, routes and scores."""

    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    abstained: list[bool] = field(default_factory=list)
    suggested: list[list[str]] = field(default_factory=list)
    scored: list[Scored] = field(default_factory=list)

    def add(self, fitted: Classifier, example: Example, short: bool) -> None:
        """Route one held-out example's full or short view."""
        found, length = example.short if short else example.full
        route = fitted.route(found, length)
        ranked = fitted.rank(found, length)
        gold = label_of(fitted, example.code)
        self.gold.append(gold)
        self.predicted.append(label_of(fitted, route.topic))
        self.abstained.append(route.abstained)
        self.suggested.append([label_of(fitted, s.topic) for s in route.suggestions])
        right = self.predicted[-1] == gold
        self.scored.append(Scored(length, right, ranked.top, ranked.second, bool(ranked.topics)))

    def report(self) -> Report:
        """Score the routes."""
        return score(self.gold, self.predicted, self.abstained, self.suggested)


def crossval(
    base: Classifier,
    items: Sequence[Example],
    params: LearnParams,
    folds: int = 5,
    extra: Sequence[Example] = (),
) -> tuple[dict[str, Routed], list[Thresholds]]:
    """Route every example, in full and short, by a routing file learned without its fold.

    extra examples (corrections people made) join every fold's training data, never a test.
    """
    assignment = stratified_folds([e.code for e in items], folds)
    routed = {view: Routed() for view in VIEWS}
    chosen = []
    for fold in range(folds):
        train = [e for e, f in zip(items, assignment, strict=True) if f != fold] + list(extra)
        learned = learn_all(base, train, params)
        fitted = base.rebuilt(with_learned(base.config, learned))
        chosen.append(fitted.config.thresholds)
        for example, f in zip(items, assignment, strict=True):
            if f == fold:
                for view in VIEWS:
                    routed[view].add(fitted, example, view == "short")
    return routed, chosen


def table(routed: dict[str, Routed], oracle: dict[str, Choice]) -> list[str]:
    """Render the figures of both views as one table."""
    lines = [
        f"{'view':<6}{'accuracy':>9}{'macro-F1':>9}{'coverage':>9}{'cov.acc':>9}{'top-3':>8}"
        f"{'best coverage at cov.acc >= ' + str(TARGET):>34}",
    ]
    for view, got in routed.items():
        r = got.report()
        best = oracle[view]
        lines.append(
            f"{view:<6}{r.accuracy:9.4f}{r.macro_f1:9.4f}{r.coverage:9.4f}"
            f"{r.covered_accuracy:9.4f}{r.top3:8.4f}{best.coverage:>20.4f} ({best.accuracy:.4f})"
        )
    return lines


def describe(thresholds: Thresholds) -> str:
    """Render thresholds on one line."""
    bands = ", ".join(f"<={b.up_to}: {b.min_score:g}/{b.min_margin:g}" for b in thresholds.bands)
    return f"{bands}, longer: {thresholds.min_score:g}/{thresholds.min_margin:g}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cross-validated figures of both views."""
    parser = argparse.ArgumentParser(prog="python -m classifier.crossval", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base", type=Path, default=SHIPPED_ROUTING)
    parser.add_argument("--folds", type=int, default=5)
    defaults = LearnParams()
    parser.add_argument("--top-n", type=int, default=defaults.top_n)
    parser.add_argument("--long-top-n", type=int, default=defaults.long_top_n)
    parser.add_argument("--min-df", type=int, default=defaults.min_df)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--balance", type=float, default=defaults.balance)
    parser.add_argument("--short-length", type=int, default=defaults.short_length)
    parser.add_argument("--accuracy", type=float, default=defaults.accuracy)
    parser.add_argument("--inner-folds", type=int, default=defaults.folds)
    parser.add_argument("--tune", action="store_true", help="also show each fold's thresholds")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    base = load(args.base)
    samples = read_samples(args.data)
    items = examples(base, samples)
    params = LearnParams(
        top_n=args.top_n,
        long_top_n=args.long_top_n,
        min_df=args.min_df,
        epochs=args.epochs,
        balance=args.balance,
        short_length=args.short_length,
        accuracy=args.accuracy,
        folds=args.inner_folds,
    )
    routed, chosen = crossval(base, items, params, args.folds)
    titles = statistics.median(e.short[1] for e in items)
    print(
        f"{args.folds}-fold cross-validation on {len(items)} messages; short: titles alone "
        f"(median {titles:g} characters); everything learned on the other folds only"
    )
    print(f"learning: {params}")
    oracle = {view: choose(got.scored, TARGET) for view, got in routed.items()}
    print("\n".join(table(routed, oracle)))
    print(
        "coverage and cov.acc: thresholds learned without the fold; best coverage: thresholds "
        "chosen on all folds' scores together (an upper bound)"
    )
    if args.tune:
        for fold, thresholds in enumerate(chosen):
            print(f"fold {fold} thresholds (min_score/min_margin): {describe(thresholds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
