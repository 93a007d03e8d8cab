"""Print k-fold cross-validated figures: learn keywords on k-1 folds, evaluate on the last.

Run from the repository root: python -m classifier.crossval [--data CSV] [--base TOML]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from classifier import SHIPPED_ROUTING
from classifier.dataset import read_samples, stratified_folds
from classifier.engine import Classifier, load
from classifier.evaluate import evaluate_found
from classifier.learn import LearnParams, learn_keywords, with_learned
from classifier.metrics import Report

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "teddy2020c-dev.csv"
Items = list[tuple[dict[str, float], str]]
Scored = tuple[str, str, float, float]  # gold topic, predicted topic, best and second score
MIN_COVERAGE = 0.81


def crossval(
    base: Classifier,
    items: Items,
    params: LearnParams,
    folds: int = 5,
    scored: list[Scored] | None = None,
) -> list[Report]:
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
        learned = learn_keywords(config, train, params)
        fitted = base.rebuilt(with_learned(config, learned))
        reports.append(evaluate_found(fitted, test))
        if scored is not None:
            for found, label in test:
                if not any(fitted.topic_scores(found)[1]):
                    scored.append((config.resolve_label(label) or label, "", 0.0, 0.0))
                    continue
                ranked = fitted.root_scores(found)
                scored.append((config.resolve_label(label) or label, ranked[0][0], *_top2(ranked)))
    return reports


def _top2(ranked: list[tuple[str, float]]) -> tuple[float, float]:
    """Return the best and second-best score."""
    return ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0.0


def _kept(scored: Sequence[Scored], min_score: float, min_margin: float) -> list[Scored]:
    """Return the items the thresholds route (a message matching no keyword never is)."""
    return [s for s in scored if s[1] and s[2] >= min_score and s[2] - s[3] >= min_margin * s[2]]


def tune(
    scored: Sequence[Scored], min_coverage: float = MIN_COVERAGE
) -> list[tuple[float, float, float, float]]:
    """Grid-search (min_score, min_margin) by covered accuracy at coverage >= min_coverage."""
    results = []
    for min_score in [x / 2 for x in range(0, 21)]:
        for min_margin in [x / 40 for x in range(0, 40)]:
            kept = _kept(scored, min_score, min_margin)
            coverage = len(kept) / len(scored)
            if coverage < min_coverage or not kept:
                continue
            accuracy = sum(s[0] == s[1] for s in kept) / len(kept)
            results.append((accuracy, coverage, min_score, min_margin))
    results.sort(reverse=True)
    return results


def nested(
    scored: Sequence[Scored], assignment: Sequence[int], min_coverage: float = MIN_COVERAGE
) -> list[tuple[float, float, float, float]]:
    """Tune thresholds on the other folds' out-of-fold scores, apply them to each fold.

    Returns (coverage, covered accuracy, min_score, min_margin) per fold: honest figures for
    the threshold choice itself, which --tune makes on all folds pooled.
    """
    out = []
    for fold in sorted(set(assignment)):
        rest = [s for s, f in zip(scored, assignment, strict=True) if f != fold]
        own = [s for s, f in zip(scored, assignment, strict=True) if f == fold]
        _, _, min_score, min_margin = tune(rest, min_coverage)[0]
        kept = _kept(own, min_score, min_margin)
        accuracy = sum(s[0] == s[1] for s in kept) / len(kept) if kept else 0.0
        out.append((len(kept) / len(own), accuracy, min_score, min_margin))
    return out


def summary(reports: Sequence[Report]) -> dict[str, float]:
    """Average the headline figures over folds."""
    keys = ("accuracy", "macro_f1", "coverage", "covered_accuracy")
    return {k: statistics.fmean(getattr(r, k) for r in reports) for k in keys}


def main(argv: Sequence[str] | None = None) -> int:
    """Print per-fold and mean figures."""
    parser = argparse.ArgumentParser(prog="python -m classifier.crossval", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base", type=Path, default=SHIPPED_ROUTING)
    parser.add_argument("--folds", type=int, default=5)
    defaults = LearnParams()
    parser.add_argument("--top-n", type=int, default=defaults.top_n)
    parser.add_argument("--alpha", type=float, default=defaults.alpha)
    parser.add_argument("--min-df", type=int, default=defaults.min_df)
    parser.add_argument("--min-weight", type=float, default=defaults.min_weight)
    parser.add_argument("--max-weight", type=float, default=defaults.max_weight)
    parser.add_argument("--keep", type=int, default=defaults.keep)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--no-refine", dest="refine", action="store_false")
    parser.add_argument("--tune", action="store_true", help="grid-search the thresholds")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    base = load(args.base)
    samples = read_samples(args.data)
    items = [(base.found(s.text, s.title), s.label) for s in samples]
    params = LearnParams(
        args.top_n,
        args.alpha,
        args.min_df,
        args.min_weight,
        args.max_weight,
        args.refine,
        args.keep,
        args.epochs,
    )
    scored: list[Scored] = []
    reports = crossval(base, items, params, args.folds, scored)
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
    if args.tune:
        print(f"thresholds by pooled out-of-fold covered accuracy (coverage >= {MIN_COVERAGE}):")
        for accuracy, coverage, min_score, min_margin in tune(scored)[:5]:
            print(
                f"  min_score {min_score:4.1f} min_margin {min_margin:5.2f}: "
                f"covered accuracy {accuracy:.4f} coverage {coverage:.4f}"
            )
        print("nested: thresholds tuned on the other four folds' out-of-fold scores")
        # crossval appends the scored items fold by fold
        folds = sorted(stratified_folds([label for _, label in items], args.folds))
        rows = nested(scored, folds)
        for i, (coverage, accuracy, min_score, min_margin) in enumerate(rows):
            print(
                f"{i:>4} {coverage:9.4f} {accuracy:9.4f}   "
                f"(min_score {min_score:g}, min_margin {min_margin:g})"
            )
        cov = statistics.fmean(r[0] for r in rows)
        acc = statistics.fmean(r[1] for r in rows)
        print(f"mean {cov:9.4f} {acc:9.4f}   (coverage, covered accuracy)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
