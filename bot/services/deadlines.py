"""The deadline policy: 签收 and 答复 deadlines, urgency keywords and quiet hours."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.services.workdays import (
    SHANGHAI,
    Duration,
    Unit,
    WorkCalendar,
    parse_duration,
    require_aware,
)
from classifier.model import RoutingConfig
from classifier.problems import ProblemCollector

URGENCIES: Mapping[str, bool] = MappingProxyType({"普通": False, "紧急": True})
Step = Literal["acknowledge", "answer"]
STEPS: tuple[Step, ...] = ("acknowledge", "answer")
DEFAULT_DEADLINES: Mapping[str, Mapping[bool, Duration]] = MappingProxyType(
    {
        "acknowledge": MappingProxyType(
            {False: Duration(24, Unit.HOURS), True: Duration(2, Unit.HOURS)}
        ),
        "answer": MappingProxyType(
            {False: Duration(5, Unit.WORKDAYS), True: Duration(2, Unit.HOURS)}
        ),
    }
)
DEFAULT_KEYWORDS = (
    "停水", "停电", "停气", "燃气泄漏", "煤气泄漏", "漏燃气", "火灾", "起火", "着火", "爆炸",
    "塌方", "坍塌", "倒塌", "滑坡", "泥石流", "洪水", "内涝", "触电", "中毒", "被困",
)  # fmt: skip
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")

Steps = Mapping[str, Mapping[bool, Duration]]


@dataclass(frozen=True)
class QuietHours:
    """A daily local window without notifications; start == end means no quiet hours."""

    start: time = time(22, 0)
    end: time = time(8, 0)
    tz: ZoneInfo = SHANGHAI

    def contains(self, moment: datetime) -> bool:
        """Tell whether an aware moment falls in the window (start included, end excluded)."""
        require_aware(moment)
        clock = moment.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= clock < self.end
        if self.start > self.end:
            return clock >= self.start or clock < self.end
        return False

    def release(self, moment: datetime) -> datetime:
        """Return the moment itself outside quiet hours, else the window's next end; in UTC."""
        if not self.contains(moment):
            return moment.astimezone(UTC)
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time().replace(tzinfo=None) >= self.end:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)


@dataclass(frozen=True, eq=False)
class DeadlinePolicy:
    """Deadlines by step, urgency and topic; urgency keywords; quiet hours."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    quiet: QuietHours = field(default_factory=QuietHours)
    deadlines: Steps = field(default_factory=lambda: DEFAULT_DEADLINES)
    topics: Mapping[str, Steps] = field(default_factory=lambda: MappingProxyType({}))
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS

    @classmethod
    def from_config(
        cls, config: RoutingConfig, tz: ZoneInfo, *, text: str | None = None
    ) -> DeadlinePolicy:
        """Build the policy from [deadlines], [urgency] and [quiet_hours]; raise ConfigError."""
        if text is None:
            try:
                text = config.source.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
        return _Reader(config, text).policy(tz)

    def is_urgent(self, text: str) -> bool:
        """Tell whether a concern's text contains an urgency keyword."""
        folded = text.casefold()
        return any(word in folded for word in self.keywords)

    def duration(self, step: Step, topic: str | None, urgent: bool) -> Duration:
        """Return the duration of a step ("acknowledge" or "answer") for a topic and urgency."""
        steps = self.topics.get(topic, self.deadlines) if topic is not None else self.deadlines
        return steps[step][urgent]

    def acknowledge_due(self, start: datetime, topic: str | None, urgent: bool) -> datetime:
        """Return when an item received at start must be acknowledged (签收), in UTC."""
        return self.calendar.add(start, self.duration("acknowledge", topic, urgent))

    def answer_due(self, start: datetime, topic: str | None, urgent: bool) -> datetime:
        """Return when an item received at start must be answered (答复), in UTC."""
        return self.calendar.add(start, self.duration("answer", topic, urgent))

    def extension(self, start: datetime, topic: str | None, urgent: bool) -> datetime:
        """Return the new answer deadline of an approved 延期: a full answer period from start."""
        return self.answer_due(start, topic, urgent)


