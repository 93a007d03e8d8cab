"""What the administrator commands share: where the routing file is, loading it loudly."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from classifier import SHIPPED_ROUTING
from classifier.engine import Classifier
from classifier.holder import Check, load_checked
from classifier.model import ConfigError

ReplayItems = Callable[[], Iterable[tuple[str, str, str]]]


def routing_path() -> Path:
    """Return the configured routing file: $DEPUTYBOT_ROUTING or the shipped one."""
    return Path(os.environ.get("DEPUTYBOT_ROUTING") or SHIPPED_ROUTING)


def load_or_report(path: Path, checks: Sequence[Check] = ()) -> Classifier | None:
    """Load a classifier, printing every problem to stderr on failure."""
    try:
        return load_checked(path, checks)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None
