"""Administrator commands: classify, eval, learn and check-config."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifier.cli_support import ReplayItems, load_or_report, routing_path
from classifier.dataset import read_samples
from classifier.engine import Classifier
from classifier.evaluate import evaluate, unknown_labels
from classifier.holder import Check
from classifier.learn_cli import Corrections, add_learn
from classifier.metrics import Report
from classifier.model import Route
from classifier.replay import describe, replay


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
    classifier = load_or_report(args.config or routing_path())
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
    classifier = load_or_report(args.config or routing_path())
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


def cmd_check_config(
    args: argparse.Namespace, replay_items: ReplayItems | None, checks: Sequence[Check] = ()
) -> int:
    """Validate a routing file; with --replay, show which stored items would move."""
    path: Path = args.path or routing_path()
    new = load_or_report(path, checks)
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
        current = load_or_report(routing_path())
        if current is None:
            return 1
        print("\n".join(describe(replay(current, new, replay_items()))))
    return 0


def add_commands(
    subparsers: argparse._SubParsersAction[Any],
    *,
    replay_items: ReplayItems | None = None,
    corrections: Corrections | None = None,
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

    add_learn(subparsers, replay_items=replay_items, corrections=corrections, checks=checks)

    p = subparsers.add_parser("check-config", help="validate a routing file")
    p.add_argument("path", nargs="?", type=Path, help=config_help)
    p.add_argument("--replay", action="store_true", help="show which stored items would move")
    p.set_defaults(func=lambda args: cmd_check_config(args, replay_items, checks))
