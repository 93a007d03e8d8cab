"""Administrator commands: classify, eval, learn and check-config."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from classifier import SHIPPED_ROUTING
from classifier.dataset import read_samples
from classifier.engine import Classifier
from classifier.evaluate import evaluate, unknown_labels
from classifier.fit import learn_from_samples
from classifier.holder import Check, load_checked
from classifier.learn import LearnParams
from classifier.metrics import Report
from classifier.model import ConfigError, Route
from classifier.render import splice_learned
from classifier.replay import describe, replay

ReplayItems = Callable[[], Iterable[tuple[str, str, str]]]


def routing_path() -> Path:
    """Return the configured routing file: $DEPUTYBOT_ROUTING or the shipped one."""
    return Path(os.environ.get("DEPUTYBOT_ROUTING") or SHIPPED_ROUTING)


def _load_or_report(path: Path, checks: Sequence[Check] = ()) -> Classifier | None:
    """Load a classifier, printing every problem to stderr on failure."""
    try:
        return load_checked(path, checks)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def describe_route(classifier: Classifier, route: Route) -> list[str]:
    """Render a route for an administrator."""
    config = classifier.config
    topic = config.topic(route.topic)
    department = config.department(route.department)
    runner = config.topic(route.runner_up) if route.runner_up else None
    matched = ", ".join(f"{word} {weight:.2f}" for word, weight in route.matched[:12]) or "-"
    offered = []
    for suggestion in route.suggestions:
        shown = config.topic(suggestion.topic)
        name = shown.name if shown else suggestion.topic
        offered.append(f"{name} ({suggestion.department}) {suggestion.confidence:.2f}")
    return [
        f"topic: {topic.name} ({topic.code})" if topic else "topic: -",
        f"department: {department.name} ({department.code})" if department else "department: -",
        f"confidence: {route.confidence:.2f}",
        f"matched: {matched}",
        f"runner-up: {runner.name} ({runner.code})" if runner else "runner-up: -",
        f"suggestions: {', '.join(offered) or '-'}",
        "abstained: yes, to triage (待分拨)" if route.abstained else "abstained: no",
    ]


def cmd_classify(args: argparse.Namespace) -> int:
    """Classify one message and explain the route."""
    classifier = _load_or_report(args.config or routing_path())
    if classifier is None:
        return 1
    route = classifier.classify(args.text, title=args.title)
    print("\n".join(describe_route(classifier, route)))
    return 0


def format_report(report: Report) -> list[str]:
    """Render evaluation figures as text tables."""
    lines = [
        f"messages: {report.total}",
        f"accuracy: {report.accuracy:.4f}",
        f"macro-F1: {report.macro_f1:.4f}",
        f"coverage: {report.coverage:.4f} (share not abstained)",
        f"covered accuracy: {report.covered_accuracy:.4f}",
        f"top-3 accuracy: {report.top3:.4f} (right topic among the three suggestions)",
        "",
        f"{'label':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}",
    ]
    for label, row in report.per_label.items():
        lines.append(
            f"{label:<16}{row['precision']:>10.4f}{row['recall']:>10.4f}"
            f"{row['f1']:>10.4f}{int(row['support']):>9}"
        )
    columns = sorted({p for row in report.confusion.values() for p in row})
    lines += ["", "confusion (rows: label, columns: predicted top topic)"]
    lines.append("\t".join(["", *columns]))
    for label, counts in report.confusion.items():
        lines.append("\t".join([label, *(str(counts.get(c, 0)) for c in columns)]))
    return lines


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate the routing file on a labelled CSV, in full or on titles alone (--short)."""
    classifier = _load_or_report(args.config or routing_path())
    if classifier is None:
        return 1
    samples = read_samples(args.file)
    for label in unknown_labels(classifier, samples):
        print(f"warning: label {label!r} is neither a topic name nor an alias", file=sys.stderr)
    report = evaluate(classifier, samples, short=args.short)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print("\n".join(format_report(report)))
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    """Learn keyword weights and merge them into the base routing file."""
    if args.output is None and not args.diff:
        print("learn: give -o OUT.toml, --diff, or both", file=sys.stderr)
        return 2
    base_path: Path = args.base or routing_path()
    base = _load_or_report(base_path)
    if base is None:
        return 1
    samples = read_samples(args.file)
    for label in unknown_labels(base, samples):
        print(f"warning: skipping label {label!r}: not a topic name or alias", file=sys.stderr)
    params = LearnParams(
        top_n=args.top_n,
        min_df=args.min_df,
        accuracy=args.accuracy,
        folds=args.folds,
        short_length=args.short_length,
    )
    learned = learn_from_samples(base, samples, params)
    old_text = base_path.read_text(encoding="utf-8")
    note = f"{len(samples)} messages from {Path(args.file).name}"
    new_text = splice_learned(old_text, base.config, learned, note)
    if args.diff:
        diff = difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=str(base_path),
            tofile=str(args.output or base_path),
        )
        sys.stdout.writelines(diff)
    if args.output is not None:
        Path(args.output).write_text(new_text, encoding="utf-8")
        counts = ", ".join(
            f"{code} {len(words)}/{len(learned.short_keywords.get(code, {}))}"
            for code, words in learned.keywords.items()
        )
        print(f"wrote {args.output}: learned keywords (long/short) {counts}", file=sys.stderr)
    return 0


