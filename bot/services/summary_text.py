"""Render the pilot summary: Chinese text for administrators, and JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from bot import texts
from bot.services.summary import HotSpot, Summary
from classifier import RoutingConfig

TEXT_LIMIT = 4000
LIST_LIMIT = 12
OVERDUE_LIMIT = 15


@dataclass(frozen=True)
class Names:
    """Display names of topic and department codes (a code may be both, e.g. transport)."""

    topics: Mapping[str, str]
    departments: Mapping[str, str]

    @classmethod
    def from_config(cls, config: RoutingConfig) -> Names:
        """Take the names from a routing config."""
        return cls(
            topics={t.code: t.name for t in config.topics},
            departments={d.code: d.name for d in config.departments},
        )

    @classmethod
    def of(cls, names: Names | Mapping[str, str]) -> Names:
        """Accept Names, or one mapping used for topics and departments alike."""
        return names if isinstance(names, Names) else cls(topics=names, departments=names)

    def topic(self, code: str | None) -> str:
        """Return a topic's name, or the code when unknown."""
        return self.topics.get(code, code) if code else texts.SUMMARY_UNKNOWN_TOPIC

    def department(self, code: str | None) -> str:
        """Return a department's name, or the code when unknown."""
        return self.departments.get(code, code) if code else texts.SUMMARY_UNKNOWN_DEPARTMENT


def period_label(summary: Summary, template: str = texts.SUMMARY_PERIOD) -> str:
    """Show the period in local time; whole days show their last day inclusive."""
    start, end = summary.start.astimezone(summary.tz), summary.end.astimezone(summary.tz)
    midnight = {(t.hour, t.minute, t.second, t.microsecond) for t in (start, end)} == {(0, 0, 0, 0)}
    if midnight:
        return template.format(start=f"{start:%Y-%m-%d}", end=f"{end - timedelta(days=1):%Y-%m-%d}")
    return template.format(start=f"{start:%Y-%m-%d %H:%M}", end=f"{end:%Y-%m-%d %H:%M}")


def percent(rate: float | None) -> str:
    """Format a rate as a percentage with two decimals, or a dash."""
    return texts.SUMMARY_NO_VALUE if rate is None else f"{rate * 100:.2f}%"


def rates(summary: Summary) -> dict[str, tuple[float | None, int, int]]:
    """Return each rate with its numerator and denominator."""
    happy = summary.ratings.get("satisfied", 0) + summary.ratings.get("basic", 0)
    return {
        "response": (summary.response_rate, summary.ack_in_time, summary.ack_due),
        "resolution": (summary.resolution_rate, summary.closed, summary.received),
        "satisfaction": (summary.satisfaction_rate, happy, summary.rated),
    }


class RateRow(NamedTuple):
    """A rate in words: its name, value, numerator of denominator, and Suzhou's reference."""

    name: str
    value: str
    detail: str
    reference: str


def rate_rows(summary: Summary) -> list[RateRow]:
    """Return each rate in words, as the summary's text and the desk's page show it."""
    rows = []
    for key, (rate, part, whole) in rates(summary).items():
        detail = (
            texts.SUMMARY_RATE_EMPTY[key]
            if rate is None
            else texts.SUMMARY_RATE_DETAILS[key].format(part=part, whole=whole)
        )
        reference = percent(texts.SUMMARY_REFERENCES[key])
        rows.append(RateRow(texts.SUMMARY_RATE_NAMES[key], percent(rate), detail, reference))
    return rows


def ranked(counts: Mapping[str, int], name: Any) -> list[tuple[str, int]]:
    """Return (name, count) pairs, biggest first, the unknown last among equals."""
    order = sorted(counts.items(), key=lambda kv: (-kv[1], not kv[0], kv[0]))
    return [(str(name(key)), count) for key, count in order]


def counts_line(counts: Mapping[str, int], name: Any) -> str:
    """List `name count` pairs, biggest first, clipped to a few."""
    order = ranked(counts, name)
    shown = [texts.SUMMARY_COUNT.format(name=k, count=n) for k, n in order[:LIST_LIMIT]]
    if len(order) > LIST_LIMIT:
        shown.append(texts.SUMMARY_AND_MORE.format(count=len(order)))
    return texts.SUMMARY_SEPARATOR.join(shown)


def place_name(value: str) -> str:
    """Name a district, or say it was not recorded."""
    return value or texts.SUMMARY_UNKNOWN


def level_name(value: str) -> str:
    """Name a deputy level: 市 -> 市级; 全国 stays."""
    if not value:
        return texts.SUMMARY_UNKNOWN
    return value if value == texts.LEVELS[0] else texts.SUMMARY_LEVEL.format(level=value)


def hours_text(value: float | None) -> str:
    """Format hours, or a dash."""
    return texts.SUMMARY_NO_VALUE if value is None else texts.SUMMARY_HOURS.format(hours=value)


