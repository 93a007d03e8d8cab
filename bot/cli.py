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
    try:
        return run(settings) if func is None else int(func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except SchemaBehind:
        print(texts.SCHEMA_BEHIND, file=sys.stderr)
        return 2


def build_parser(settings: Settings) -> argparse.ArgumentParser:
    """Build the parser with every subcommand."""
    from bot import admin_cli, health_cli, jobs_cli, members_cli, summary_cli
    from bot.replay import stored_items
    from bot.services.policy import deadline_check
    from classifier.cli import add_commands as add_classifier_commands

    parser = argparse.ArgumentParser(
        prog="deputybot",
        description=(
            "人大代表社情民意直通 12345 机器人。"
            "不带参数运行机器人（未设置 TELEGRAM_BOT_TOKEN 时离线演示）。"
        ),
    )
    subparsers = parser.add_subparsers(dest="command")
    run_parser = subparsers.add_parser("run", help="run the bot (offline demo without a token)")
    run_parser.set_defaults(func=lambda args: run(settings))
    admin_cli.add_commands(subparsers, settings)
    members_cli.add_commands(subparsers, settings)
    jobs_cli.add_commands(subparsers, settings)
    summary_cli.add_commands(subparsers, settings)
    health_cli.add_commands(subparsers, settings)
    add_classifier_commands(
        subparsers,
        replay_items=lambda: stored_items(settings),
        checks=[deadline_check(settings.tz)],
    )
    return parser


def run(settings: Settings) -> int:
    """Run the bot for real with a token, else the offline demonstration."""
    from bot.runner import configure_logging, run_polling

    if settings.token:
        configure_logging(token=settings.token)
        return run_polling(settings)
    from bot.demo import run_offline

    return asyncio.run(run_offline(settings))


if __name__ == "__main__":
    sys.exit(main())
