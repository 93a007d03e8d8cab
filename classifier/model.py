"""Frozen value objects of the routing domain: departments, topics, config, routes, problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

EXTENSION_TABLES = ("deadlines", "urgency", "quiet_hours")


@dataclass(frozen=True)
class ConfigProblem:
    """One validation error, located by file, line and key."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        line = "" if self.line is None else str(self.line)
        return f"{self.file}:{line}: {self.key}: {self.message}"


class ConfigError(Exception):
    """Raised when a routing file fails validation; carries every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Department:
    """A government department that receives routed concerns."""

    code: str
    name: str


@dataclass(frozen=True)
class Topic:
    """A routing topic with its department and weighted keywords."""

    code: str
    name: str
    department: str
    keywords: Mapping[str, float] = field(default_factory=dict)
    learned: Mapping[str, float] = field(default_factory=dict)
    negative: Mapping[str, float] = field(default_factory=dict)
    parent: str | None = None
    bias: float = 0.0

    def all_keywords(self) -> dict[str, float]:
        """Return curated and learned keywords together (curated first)."""
        return {**self.learned, **self.keywords}


@dataclass(frozen=True)
class Thresholds:
    """Abstention thresholds: minimum top score, minimum lead over the runner-up (share of top)."""

    min_score: float = 2.0
    min_margin: float = 0.3


@dataclass(frozen=True)
class Scoring:
    """Scoring knobs: title multiplier, length normalisation, softmax temperature.

    length_norm: a message with more distinct words than this has every keyword's factor
    scaled by sqrt(length_norm / words), so long messages do not win on length alone
    (0 turns it off).
    """

    title_weight: float = 2.0
    temperature: float = 1.0
    length_norm: float = 0.0


@dataclass(frozen=True)
class RoutingConfig:
    """A validated routing file."""

    source: Path
    departments: tuple[Department, ...]
    topics: tuple[Topic, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    scoring: Scoring = field(default_factory=Scoring)
    words: tuple[str, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def department(self, code: str) -> Department | None:
        """Return the department with this code, if any."""
        return next((d for d in self.departments if d.code == code), None)

    def topic(self, code: str) -> Topic | None:
        """Return the topic with this code, if any."""
        return next((t for t in self.topics if t.code == code), None)

    def root(self, code: str) -> str:
        """Return the code of the top-level ancestor of a topic."""
        seen: set[str] = set()
        topic = self.topic(code)
        while topic is not None and topic.parent and topic.code not in seen:
            seen.add(topic.code)
            code = topic.parent
            topic = self.topic(code)
        return code

    def resolve_label(self, label: str) -> str | None:
        """Map an outside label (topic code, topic name or alias) to a topic code."""
        label = label.strip()
        for topic in self.topics:
            if label in (topic.code, topic.name):
                return topic.code
        return self.aliases.get(label)


@dataclass(frozen=True)
class Route:
    """The outcome of classifying one concern."""

    topic: str
    department: str
    confidence: float
    matched: tuple[tuple[str, float], ...]
    runner_up: str | None
    abstained: bool
