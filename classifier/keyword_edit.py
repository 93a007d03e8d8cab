"""Add, reweigh or remove one keyword of a topic in a routing file's text, keeping its layout."""

from __future__ import annotations

from classifier.loader import normalise_keyword
from classifier.model import RoutingConfig, Topic
from classifier.render import LEARNED_TABLES, toml_key
from classifier.tomllines import scan


class EditError(ValueError):
    """The edit names no topic, or a keyword the topic does not have."""


def find_topic(config: RoutingConfig, name: str) -> tuple[int, Topic]:
    """Return a topic's position and itself, by its code or name."""
    for position, topic in enumerate(config.topics):
        if name.strip() in (topic.code, topic.name):
            return position, topic
    raise EditError(f"no topic {name!r}")


def set_keyword(text: str, config: RoutingConfig, topic: str, word: str, weight: float) -> str:
    """Give a topic a curated keyword with this weight (added, or its weight changed).

    A word the topic had learned becomes curated: it leaves the learned tables.
    """
    position, _ = find_topic(config, topic)
    word = normalise_keyword(word)
    if not word:
        raise EditError("the keyword is empty")
    text = _without(text, position, word, LEARNED_TABLES)
    lines = text.splitlines()
    table = ("topics", position, "keywords")
    rendered = f"{toml_key(word)} = {weight:g}"
    found = scan(text)
    entries = [e for e in found.entries if e.table == table]
    current = [e for e in entries if normalise_keyword(e.key) == word]
    if current:
        lines[current[0].line - 1 : current[0].end] = [rendered]
    elif entries:
        at = max(e.end for e in entries)
        lines[at:at] = [rendered]
    else:
        at = _table_end(text, position)
        lines[at:at] = ["[topics.keywords]", rendered]
    return "\n".join(lines) + "\n"


def remove_keyword(text: str, config: RoutingConfig, topic: str, word: str) -> str:
    """Remove a keyword from a topic: from its curated and its learned tables."""
    position, found_topic = find_topic(config, topic)
    word = normalise_keyword(word)
    edited = _without(text, position, word, ("keywords", *LEARNED_TABLES))
    if edited == text:
        raise EditError(f"topic {found_topic.name} has no keyword {word!r}")
    return edited


def _without(text: str, position: int, word: str, tables: tuple[str, ...]) -> str:
    """Return the text without the word's lines in these tables of the topic."""
    paths = {("topics", position, name) for name in tables}
    doomed = [
        entry
        for entry in scan(text).entries
        if entry.table in paths and normalise_keyword(entry.key) == word
    ]
    if not doomed:
        return text
    lines = text.splitlines()
    for entry in sorted(doomed, key=lambda e: e.line, reverse=True):
        lines[entry.line - 1 : entry.end] = []
    return "\n".join(lines) + "\n"


def _table_end(text: str, position: int) -> int:
    """Return the line index just after the plain keys of the topic's [[topics]] entry."""
    found = scan(text)
    header = next(h.line for h in found.headers if h.path == ("topics", position) and h.is_array)
    own = [e.end for e in found.entries if e.table == ("topics", position)]
    return max(own, default=header)
