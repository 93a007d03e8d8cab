"""Locate TOML keys and table headers by line, which tomllib does not report."""

from __future__ import annotations

import re
from dataclasses import dataclass

Path_ = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Entry:
    """A key assignment: the table it sits in, the key, its 1-based line and last line."""

    table: Path_
    key: str
    line: int
    end: int = 0


@dataclass(frozen=True)
class Header:
    """A table header: its resolved path, whether it is [[array]], its line."""

    path: Path_
    is_array: bool
    line: int


@dataclass
class Scan:
    """Everything found in one file."""

    entries: list[Entry]
    headers: list[Header]

    def line_of(self, *path: str | int) -> int | None:
        """Return the first line of a key or table with this path."""
        for entry in self.entries:
            if (*entry.table, entry.key) == path:
                return entry.line
        for header in self.headers:
            if header.path == path:
                return header.line
        return None


def _parse_key(text: str, pos: int) -> tuple[list[str], int] | None:
    """Parse a (possibly dotted, quoted) key at pos; return its parts and the end."""
    parts: list[str] = []
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n:
            return None
        ch = text[pos]
        if ch in "\"'":
            end = pos + 1
            buf: list[str] = []
            while end < n and text[end] != ch:
                if ch == '"' and text[end] == "\\" and end + 1 < n:
                    buf.append(text[end : end + 2].encode().decode("unicode_escape"))
                    end += 2
                    continue
                buf.append(text[end])
                end += 1
            if end >= n:
                return None
            parts.append("".join(buf))
            pos = end + 1
        else:
            match = _BARE.match(text, pos)
            if not match:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos < n and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _skip_value(lines: list[str], index: int, col: int) -> int:
    """Skip a value that may span lines; return the index of its last line."""
    depth = 0
    quote: str | None = None
    while index < len(lines):
        line = lines[index]
        i = col
        while i < len(line):
            if quote is not None:
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = None
                    continue
                if line[i] == "\\" and quote.startswith('"'):
                    i += 2
                    continue
                i += 1
                continue
            ch = line[i]
            if ch == "#":
                break
            if line.startswith('"""', i) or line.startswith("'''", i):
                quote = line[i : i + 3]
                i += 3
                continue
            if ch in "\"'":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
            i += 1
        if quote in ('"', "'"):
            quote = None
        if depth <= 0 and quote is None:
            return index
        index += 1
        col = 0
    return index


def scan(text: str) -> Scan:
    """Scan TOML text for key lines and table headers (best effort, never raises)."""
    lines = text.splitlines()
    entries: list[Entry] = []
    headers: list[Header] = []
    arrays: dict[tuple[str, ...], int] = {}
    table: Path_ = ()
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.startswith("["):
            is_array = stripped.startswith("[[")
            parsed = _parse_key(stripped, 2 if is_array else 1)
            if parsed:
                names = parsed[0]
                resolved: list[str | int] = []
                for i, name in enumerate(names):
                    resolved.append(name)
                    prefix = tuple(names[: i + 1])
                    last = i == len(names) - 1
                    if is_array and last:
                        arrays[prefix] = arrays.get(prefix, -1) + 1
                        resolved.append(arrays[prefix])
                    elif prefix in arrays:
                        resolved.append(arrays[prefix])
                table = tuple(resolved)
                headers.append(Header(table, is_array, index + 1))
        elif stripped and not stripped.startswith("#"):
            parsed = _parse_key(lines[index], 0)
            if parsed and parsed[1] < len(lines[index]) and lines[index][parsed[1]] == "=":
                parts = parsed[0]
                end = _skip_value(lines, index, parsed[1] + 1)
                entries.append(Entry((*table, *parts[:-1]), parts[-1], index + 1, end + 1))
                index = end
        index += 1
    return Scan(entries, headers)
