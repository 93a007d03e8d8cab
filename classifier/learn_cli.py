"""`deputybot learn`: learn keywords from labelled messages and people's corrections."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from classifier.cli_support import ReplayItems, load_or_report, routing_path
from classifier.crossval import VIEWS
from classifier.dataset import Sample, read_samples
from classifier.engine import Classifier
from classifier.evaluate import unknown_labels
from classifier.fit import learn_from_samples
from classifier.holder import Check, load_checked, write_validated
from classifier.learn import LearnParams
from classifier.model import ConfigError
from classifier.propose import GUARDED, Proposal, propose, render
from classifier.render import splice_learned
from classifier.replay import describe, replay

Corrections = Callable[[str | None], list[Sample]]
"""Read the corrections recorded since a date (YYYY-MM-DD), or all of them."""


def cmd_learn(
    args: argparse.Namespace,
    replay_items: ReplayItems | None,
    corrections: Corrections | None,
    checks: Sequence[Check],
) -> int:
    """Learn keyword weights (and thresholds) and merge them into the routing file."""
    if not (args.output or args.diff or args.write or args.from_db):
        print("learn: give -o OUT.toml, --diff, --write or --from-db", file=sys.stderr)
        return 2
    base_path: Path = args.base or routing_path()
    base = load_or_report(base_path, checks)
    if base is None:
        return 1
    dev = read_samples(args.file) if args.file else []
    for label in unknown_labels(base, dev):
        print(f"warning: skipping label {label!r}: not a topic name or alias", file=sys.stderr)
    extra: list[Sample] = []
    if args.from_db:
        if corrections is None:
            print("learn: --from-db needs the bot's database", file=sys.stderr)
            return 2
        extra = corrections(args.since)
    if not dev and not extra:
        print("learn: nothing to learn from (no CSV given, no corrections)", file=sys.stderr)
        return 1
    params = LearnParams(
        top_n=args.top_n,
        long_top_n=args.long_top_n,
        min_df=args.min_df,
        accuracy=args.accuracy,
        folds=args.folds,
        short_length=args.short_length,
    )
    old_text = base_path.read_text(encoding="utf-8")
    if args.from_db:
        proposal = propose(base, old_text, dev, extra, params)
        new_text = proposal.text
        if args.json:
            print(json.dumps(as_json(proposal), ensure_ascii=False))
        else:
            _report(base, proposal, replay_items)
        if not proposal.acceptable:
            print("not written: the proposal would lower held-out figures", file=sys.stderr)
            return 1
        if not dev and (args.write or args.output):
            print("not written: without the dev file the held-out figures cannot be checked",
                  file=sys.stderr)  # fmt: skip
            return 1
    else:
        learned = learn_from_samples(base, dev, params)
        new_text = splice_learned(old_text, base.config, learned, f"{len(dev)} messages")
    if args.diff:
        sys.stdout.writelines(
            difflib.unified_diff(
                old_text.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                fromfile=str(base_path),
                tofile=str(args.output or base_path),
            )
        )
    target = args.output or (base_path if args.write else None)
    if target is None:
        print("not written: add --write to apply it, or -o OUT.toml", file=sys.stderr)
        return 0
    try:
        write_checked(Path(target), new_text, checks)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"wrote {target}", file=sys.stderr)
    return 0


def as_json(proposal: Proposal) -> dict[str, Any]:
    """Return the proposal's figures as plain data (for the bot's /learn)."""
    figures = {
        name: None
        if found is None
        else {view: {f: found.value(view, f) for f in GUARDED} for view in VIEWS}
        for name, found in (("before", proposal.before), ("after", proposal.after))
    }
    return {
        "corrections": proposal.corrections,
        "right_before": proposal.right_before,
        "right_after": proposal.right_after,
        **figures,
        "lowered": proposal.lowered,
    }


def _report(base: Classifier, proposal: Proposal, replay_items: ReplayItems | None) -> None:
    """Print the proposal's figures and the replay of the stored items."""
    print("\n".join(render(proposal)))
    if replay_items is not None:
        print("\n".join(describe(replay(base, proposal.classifier, replay_items()))))


def write_checked(target: Path, text: str, checks: Sequence[Check] = ()) -> None:
    """Write a routing file only if it loads and passes the checks (atomically replaced)."""
    write_validated(target, text, lambda path: load_checked(path, checks))


def add_learn(
    subparsers: argparse._SubParsersAction[Any],
    *,
    replay_items: ReplayItems | None,
    corrections: Corrections | None,
    checks: Sequence[Check],
) -> None:
    """Register the learn command."""
    config_help = "routing file (default: $DEPUTYBOT_ROUTING or the shipped config/routing.toml)"
    defaults = LearnParams()
    p = subparsers.add_parser(
        "learn", help="learn keyword weights from a labelled CSV and from corrections"
    )
    p.add_argument("file", nargs="?", help="CSV with columns title, text, label (the dev file)")
    p.add_argument(
        "--from-db",
        action="store_true",
        help="also learn from the corrections people made (换分类, 改派, 转办); shows the "
        "figures before and after and the replay of stored items, refuses a change that lowers "
        "the dev file's held-out figures",
    )
    p.add_argument("--since", help="with --from-db: only corrections since YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="with --from-db: print the figures as JSON")
    p.add_argument("-o", "--output", type=Path, help="write the merged routing file here")
    p.add_argument("--write", action="store_true", help="write it over the routing file")
    p.add_argument("--base", type=Path, help=config_help)
    p.add_argument("--diff", action="store_true", help="show what would change")
    p.add_argument(
        "--top-n", type=int, default=defaults.top_n, help="keywords per topic (short messages)"
    )
    p.add_argument(
        "--long-top-n",
        type=int,
        default=defaults.long_top_n,
        help="keywords per topic for long messages",
    )
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
    p.set_defaults(func=lambda args: cmd_learn(args, replay_items, corrections, checks))
