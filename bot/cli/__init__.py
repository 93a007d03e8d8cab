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
    demo_parser.add_argument(
        "--serve",
        nargs="?",
        const=60.0,
        type=_seconds,
        metavar="SECONDS",
        help="keep the desk's web page open this long after the demo (default 60), Ctrl-C ends",
    )
    demo_parser.add_argument(
        "--port", type=_port, default=0, help="the local HTTP port (default: a free one)"
    )
    demo_parser.set_defaults(func=lambda args: demo(settings, serve=args.serve, port=args.port))
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


def demo(settings: Settings, *, serve: float | None = None, port: int = 0) -> int:
    """Run the offline demonstration (its own emulator and throw-away database)."""
    from bot.demo import run_offline
    from bot.runtime.lifecycle import EXIT_HTTP_UNAVAILABLE
    from bot.web.server import BindFailed

    try:
        return asyncio.run(run_offline(settings, serve=serve, port=port))
    except BindFailed as exc:
        print(f"deputybot: {exc}", file=sys.stderr)
        return EXIT_HTTP_UNAVAILABLE


def _seconds(value: str) -> float:
    """Parse a positive number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("give a number of seconds, e.g. 60") from None
    if not 0 < seconds <= 86400:
        raise argparse.ArgumentTypeError("give between 0 and 86400 seconds")
    return seconds


def _port(value: str) -> int:
    """Parse a TCP port (0 for a free one)."""
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError("give a port from 0 to 65535")
    return int(value)


if __name__ == "__main__":
    sys.exit(main())
