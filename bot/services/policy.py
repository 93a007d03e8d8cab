"""The deadline policy in force, rebuilt only when the routing file was swapped."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.services.deadlines import DeadlinePolicy
from classifier import ClassifierHolder, RoutingConfig


class PolicySource:
    """Builds the DeadlinePolicy from the current routing config, once per config."""

    def __init__(self, routing: ClassifierHolder, tz: ZoneInfo) -> None:
        self._routing = routing
        self._tz = tz
        self._config: RoutingConfig | None = None
        self._policy: DeadlinePolicy | None = None

    def current(self) -> DeadlinePolicy:
        """Return the policy for the routing config in service."""
        config = self._routing.current.config
        if self._policy is None or config is not self._config:
            self._policy = DeadlinePolicy.from_config(config, self._tz)
            self._config = config
        return self._policy


def deadline_check(tz: ZoneInfo) -> Callable[[RoutingConfig], object]:
    """Return a routing-file check that its deadline tables are valid (raises ConfigError)."""
    return lambda config: DeadlinePolicy.from_config(config, tz)
