"""Read and validate a routing file into a frozen RoutingConfig."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any

from classifier.model import (
    EXTENSION_TABLES,
    ConfigError,
    ConfigProblem,
    Department,
    RoutingConfig,
    Scoring,
    Thresholds,
    Topic,
)
from classifier.problems import KeyPath, ProblemCollector
from classifier.tomllines import scan

KNOWN_TABLES = ("departments", "topics", "aliases", "thresholds", "scoring", "dictionary")
TOPIC_KEYS = ("code", "name", "department", "parent", "bias", "keywords", "learned", "negative")
KEYWORD_TABLES = ("keywords", "learned", "negative")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def normalise_keyword(word: str) -> str:
    """Return the form a keyword is matched in: stripped and lower-cased."""
    return word.strip().lower()


def _number(chk: ProblemCollector, keypath: KeyPath, value: Any, *, low: float) -> float:
    """Check a finite number >= low; report and return low otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        chk.add(keypath, f"weight must be a number, not {value!r}")
        return low
    if not math.isfinite(value) or value < low:
        chk.add(keypath, f"must be a finite number >= {low:g}, not {value!r}")
        return low
    return float(value)


def _departments(chk: ProblemCollector, raw: Any) -> tuple[Department, ...]:
    if not isinstance(raw, dict) or not raw:
        chk.add(("departments",), "must be a table of code = name")
        return ()
    out = []
    for code, name in raw.items():
        if not _CODE.match(code):
            chk.add(("departments", code), "code must be lowercase ascii, e.g. housing")
        if not isinstance(name, str) or not name.strip():
            chk.add(("departments", code), "name must be a non-empty string")
            continue
        out.append(Department(code, name.strip()))
    return tuple(out)


