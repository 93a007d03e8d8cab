"""Write learned keywords into a routing file's text, keeping everything hand-written as is."""

from __future__ import annotations

import json
from collections.abc import Mapping

from classifier.learn import Learned
from classifier.model import RoutingConfig
from classifier.tomllines import scan

NOTE = "# learned by `deputybot learn`"


def toml_key(word: str) -> str:
    """Quote a keyword as a TOML basic-string key."""
    return json.dumps(word, ensure_ascii=False)


def render_table(header: str, weights: Mapping[str, float]) -> list[str]:
    """Render one keyword table, strongest first."""
    ordered = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return [header, *(f"{toml_key(word)} = {weight:g}" for word, weight in ordered)]


def _region_end(lines: list[str], starts: list[int], after: int) -> int:
    """Return where a table ends: before the next header and the comments leading to it."""
    end = min([s for s in starts if s > after] + [len(lines)])
    while end > after + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return end


def _strip_learned(lines: list[str]) -> list[str]:
    """Remove every [topics.learned] table and its note."""
    found = scan("\n".join(lines))
    starts = [h.line - 1 for h in found.headers]
    for header in reversed(found.headers):
        if len(header.path) == 3 and header.path[::2] == ("topics", "learned"):
            begin = header.line - 1
            end = _region_end(lines, starts, begin)
            if begin > 0 and lines[begin - 1].startswith(NOTE):
                begin -= 1
            while begin > 0 and not lines[begin - 1].strip():
                begin -= 1
            lines[begin:end] = []
    return lines


def _set_biases(lines: list[str], config: RoutingConfig, bias: Mapping[str, float]) -> None:
    """Write `bias = x` into each learned topic's own table, replacing any bias line there."""
    found = scan("\n".join(lines))
    edits: list[tuple[int, bool, str]] = []
    for i, topic in enumerate(config.topics):
        if topic.code not in bias:
            continue
        entries = [e for e in found.entries if e.table == ("topics", i)]
        line = f"bias = {bias[topic.code]:g}"
        current = [e for e in entries if e.key == "bias"]
        if current:
            edits.append((current[0].line - 1, True, line))
        elif entries:
            edits.append((max(e.line for e in entries), False, line))
    for at, replaces, line in sorted(edits, reverse=True):
        lines[at : at + replaces] = [line]


def splice_learned(text: str, config: RoutingConfig, learned: Learned, note: str = "") -> str:
    """Replace each learned topic's [topics.learned] table and bias, keep all else verbatim."""
    lines = _strip_learned(text.splitlines())
    _set_biases(lines, config, learned.bias)
    found = scan("\n".join(lines))
    starts = [h.line - 1 for h in found.headers]
    inserts: list[tuple[int, list[str]]] = []
    for i, topic in enumerate(config.topics):
        weights = learned.keywords.get(topic.code)
        own = [h.line - 1 for h in found.headers if h.path[:2] == ("topics", i)]
        if not weights or not own:
            continue
        block = [
            "",
            f"{NOTE}{': ' + note if note else ''}",
            *render_table("[topics.learned]", weights),
        ]
        inserts.append((_region_end(lines, starts, own[-1]), block))
    for at, block in sorted(inserts, reverse=True):
        lines[at:at] = block
    return "\n".join(lines).rstrip("\n") + "\n"
