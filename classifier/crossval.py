"""Print k-fold cross-validated figures: learn keywords on k-1 folds, evaluate on the last.

Run from the repository root: python -m classifier.crossval [--data CSV] [--base TOML]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from classifier.dataset import read_samples, stratified_folds
from classifier.engine import Classifier, load
from classifier.evaluate import evaluate_found
from classifier.learn import LearnParams, learn_weights, with_learned
from classifier.metrics import Report

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "teddy2020c-dev.csv"
Items = list[tuple[dict[str, float], str]]


def crossval(base: Classifier, items: Items, params: LearnParams, folds: int = 5) -> list[Report]:
    """Return one report per fold; learned keywords never see their own fold."""
    config = base.config
    codes = [config.resolve_label(label) for _, label in items]
    assignment = stratified_folds([label for _, label in items], folds)
    reports = []
    for fold in range(folds):
        train = [
            (found, code)
            for (found, _), code, f in zip(items, codes, assignment, strict=True)
            if f != fold and code is not None
        ]
        test = [item for item, f in zip(items, assignment, strict=True) if f == fold]
        learned = learn_weights(train, params)
        reports.append(evaluate_found(base.rebuilt(with_learned(config, learned)), test))
    return reports


def summary(reports: Sequence[Report]) -> dict[str, float]:
    """Average the headline figures over folds."""
    keys = ("accuracy", "macro_f1", "coverage", "covered_accuracy")
    return {k: statistics.fmean(getattr(r, k) for r in reports) for k in keys}


def main(argv: Sequence[str] | None = None) -> int:
    """Print per-fold and mean figures."""
    parser = argparse.ArgumentParser(prog="python -m classifier.crossval", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base", type=Path, default=Path("config/routing.toml"))
    parser.add_argument("--folds", type=int, default=5)
    defaults = LearnParams()
    parser.add_argument("--top-n", type=int, default=defaults.top_n)
    parser.add_argument("--alpha", type=float, default=defaults.alpha)
    parser.add_argument("--min-df", type=int, default=defaults.min_df)
    parser.add_argument("--min-weight", type=float, default=defaults.min_weight)
    parser.add_argument("--max-weight", type=float, default=defaults.max_weight)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    base = load(args.base)
    samples = read_samples(args.data)
    items = [(base.found(s.text, s.title), s.label) for s in samples]
    params = LearnParams(args.top_n, args.alpha, args.min_df, args.min_weight, args.max_weight)
    reports = crossval(base, items, params, args.folds)
    print(f"{args.folds}-fold cross-validation on {len(items)} messages, {params}")
    print(f"{'fold':>4} {'accuracy':>9} {'macro_f1':>9} {'coverage':>9} {'cov_acc':>9}")
    for i, r in enumerate(reports):
        figures = (r.accuracy, r.macro_f1, r.coverage, r.covered_accuracy)
        print(f"{i:>4} " + " ".join(f"{x:9.4f}" for x in figures))
    mean = summary(reports)
    print(
        f"{'mean':>4} {mean['accuracy']:9.4f} {mean['macro_f1']:9.4f} "
        f"{mean['coverage']:9.4f} {mean['covered_accuracy']:9.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