def _hot_line(kind: str, spot: HotSpot, name: str) -> str:
    """Describe one rising topic or district."""
    growth = (
        texts.SUMMARY_GROWTH_NEW
        if spot.growth is None
        else texts.SUMMARY_GROWTH.format(percent=round(spot.growth * 100))
    )
    return texts.SUMMARY_HOT_LINE.format(
        kind=texts.SUMMARY_HOT_KINDS[kind],
        name=name,
        current=spot.current,
        before=spot.before,
        growth=growth,
    )


def render_text(summary: Summary, names: Names | Mapping[str, str]) -> str:
    """Write the summary as a Chinese message for administrators (under 4,000 characters)."""
    names = Names.of(names)
    previous = (
        ""
        if summary.previous_received is None
        else texts.SUMMARY_PREVIOUS.format(count=summary.previous_received)
    )
    lines = [
        texts.SUMMARY_HEADER.format(period=period_label(summary)),
        texts.SUMMARY_RECEIVED.format(
            received=summary.received, previous=previous, closed=summary.closed
        ),
    ]
    if not summary.received:
        lines.append(texts.SUMMARY_EMPTY)
    lines.append(texts.SUMMARY_RATES)
    for rate in rate_rows(summary):
        lines.append(texts.SUMMARY_RATE.format(**rate._asdict()))
    lines.append(
        texts.SUMMARY_MEDIANS.format(
            ack=hours_text(summary.median_ack_hours), answer=hours_text(summary.median_answer_hours)
        )
    )
    for template, counts, name in (
        (texts.SUMMARY_BY_TOPIC, summary.by_topic, names.topic),
        (texts.SUMMARY_BY_DEPARTMENT, summary.by_department, names.department),
        (texts.SUMMARY_BY_DISTRICT, summary.by_district, place_name),
        (texts.SUMMARY_BY_LEVEL, summary.by_level, level_name),
    ):
        if counts:
            lines.append(template.format(counts=counts_line(counts, name)))
    lines.append("")
    lines.extend(_overdue_lines(summary, names))
    if summary.previous_received is not None:
        lines.append("")
        hot = [_hot_line("topic", s, names.topic(s.key)) for s in summary.hot_topics]
        hot += [_hot_line("district", s, s.key) for s in summary.hot_districts]
        lines.extend([texts.SUMMARY_HOT, *hot] if hot else [texts.SUMMARY_HOT_NONE])
    if summary.recurrences:
        lines.append("")
        lines.append(
            texts.SUMMARY_RECURRENCES.format(
                counts=counts_line(summary.recurrences, names.department)
            )
        )
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - len(texts.SUMMARY_CLIPPED)] + texts.SUMMARY_CLIPPED
    return text


def _overdue_lines(summary: Summary, names: Names) -> list[str]:
    """List the most overdue items first, clipped to a screenful."""
    if not summary.overdue:
        return [texts.SUMMARY_OVERDUE_NONE]
    lines = [texts.SUMMARY_OVERDUE.format(count=len(summary.overdue))]
    for item in summary.overdue[:OVERDUE_LIMIT]:
        lines.append(
            texts.SUMMARY_OVERDUE_LINE.format(
                no=item.tracking_no, department=names.department(item.department), hours=item.hours
            )
        )
    if len(summary.overdue) > OVERDUE_LIMIT:
        lines.append(texts.SUMMARY_OVERDUE_MORE.format(count=len(summary.overdue) - OVERDUE_LIMIT))
    return lines


def to_json(summary: Summary) -> dict[str, Any]:
    """Return the summary as JSON-ready data; rates are fractions, None when nothing counts."""
    return {
        "start": summary.start.isoformat(),
        "end": summary.end.isoformat(),
        "now": summary.now.isoformat(),
        "received": summary.received,
        "closed": summary.closed,
        "by_topic": dict(summary.by_topic),
        "by_department": dict(summary.by_department),
        "by_district": dict(summary.by_district),
        "by_level": dict(summary.by_level),
        "response_rate": summary.response_rate,
        "resolution_rate": summary.resolution_rate,
        "satisfaction_rate": summary.satisfaction_rate,
        "ack_due": summary.ack_due,
        "ack_in_time": summary.ack_in_time,
        "rated": summary.rated,
        "ratings": dict(summary.ratings),
        "median_ack_hours": summary.median_ack_hours,
        "median_answer_hours": summary.median_answer_hours,
        "overdue": [item.tracking_no for item in summary.overdue],
        "overdue_detail": [item._asdict() for item in summary.overdue],
        "hot_spots": {
            "topics": [spot._asdict() for spot in summary.hot_topics],
            "districts": [spot._asdict() for spot in summary.hot_districts],
        },
        "recurrences": dict(summary.recurrences),
        "previous_received": summary.previous_received,
    }