def _keywords(chk: ProblemCollector, where: KeyPath, raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        chk.add(where, "must be a table of keyword = weight")
        return {}
    out: dict[str, float] = {}
    for word, weight in raw.items():
        norm = normalise_keyword(word)
        if not norm:
            chk.add((*where, word), "keyword is empty")
            continue
        value = _number(chk, (*where, word), weight, low=0.0)
        out[norm] = value
    return out


def _topic(chk: ProblemCollector, i: int, raw: Any, departments: set[str]) -> Topic | None:
    where: KeyPath = ("topics", i)
    if not isinstance(raw, dict):
        chk.add(where, "each topic must be a table")
        return None
    chk.unknown_keys(where, raw, TOPIC_KEYS, f"one of {', '.join(TOPIC_KEYS)}")
    values = {}
    for key in ("code", "name", "department"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            chk.add((*where, key), f"{key} is required and must be a non-empty string")
            value = ""
        values[key] = value.strip()
    if values["code"] and not _CODE.match(values["code"]):
        chk.add((*where, "code"), "code must be lowercase ascii, e.g. urban_rural")
    if values["department"] and values["department"] not in departments:
        chk.add((*where, "department"), f"unknown department {values['department']!r}")
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        chk.add((*where, "parent"), "parent must be a topic code")
        parent = None
    bias = raw.get("bias", 0.0)
    if isinstance(bias, bool) or not isinstance(bias, int | float) or not math.isfinite(bias):
        chk.add((*where, "bias"), f"bias must be a finite number, not {bias!r}")
        bias = 0.0
    tables = {k: _keywords(chk, (*where, k), raw.get(k, {})) for k in KEYWORD_TABLES}
    seen: dict[str, str] = {}
    for table in KEYWORD_TABLES:
        for word in tables[table]:
            if word in seen and seen[word] != table:
                chk.add((*where, table, word), f"keyword {word!r} also listed in {seen[word]}")
            seen.setdefault(word, table)
    if not tables["keywords"] and not tables["learned"]:
        chk.add(where, f"topic {values['code'] or i!r} is empty: it has no keywords")
    return Topic(
        code=values["code"],
        name=values["name"],
        department=values["department"],
        keywords=MappingProxyType(tables["keywords"]),
        learned=MappingProxyType(tables["learned"]),
        negative=MappingProxyType(tables["negative"]),
        parent=parent,
        bias=float(bias),
    )


def _duplicates(chk: ProblemCollector) -> None:
    """Report keys given twice in one table, which tomllib only reports one at a time."""
    seen: set[tuple[KeyPath, str]] = set()
    for entry in chk.lines.entries:
        keyword = len(entry.table) == 3 and entry.table[2] in KEYWORD_TABLES
        key = normalise_keyword(entry.key) if keyword else entry.key
        if (entry.table, key) in seen:
            what = f"keyword {key!r} listed twice in one topic" if keyword else "key given twice"
            chk.add((*entry.table, entry.key), what, entry.line)
        seen.add((entry.table, key))


def _topics(chk: ProblemCollector, raw: Any, departments: set[str]) -> tuple[Topic, ...]:
    if not isinstance(raw, list) or not raw:
        chk.add(("topics",), "must be a non-empty array of [[topics]] tables")
        return ()
    topics: list[Topic] = []
    codes: set[str] = set()
    for i, item in enumerate(raw):
        topic = _topic(chk, i, item, departments)
        if topic is None:
            continue
        if topic.code and topic.code in codes:
            chk.add(("topics", i, "code"), f"duplicate topic code {topic.code!r}")
        codes.add(topic.code)
        topics.append(topic)
    for i, topic in enumerate(topics):
        if topic.parent is not None and topic.parent not in codes:
            chk.add(("topics", i, "parent"), f"unknown parent topic {topic.parent!r}")
    return tuple(topics)


def _aliases(chk: ProblemCollector, raw: Any, codes: set[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        chk.add(("aliases",), "must be a table of label = topic code")
        return {}
    for label, code in raw.items():
        if not isinstance(code, str) or code not in codes:
            chk.add(("aliases", label), f"alias points to unknown topic {code!r}")
    return {k: v for k, v in raw.items() if isinstance(v, str)}


def _table(
    chk: ProblemCollector,
    raw: dict[str, Any],
    name: str,
    keys: dict[str, float],
    high: dict[str, float] | None = None,
) -> dict[str, float]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        chk.add((name,), "must be a table")
        return {}
    out = {}
    for key, value in table.items():
        if key not in keys:
            chk.add((name, key), f"unknown key (expected one of {', '.join(keys)})")
            continue
        out[key] = _number(chk, (name, key), value, low=keys[key])
        if high and key in high and out[key] > high[key]:
            chk.add((name, key), f"must be at most {high[key]:g}, not {value!r}")
    return out


def _dictionary(chk: ProblemCollector, raw: Any, base: Path) -> tuple[str, ...]:
    if not isinstance(raw, dict):
        chk.add(("dictionary",), "must be a table with file and/or words")
        return ()
    words: list[str] = []
    file = raw.get("file")
    if file is not None:
        target = base / str(file)
        if not isinstance(file, str) or not target.is_file():
            chk.add(("dictionary", "file"), f"user dictionary not found: {target}")
        else:
            for line in target.read_text(encoding="utf-8").splitlines():
                word = line.split("#", 1)[0].split()
                if word:
                    words.append(word[0])
    inline = raw.get("words", [])
    if not isinstance(inline, list) or not all(isinstance(w, str) for w in inline):
        chk.add(("dictionary", "words"), "words must be an array of strings")
    else:
        words.extend(w.strip() for w in inline if w.strip())
    chk.unknown_keys(("dictionary",), raw, ("file", "words"), "file or words")
    return tuple(dict.fromkeys(words))


def parse_config(text: str, path: Path) -> RoutingConfig:
    """Validate routing TOML text; raise ConfigError listing every problem."""
    chk = ProblemCollector(path, scan(text))
    _duplicates(chk)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if not chk.problems:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
            chk.note("(syntax)", str(exc), line)
        raise ConfigError(chk.problems) from exc
    for key in raw:
        if key not in KNOWN_TABLES and key not in EXTENSION_TABLES:
            chk.add((key,), "unknown top-level key")
    departments = _departments(chk, raw.get("departments"))
    topics = _topics(chk, raw.get("topics"), {d.code for d in departments})
    aliases = _aliases(chk, raw.get("aliases", {}), {t.code for t in topics})
    thresholds = _table(
        chk, raw, "thresholds", {"min_score": 0.0, "min_margin": 0.0}, high={"min_margin": 1.0}
    )
    scoring = _table(
        chk, raw, "scoring", {"title_weight": 0.0, "temperature": 0.01, "length_norm": 0.0}
    )
    words = _dictionary(chk, raw.get("dictionary", {}), path.parent)
    chk.raise_if_any()
    return RoutingConfig(
        source=path,
        departments=departments,
        topics=topics,
        aliases=MappingProxyType(aliases),
        thresholds=Thresholds(**thresholds),
        scoring=Scoring(**scoring),
        words=words,
        extensions=MappingProxyType({k: raw[k] for k in EXTENSION_TABLES if k in raw}),
    )


def load_config(path: str | Path) -> RoutingConfig:
    """Read and validate a routing file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(str(path), None, "(file)", str(exc))]) from exc
    return parse_config(text, path)
