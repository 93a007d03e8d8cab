"""The routing in force, loaded, validated and swapped as one: topics, departments, deadlines."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot.services.deadlines import DeadlinePolicy
from classifier import Classifier, ConfigError, Holder, Route, RoutingConfig, load


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


def load_routing(path: Path, tz: ZoneInfo) -> Routing:
    """Load a routing file and its deadline tables; every problem of both in one ConfigError."""
    classifier = load(path)
    try:
        policy = DeadlinePolicy.from_config(classifier.config, tz)
    except ConfigError as exc:
        raise ConfigError(exc.problems) from None
    return Routing(classifier, policy)


def routing_holder(path: str | Path, tz: ZoneInfo) -> RoutingHolder:
    """Load the routing file into a holder that /reload and the file watcher swap."""
    return Holder(path, lambda source: load_routing(source, tz))


def deadline_check(tz: ZoneInfo) -> Callable[[RoutingConfig], object]:
    """Return a check-config check that a routing file's deadline tables are valid."""
    return lambda config: DeadlinePolicy.from_config(config, tz)