def cmd_check_config(
    args: argparse.Namespace, replay_items: ReplayItems | None, checks: Sequence[Check] = ()
) -> int:
    """Validate a routing file; with --replay, show which stored items would move."""
    path: Path = args.path or routing_path()
    new = _load_or_report(path, checks)
    if new is None:
        return 1
    config = new.config
    curated = sum(len(t.keywords) for t in config.topics)
    learned = sum(len(t.learned) for t in config.topics)
    short = sum(len(t.learned_short) for t in config.topics)
    print(
        f"{path}: OK: {len(config.departments)} departments, {len(config.topics)} topics, "
        f"{curated} curated and {learned} + {short} learned keywords (long + short messages), "
        f"{len(config.aliases)} aliases"
    )
    if args.replay:
        if replay_items is None:
            print("check-config: --replay needs the bot's stored items", file=sys.stderr)
            return 2
        current = _load_or_report(routing_path())
        if current is None:
            return 1
        print("\n".join(describe(replay(current, new, replay_items()))))
    return 0


def add_commands(
    subparsers: argparse._SubParsersAction[Any],
    *,
    replay_items: ReplayItems | None = None,
    checks: Sequence[Check] = (),
) -> None:
    """Register classify, eval, learn and check-config on the given subparsers."""
    config_help = "routing file (default: $DEPUTYBOT_ROUTING or the shipped config/routing.toml)"
    p = subparsers.add_parser("classify", help="route one message and explain why")
    p.add_argument("text")
    p.add_argument("--title", default="")
    p.add_argument("--config", type=Path, help=config_help)
    p.set_defaults(func=cmd_classify)

    p = subparsers.add_parser("eval", help="score the routing file on a labelled CSV")
    p.add_argument("file", help="CSV with columns title, text, label")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--short",
        action="store_true",
        help="score each row on its title alone, as a deputy types it (a title run into the "
        "text is found there; a one-line text is its own title)",
    )
    p.add_argument("--config", type=Path, help=config_help)
    p.set_defaults(func=cmd_eval)

    defaults = LearnParams()
    p = subparsers.add_parser("learn", help="learn keyword weights from a labelled CSV")
    p.add_argument("file", help="CSV with columns title, text, label")
    p.add_argument("-o", "--output", type=Path, help="write the merged routing file here")
    p.add_argument("--base", type=Path, help=config_help)
    p.add_argument("--diff", action="store_true", help="show what would change")
    p.add_argument("--top-n", type=int, default=defaults.top_n, help="keywords per topic")
    p.add_argument("--min-df", type=int, default=defaults.min_df, help="minimum messages")
    p.add_argument(
        "--accuracy",
        type=float,
        default=defaults.accuracy,
        help="covered accuracy the thresholds keep, out of fold",
    )
    p.add_argument(
        "--folds", type=int, default=defaults.folds, help="folds for learning the thresholds"
    )
    p.add_argument(
        "--short-length",
        type=int,
        default=defaults.short_length,
        help="messages up to this many characters use the short-message keywords",
    )
    p.set_defaults(func=cmd_learn)

    p = subparsers.add_parser("check-config", help="validate a routing file")
    p.add_argument("path", nargs="?", type=Path, help=config_help)
    p.add_argument("--replay", action="store_true", help="show which stored items would move")
    p.set_defaults(func=lambda args: cmd_check_config(args, replay_items, checks))
