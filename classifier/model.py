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


REACH_TELEGRAM = "telegram"
REACH_HOTLINE = "hotline"
REACHES = (REACH_TELEGRAM, REACH_HOTLINE)


@dataclass(frozen=True)
class Department:
    """A government department that receives routed concerns, and how it is reached.

    reach: "telegram" (its handlers work in the bot), "hotline" (the 12345 platform handles
    its items through the connector), or both (the platform handles them and the
    department's people in Telegram still get their cards, reminders and 督办).
    """

    code: str
    name: str
    reach: frozenset[str] = frozenset({REACH_TELEGRAM})

    @property
    def hotline(self) -> bool:
        """Tell whether the 12345 platform handles this department's items."""
        return REACH_HOTLINE in self.reach

    @property
    def telegram(self) -> bool:
        """Tell whether the department's people work in the bot."""
        return REACH_TELEGRAM in self.reach


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
    learned_short: Mapping[str, float] = field(default_factory=dict)
    bias_short: float | None = None

    def all_keywords(self) -> dict[str, float]:
        """Return curated and learned keywords together (curated first)."""
        return {**self.learned, **self.keywords}

    def short_keywords(self) -> dict[str, float]:
        """Return curated keywords and those learned for short messages (curated first)."""
        return {**self.learned_short, **self.keywords}

    def bias_for(self, short: bool) -> float:
        """Return the bias added to this topic's score of a short or a long message."""
        return self.bias_short if short and self.bias_short is not None else self.bias


@dataclass(frozen=True)
class Band:
    """Abstention thresholds for messages of at most up_to characters."""

    up_to: int
    min_score: float
    min_margin: float


@dataclass(frozen=True)
class Thresholds:
    """Abstention thresholds: minimum top score, minimum lead over the runner-up (share of top).

    bands, shortest first, give other thresholds to messages of at most so many characters;
    min_score and min_margin hold for longer messages.
    """

    min_score: float = 2.0
    min_margin: float = 0.3
    bands: tuple[Band, ...] = ()

    def for_length(self, length: int) -> tuple[float, float]:
        """Return (min_score, min_margin) for a message of this many characters."""
        for band in self.bands:
            if length <= band.up_to:
                return band.min_score, band.min_margin
        return self.min_score, self.min_margin


@dataclass(frozen=True)
class Scoring:
    """Scoring knobs: title multiplier, length normalisation, softmax temperature.

    length_norm: a message with more distinct words than this has every keyword's factor
    scaled by sqrt(length_norm / words), so long messages do not win on length alone
    (0 turns it off).
    short_length: a message of at most this many characters is scored with the topics'
    learned_short keywords and bias_short (0: every message uses learned and bias).
    """

    title_weight: float = 2.0
    temperature: float = 1.0
    length_norm: float = 0.0
    short_length: int = 0


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

    def on_hotline(self, code: str | None) -> bool:
        """Tell whether the department with this code is handled by the 12345 platform."""
        department = self.department(code) if code else None
        return department is not None and department.hotline

    def in_telegram(self, code: str | None) -> bool:
        """Tell whether the department with this code works in the bot (unknown codes do)."""
        department = self.department(code) if code else None
        return department is None or department.telegram

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
class Suggestion:
    """One topic a concern may belong to: where it would go and how strongly it scored.

    confidence is the topic's softmax share of all topic scores (0..1), score its raw
    routing score (keyword-weight units).
    """

    topic: str
    department: str
    confidence: float
    score: float


@dataclass(frozen=True)
class Route:
    """The outcome of classifying one concern.

    suggestions ranks the topics that any keyword of the message points to, best first (at
    most SUGGESTIONS of them); the first is topic itself. An unsure card offers them.
    """

    topic: str
    department: str
    confidence: float
    matched: tuple[tuple[str, float], ...]
    runner_up: str | None
    abstained: bool
    suggestions: tuple[Suggestion, ...] = ()
