"""The `deputybot` console script."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import texts
from bot.db.migrate import SchemaBehind
from bot.settings import Settings, SettingsError, load_settings
from classifier import ConfigError


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"deputybot: {exc}", file=sys.stderr)
        return 2
    parser = build_parser(settings)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except SchemaBehind:
        print(texts.SCHEMA_BEHIND, file=sys.stderr)
        return 2


def build_parser(settings: Settings) -> argparse.ArgumentParser:
    """Build the parser with every subcommand."""
    from bot.cli import admin, apikey, export, health, jobs, members, summary
    from bot.cli.replay import stored_corrections, stored_items
    from bot.services.routing import deadline_check
    from classifier.cli import add_commands as add_classifier_commands

    parser = argparse.ArgumentParser(
        prog="deputybot",
        description=(
            "人大代表社情民意直通 12345 机器人。"
            "deputybot run 运行机器人（需要 TELEGRAM_BOT_TOKEN）；deputybot demo 离线演示。"
        ),
    )
    subparsers = parser.add_subparsers(dest="command")
    run_parser = subparsers.add_parser("run", help="run the bot (needs TELEGRAM_BOT_TOKEN)")
    run_parser.set_defaults(func=lambda args: run(settings))
    demo_parser = subparsers.add_parser(
        "demo", help="the offline demonstration against a local Bot API (no token needed)"
    )
    demo_parser.set_defaults(func=lambda args: demo(settings))
    admin.add_commands(subparsers, settings)
    members.add_commands(subparsers, settings)
    jobs.add_commands(subparsers, settings)
    summary.add_commands(subparsers, settings)
    export.add_commands(subparsers, settings)
    health.add_commands(subparsers, settings)
    apikey.add_commands(subparsers, settings)
    add_classifier_commands(
        subparsers,
        replay_items=lambda: stored_items(settings),
        corrections=lambda since: stored_corrections(settings, since),
        checks=[deadline_check(settings.tz, hotline=settings.hotline_configured)],
    )
    return parser


def run(settings: Settings) -> int:
    """Run the bot; without a token, stop with one line (never fall back to the demo)."""
    from bot.runtime.runner import configure_logging, run_polling

    if not settings.token:
        print(f"deputybot: {texts.RUN_NEEDS_TOKEN}", file=sys.stderr)
        return 2
    configure_logging(token=settings.token)
    return run_polling(settings)


def demo(settings: Settings) -> int:
    """Run the offline demonstration (its own emulator and throw-away database)."""
    from bot.demo import run_offline

    return asyncio.run(run_offline(settings))


if __name__ == "__main__":
    sys.exit(main())
