"""The routing in force, loaded, validated and swapped as one: topics, departments, deadlines."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot.services.deadlines import DeadlinePolicy
from classifier import Classifier, ConfigError, Holder, Route, RoutingConfig, load
from classifier.problems import ProblemCollector


@dataclass(frozen=True)
class Routing:
    """One routing file's classifier and deadline policy (urgency words, quiet hours)."""

    classifier: Classifier
    policy: DeadlinePolicy

    @property
    def config(self) -> RoutingConfig:
        """Return the routing file's content."""
        return self.classifier.config

    @property
    def departments(self) -> Mapping[str, str]:
        """Return department names by code."""
        return MappingProxyType({d.code: d.name for d in self.config.departments})

    def classify(self, text: str, title: str = "") -> Route:
        """Route a text."""
        return self.classifier.classify(text, title)


RoutingHolder = Holder[Routing]
HOTLINE_NOT_CONFIGURED = (
    "the department is reached by the 12345 platform, but DEPUTYBOT_HOTLINE_URL, "
    "DEPUTYBOT_HOTLINE_APP_ID and DEPUTYBOT_HOTLINE_SECRET are not all set"
)


def load_routing(path: Path, tz: ZoneInfo, *, hotline: bool = False) -> Routing:
    """Load a routing file and its deadline tables; every problem of both in one ConfigError.

    `hotline` says whether the 12345 platform is configured; without it a department
    reached by `hotline` is a problem.
    """
    classifier = load(path)
    try:
        policy = DeadlinePolicy.from_config(classifier.config, tz)
    except ConfigError as exc:
        raise ConfigError(exc.problems) from None
    if not hotline:
        check_hotline_reachable(classifier.config)
    return Routing(classifier, policy)


def check_hotline_reachable(config: RoutingConfig) -> None:
    """Refuse departments reached by `hotline` when the 12345 platform is not configured."""
    if not any(department.hotline for department in config.departments):
        return
    chk = ProblemCollector(config.source, _text_of(config.source))
    for department in config.departments:
        if department.hotline:
            chk.add(("departments", department.code, "reach"), HOTLINE_NOT_CONFIGURED)
    chk.raise_if_any()


def _text_of(path: Path) -> str:
    """Return a file's text, or nothing when it cannot be read any more."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def routing_holder(path: str | Path, tz: ZoneInfo, *, hotline: bool = False) -> RoutingHolder:
    """Load the routing file into a holder that /reload and the file watcher swap."""
    return Holder(path, lambda source: load_routing(source, tz, hotline=hotline))


def deadline_check(tz: ZoneInfo, *, hotline: bool = False) -> Callable[[RoutingConfig], object]:
    """Return a check-config check of the deadline tables and of the departments' reach."""

    def check(config: RoutingConfig) -> None:
        DeadlinePolicy.from_config(config, tz)
        if not hotline:
            check_hotline_reachable(config)

    return check
