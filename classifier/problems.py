"""Collect the problems of one config file, each located by file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classifier.model import ConfigError, ConfigProblem
from classifier.tomllines import Scan, scan

KeyPath = tuple[str | int, ...]


def format_key(keypath: KeyPath) -> str:
    """Return a key path as written in messages, e.g. topics[1].keywords.污染."""
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in keypath).replace(".[", "[")


class ProblemCollector:
    """Collect every problem of one file; the line of a key comes from a Scan of its text.

    Given the text, it is scanned only when a line is first looked up: a valid file is never
    scanned (a scan of the shipped routing file costs a tenth of a second at start-up).
    """

    def __init__(self, file: str | Path, lines: Scan | str) -> None:
        self.file = str(file)
        self._lines = lines
        self.problems: list[ConfigProblem] = []

    @property
    def lines(self) -> Scan:
        """Return the scan of the file's text, made on first use."""
        if isinstance(self._lines, str):
            self._lines = scan(self._lines)
        return self._lines

    def line_of(self, keypath: KeyPath) -> int | None:
        """Return the line of a key path, else of its nearest parent found in the file."""
        for cut in range(len(keypath), 0, -1):
            line = self.lines.line_of(*keypath[:cut])
            if line is not None:
                return line
        return None

    def add(self, keypath: KeyPath, message: str, line: int | None = None) -> None:
        """Record a problem at a key path; its line is looked up unless given."""
        if line is None:
            line = self.line_of(keypath)
        self.note(format_key(keypath), message, line)

    def note(self, key: str, message: str, line: int | None) -> None:
        """Record a problem whose key name and line are already known, e.g. (syntax)."""
        self.problems.append(ConfigProblem(self.file, line, key, message))

    def unknown_keys(
        self, keypath: KeyPath, raw: dict[str, Any], known: tuple[str, ...], expected: str = ""
    ) -> None:
        """Report each key of raw not in known; expected defaults to the known keys listed."""
        for key in raw:
            if key not in known:
                wanted = expected or ", ".join(known)
                self.add((*keypath, key), f"unknown key (expected {wanted})")

    def table(self, keypath: KeyPath, raw: Any, known: tuple[str, ...]) -> dict[str, Any]:
        """Check that raw is a table of known keys; return its known entries ({} if none)."""
        if not isinstance(raw, dict):
            self.add(keypath, f"must be a table, not {raw!r}")
            return {}
        self.unknown_keys(keypath, raw, known)
        return {k: v for k, v in raw.items() if k in known}

    def raise_if_any(self) -> None:
        """Raise ConfigError listing every problem collected, if there is one."""
        if self.problems:
            raise ConfigError(self.problems)
