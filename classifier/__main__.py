"""Run the classifier's administrator commands: python -m classifier COMMAND ..."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from classifier.cli import add_commands


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one command."""
    parser = argparse.ArgumentParser(prog="python -m classifier")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
