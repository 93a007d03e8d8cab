"""Hold the running classifier and swap in a new one when the routing file changes."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Generic, TypeVar

from classifier.engine import Classifier, load
from classifier.model import ConfigError, ConfigProblem, RoutingConfig

logger = logging.getLogger(__name__)


T = TypeVar("T")
Check = Callable[[RoutingConfig], object]
"""Extra validation of a routing file (e.g. its deadline tables); raises ConfigError."""


def load_checked(path: Path, checks: Sequence[Check] = ()) -> Classifier:
    """Load a classifier and run the extra checks on its config; raise ConfigError."""
    classifier = load(path)
    problems: list[ConfigProblem] = []
    for check in checks:
        try:
            check(classifier.config)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return classifier


@contextmanager
def _draft(target: Path, text: str) -> Iterator[Path]:
    """Write text to a private copy beside target; its problems name target, not the copy."""
    handle, temporary = tempfile.mkstemp(prefix=".routing-", suffix=".toml", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        yield Path(temporary)
    except ConfigError as exc:
        raise ConfigError(
            [replace(p, file=str(target)) if p.file == temporary else p for p in exc.problems]
        ) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_validated(target: Path, text: str, build: Callable[[Path], T]) -> T:
    """Write a routing file only if what it builds is valid: built from a copy beside it,
    then moved into place at once. Raise ConfigError (and leave the file as it was)."""
    with _draft(target, text) as temporary:
        built = build(temporary)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(temporary, mode)  # mkstemp makes it private; keep the file's own mode
        os.replace(temporary, target)
        return built


class Holder(Generic[T]):
    """Own what was built from a file; reload builds anew and swaps the reference at once."""

    def __init__(self, path: str | Path, build: Callable[[Path], T]) -> None:
        self._path = Path(path)
        self._build = build
        self._mtime = self._stat()
        self._current = build(self._path)
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """Return the file being watched."""
        return self._path

    @property
    def current(self) -> T:
        """Return what is in service."""
        return self._current

    def _stat(self) -> float | None:
        try:
            return self._path.stat().st_mtime
        except OSError:
            return None

    def reload(self) -> list[ConfigProblem]:
        """Build from the file and swap it in; keep the old one on problems."""
        with self._lock:
            mtime = self._stat()
            try:
                fresh = self._build(self._path)
            except ConfigError as exc:
                self._mtime = mtime
                logger.warning("%s refused: %d problem(s)", self._path, len(exc.problems))
                return exc.problems
            self._current = fresh
            self._mtime = mtime
            logger.info("%s loaded", self._path)
            return []

    def preview(self, text: str) -> T:
        """Build what new text would give, without writing or swapping; raise ConfigError."""
        with _draft(self._path, text) as temporary:
            return self._build(temporary)

    def replace_text(self, text: str) -> list[ConfigProblem]:
        """Write new text to the file if it builds, and swap in what it built."""
        with self._lock:
            try:
                fresh = write_validated(self._path, text, self._build)
            except ConfigError as exc:
                return exc.problems
            self._current = fresh
            self._mtime = self._stat()
            logger.info("%s rewritten and loaded", self._path)
        return []

    def reload_if_changed(self) -> list[ConfigProblem] | None:
        """Reload when the file's mtime changed since the last attempt; None if unchanged."""
        if self._stat() == self._mtime:
            return None
        return self.reload()


class ClassifierHolder(Holder[Classifier]):
    """Hold the running classifier (with extra checks on its config)."""

    def __init__(self, path: str | Path, checks: Sequence[Check] = ()) -> None:
        super().__init__(path, lambda source: load_checked(source, tuple(checks)))
