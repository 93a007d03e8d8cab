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
    REACH_TELEGRAM,
    REACHES,
    Band,
    ConfigError,
    ConfigProblem,
    Department,
    RoutingConfig,
    Scoring,
    Thresholds,
    Topic,
)
from classifier.problems import KeyPath, ProblemCollector

KNOWN_TABLES = ("departments", "topics", "aliases", "thresholds", "scoring", "dictionary")
TOPIC_KEYS = (
    "code",
    "name",
    "department",
    "parent",
    "bias",
    "bias_short",
    "keywords",
    "learned",
    "learned_short",
    "negative",
)
KEYWORD_TABLES = ("keywords", "learned", "learned_short", "negative")
LEARNED_TABLES = ("learned", "learned_short")  # may share words with each other
BAND_KEYS = ("up_to", "min_score", "min_margin")
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
    for code, value in raw.items():
        if not _CODE.match(code):
            chk.add(("departments", code), "code must be lowercase ascii, e.g. housing")
        if isinstance(value, dict):
            department = _department_table(chk, code, value)
            if department is not None:
                out.append(department)
            continue
        if not isinstance(value, str) or not value.strip():
            chk.add(("departments", code), "name must be a non-empty string")
            continue
        out.append(Department(code, value.strip()))
    return tuple(out)


def _department_table(chk: ProblemCollector, code: str, raw: dict[str, Any]) -> Department | None:
    """Read `code = { name = "...", reach = "hotline" }` (reach: a string or a list)."""
    where = ("departments", code)
    for key in raw:
        if key not in ("name", "reach"):
            chk.add((*where, key), "unknown key (expected name, reach)")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        chk.add((*where, "name"), "name must be a non-empty string")
        return None
    reach = raw.get("reach", REACH_TELEGRAM)
    ways = [reach] if isinstance(reach, str) else reach
    if (
        not isinstance(ways, list)
        or not ways
        or any(way not in REACHES for way in ways)
        or len(set(ways)) != len(ways)
    ):
        chk.add((*where, "reach"), 'must be "telegram", "hotline" or ["telegram", "hotline"]')
        return None
    return Department(code, name.strip(), frozenset(ways))


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
        if norm in out:
            chk.add((*where, word), f"keyword {norm!r} listed twice in one topic")
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
    biases: dict[str, float | None] = {}
    for key in ("bias", "bias_short"):
        value = raw.get(key)
        finite = isinstance(value, int | float) and not isinstance(value, bool)
        if value is not None and not (finite and math.isfinite(value)):
            chk.add((*where, key), f"{key} must be a finite number, not {value!r}")
            value = None
        biases[key] = None if value is None else float(value)
    tables = {k: _keywords(chk, (*where, k), raw.get(k, {})) for k in KEYWORD_TABLES}
    seen: dict[str, str] = {}
    for table in KEYWORD_TABLES:
        for word in tables[table]:
            first = seen.setdefault(word, table)
            if first != table and not {first, table} <= set(LEARNED_TABLES):
                chk.add((*where, table, word), f"keyword {word!r} also listed in {first}")
    if not any(tables[k] for k in ("keywords", *LEARNED_TABLES)):
        chk.add(where, f"topic {values['code'] or i!r} is empty: it has no keywords")
    return Topic(
        code=values["code"],
        name=values["name"],
        department=values["department"],
        keywords=MappingProxyType(tables["keywords"]),
        learned=MappingProxyType(tables["learned"]),
        negative=MappingProxyType(tables["negative"]),
        parent=parent,
        bias=biases["bias"] or 0.0,
        learned_short=MappingProxyType(tables["learned_short"]),
        bias_short=biases["bias_short"],
    )


def _duplicates(chk: ProblemCollector) -> None:
    """Report every key given twice in one table, where tomllib stops at the first."""
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


def _whole(chk: ProblemCollector, keypath: KeyPath, value: float) -> int:
    """Check that a number is a whole number; report and round it otherwise."""
    if value != int(value):
        chk.add(keypath, f"must be a whole number of characters, not {value!r}")
    return int(value)


def _bands(chk: ProblemCollector, raw: Any) -> tuple[Band, ...]:
    """Read [thresholds].bands: an array of {up_to, min_score, min_margin}, shortest first."""
    where: KeyPath = ("thresholds", "bands")
    if not isinstance(raw, list):
        chk.add(where, "bands must be an array of { up_to = …, min_score = …, min_margin = … }")
        return ()
    bands: list[Band] = []
    for i, item in enumerate(raw):
        values = chk.table((*where, i), item, BAND_KEYS)
        missing = [k for k in BAND_KEYS if k not in values]
        if missing:
            chk.add((*where, i), f"band needs {', '.join(missing)}")
            continue
        low = {"up_to": 1.0, "min_score": 0.0, "min_margin": 0.0}
        number = {k: _number(chk, (*where, i, k), values[k], low=low[k]) for k in BAND_KEYS}
        if number["min_margin"] > 1.0:
            chk.add((*where, i, "min_margin"), f"must be at most 1, not {values['min_margin']!r}")
        up_to = _whole(chk, (*where, i, "up_to"), number["up_to"])
        if bands and up_to <= bands[-1].up_to:
            chk.add((*where, i, "up_to"), "bands must be listed shortest first")
        bands.append(Band(up_to, number["min_score"], number["min_margin"]))
    return tuple(bands)


def _thresholds(chk: ProblemCollector, raw: dict[str, Any]) -> Thresholds:
    """Read [thresholds]: min_score, min_margin and the optional length bands."""
    table = raw.get("thresholds", {})
    if not isinstance(table, dict):
        chk.add(("thresholds",), "must be a table")
        return Thresholds()
    bands = _bands(chk, table["bands"]) if "bands" in table else ()
    plain = {"thresholds": {k: v for k, v in table.items() if k != "bands"}}
    values = _table(
        chk, plain, "thresholds", {"min_score": 0.0, "min_margin": 0.0}, high={"min_margin": 1.0}
    )
    return Thresholds(bands=bands, **values)


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
    chk = ProblemCollector(path, text)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _duplicates(chk)
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
    thresholds = _thresholds(chk, raw)
    scoring = _table(
        chk,
        raw,
        "scoring",
        {"title_weight": 0.0, "temperature": 0.01, "length_norm": 0.0, "short_length": 0.0},
    )
    short_length = _whole(chk, ("scoring", "short_length"), scoring.pop("short_length", 0.0))
    words = _dictionary(chk, raw.get("dictionary", {}), path.parent)
    chk.raise_if_any()
    return RoutingConfig(
        source=path,
        departments=departments,
        topics=topics,
        aliases=MappingProxyType(aliases),
        thresholds=thresholds,
        scoring=Scoring(short_length=short_length, **scoring),
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
