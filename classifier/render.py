"""Write learned keywords into a routing file's text, keeping everything hand-written as is."""

from __future__ import annotations

import json
from collections.abc import Mapping

from classifier.learn import Learned
from classifier.model import RoutingConfig, Thresholds
from classifier.tomllines import Path_, scan

NOTE = "# learned by `deputybot learn`"
LEARNED_TABLES = ("learned", "learned_short")


def toml_key(word: str) -> str:
    """Quote a keyword as a TOML basic-string key."""
    return json.dumps(word, ensure_ascii=False)


def render_table(header: str, weights: Mapping[str, float]) -> list[str]:
    """Render one keyword table, strongest first."""
    ordered = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return [header, *(f"{toml_key(word)} = {weight:g}" for word, weight in ordered)]


def render_thresholds(thresholds: Thresholds) -> dict[str, list[str]]:
    """Render the [thresholds] keys learning sets, one list of lines per key."""
    bands = [
        f"    {{ up_to = {b.up_to}, min_score = {b.min_score:g}, min_margin = {b.min_margin:g} }},"
        for b in thresholds.bands
    ]
    return {
        "min_score": [f"min_score = {thresholds.min_score:g}"],
        "min_margin": [f"min_margin = {thresholds.min_margin:g}"],
        "bands": ["bands = [", *bands, "]"],
    }


def _region_end(lines: list[str], starts: list[int], after: int) -> int:
    """Return where a table ends: before the next header and the comments leading to it."""
    end = min([s for s in starts if s > after] + [len(lines)])
    while end > after + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return end


def _strip_learned(lines: list[str]) -> list[str]:
    """Remove every learned keyword table of a topic, and its note."""
    found = scan("\n".join(lines))
    starts = [h.line - 1 for h in found.headers]
    regions = []
    for header in found.headers:
        path = header.path
        if len(path) == 3 and path[0] == "topics" and path[2] in LEARNED_TABLES:
            begin = header.line - 1
            end = _region_end(lines, starts, begin)
            if begin > 0 and lines[begin - 1].startswith(NOTE):
                begin -= 1
            while begin > 0 and not lines[begin - 1].strip():
                begin -= 1
            regions.append((begin, end))
    for begin, end in reversed(regions):
        lines[begin:end] = []
    return lines


def _set(lines: list[str], table: Path_, key: str, rendered: list[str]) -> None:
    """Replace a key's line(s) in a table, add them at its end, or add the table before topics."""
    found = scan("\n".join(lines))
    entries = [e for e in found.entries if e.table == table]
    current = [e for e in entries if e.key == key]
    if current:
        lines[current[0].line - 1 : current[0].end] = rendered
        return
    if entries:
        at = max(e.end for e in entries)
        lines[at:at] = rendered
        return
    header = next((h.line for h in found.headers if h.path == table), None)
    if header is not None:
        lines[header:header] = rendered
        return
    topics = [h.line - 1 for h in found.headers if h.path[:1] == ("topics",)]
    at = min(topics, default=len(lines))
    lines[at:at] = [f"[{'.'.join(str(p) for p in table)}]", *rendered, ""]


def _set_values(lines: list[str], config: RoutingConfig, learned: Learned) -> None:
    """Write each learned topic's biases, the thresholds and short_length."""
    for i, topic in enumerate(config.topics):
        for key, values in (("bias", learned.bias), ("bias_short", learned.short_bias)):
            if topic.code in values:
                _set(lines, ("topics", i), key, [f"{key} = {values[topic.code]:g}"])
    if learned.thresholds is not None:
        for key, rendered in render_thresholds(learned.thresholds).items():
            _set(lines, ("thresholds",), key, rendered)
    if learned.short_length is not None:
        _set(lines, ("scoring",), "short_length", [f"short_length = {learned.short_length}"])


def splice_learned(text: str, config: RoutingConfig, learned: Learned, note: str = "") -> str:
    """Replace each learned topic's learned tables and biases and the learned settings.

    Everything else (curated keywords, comments, other tables) is kept verbatim.
    """
    lines = _strip_learned(text.splitlines())
    _set_values(lines, config, learned)
    found = scan("\n".join(lines))
    starts = [h.line - 1 for h in found.headers]
    short = learned.short_length or config.scoring.short_length
    notes = {
        "learned": f"{NOTE}{': ' + note if note else ''}",
        "learned_short": f"{NOTE} for messages of at most {short} characters"
        + (f": {note}" if note else ""),
    }
    inserts: list[tuple[int, list[str]]] = []
    for i, topic in enumerate(config.topics):
        own = [h.line - 1 for h in found.headers if h.path[:2] == ("topics", i)]
        block = []
        for table, weights in (
            ("learned", learned.keywords.get(topic.code)),
            ("learned_short", learned.short_keywords.get(topic.code)),
        ):
            if weights:
                block += ["", notes[table], *render_table(f"[topics.{table}]", weights)]
        if block and own:
            inserts.append((_region_end(lines, starts, own[-1]), block))
    for at, block in sorted(inserts, reverse=True):
        lines[at:at] = block
    return "\n".join(lines).rstrip("\n") + "\n"