class _Reader:
    """Validate the extension tables of one routing file, collecting every problem."""

    def __init__(self, config: RoutingConfig, text: str) -> None:
        self.config = config
        self.check = ProblemCollector(config.source, text)

    def policy(self, tz: ZoneInfo) -> DeadlinePolicy:
        ext = self.config.extensions
        raw = self.check.table(
            ("deadlines",), ext.get("deadlines", {}), (*STEPS, "topics", "office_hours")
        )
        deadlines = _merge(DEFAULT_DEADLINES, self.steps(("deadlines",), raw))
        topics = self.topics(raw.get("topics", {}), deadlines)
        office = self.check.table(
            ("deadlines", "office_hours"), raw.get("office_hours", {}), ("start", "end")
        )
        office_start = self.clock(("deadlines", "office_hours", "start"), office, time(9, 0))
        office_end = self.clock(("deadlines", "office_hours", "end"), office, time(18, 0))
        if office_start >= office_end:
            self.check.add(("deadlines", "office_hours"), "office hours must start before they end")
            office_start, office_end = time(9, 0), time(18, 0)
        urgency = self.check.table(("urgency",), ext.get("urgency", {}), ("keywords",))
        keywords = self.keywords(urgency)
        quiet = self.check.table(("quiet_hours",), ext.get("quiet_hours", {}), ("start", "end"))
        quiet_hours = QuietHours(
            self.clock(("quiet_hours", "start"), quiet, time(22, 0)),
            self.clock(("quiet_hours", "end"), quiet, time(8, 0)),
            tz,
        )
        self.check.raise_if_any()
        calendar = WorkCalendar(tz, office_start=office_start, office_end=office_end)
        return DeadlinePolicy(calendar, quiet_hours, deadlines, topics, keywords)

    def steps(self, where: tuple[str, ...], raw: dict[str, Any]) -> dict[str, dict[bool, Duration]]:
        out: dict[str, dict[bool, Duration]] = {}
        for step in STEPS:
            value = raw.get(step)
            if isinstance(value, str):
                value = dict.fromkeys(URGENCIES, value)
            elif value is not None and not isinstance(value, dict):
                self.check.add(
                    (*where, step), 'must be a duration like "24h" or a table by urgency'
                )
                value = None
            for name, text in (value or {}).items():
                if name not in URGENCIES:
                    self.check.add(
                        (*where, step, name), f"unknown urgency (expected {' or '.join(URGENCIES)})"
                    )
                    continue
                try:
                    out.setdefault(step, {})[URGENCIES[name]] = parse_duration(text)
                except ValueError as exc:
                    self.check.add((*where, step, name), str(exc))
        return out

    def topics(self, raw: Any, deadlines: Steps) -> Mapping[str, Steps]:
        if not isinstance(raw, dict):
            self.check.add(("deadlines", "topics"), "must be a table of [deadlines.topics.<code>]")
            return MappingProxyType({})
        known = {t.code for t in self.config.topics}
        overrides: dict[str, dict[str, dict[bool, Duration]]] = {}
        for code, table in raw.items():
            where = ("deadlines", "topics", code)
            if code not in known:
                self.check.add(where, f"unknown topic code (known: {', '.join(sorted(known))})")
                continue
            overrides[code] = self.steps(where, self.check.table(where, table, STEPS))
        out: dict[str, Steps] = {}
        for topic in self.config.topics:
            chain = [topic.code]
            node = self.config.topic(chain[-1])
            while node is not None and node.parent and node.parent not in chain:
                chain.append(node.parent)
                node = self.config.topic(node.parent)
            if any(code in overrides for code in chain):
                steps = deadlines
                for code in reversed(chain):
                    steps = _merge(steps, overrides.get(code, {}))
                out[topic.code] = steps
        return MappingProxyType(out)

    def clock(self, keypath: tuple[str, ...], raw: dict[str, Any], default: time) -> time:
        value = raw.get(keypath[-1])
        if value is None:
            return default
        if isinstance(value, time) and value.tzinfo is None:
            return value
        match = _HHMM.match(value) if isinstance(value, str) else None
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            return time(int(match.group(1)), int(match.group(2)))
        self.check.add(keypath, f'must be a time of day like "22:00", not {value!r}')
        return default

    def keywords(self, raw: dict[str, Any]) -> tuple[str, ...]:
        value = raw.get("keywords")
        if value is None:
            return DEFAULT_KEYWORDS
        if not isinstance(value, list):
            self.check.add(
                ("urgency", "keywords"), f'must be a list like ["停水", "火灾"], not {value!r}'
            )
            return DEFAULT_KEYWORDS
        words: list[str] = []
        for index, word in enumerate(value):
            if not isinstance(word, str) or not word.strip():
                self.check.add(
                    ("urgency", "keywords", index), f"must be a non-empty word, not {word!r}"
                )
                continue
            words.append(word.strip().casefold())
        return tuple(dict.fromkeys(words))


def _merge(base: Steps, override: Mapping[str, Mapping[bool, Duration]]) -> Steps:
    """Return base with the durations given in override replaced."""
    return MappingProxyType(
        {step: MappingProxyType({**base[step], **override.get(step, {})}) for step in STEPS}
    )
