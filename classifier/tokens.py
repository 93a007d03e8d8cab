"""Own jieba tokenizers: one per classifier, each with its own copy of the base dictionary."""

from __future__ import annotations

import gc
import logging
import marshal
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jieba

_lock = threading.Lock()


def _read_cache() -> tuple[dict[str, int], int] | None:
    """Read jieba's own cache of the default dictionary in one go (marshal.load is slow)."""
    try:
        data = (Path(tempfile.gettempdir()) / "jieba.cache").read_bytes()
        freq, total = marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if isinstance(freq, dict) and isinstance(total, int) and freq:
        return freq, total
    return None


def _base_dictionary() -> tuple[dict[str, int], int]:
    """Read a fresh copy of jieba's default prefix dictionary (each tokenizer owns its own).

    The dictionary is ~500k entries (~40 MB); keeping one shared master besides each
    tokenizer's copy doubled that for the life of the process. Reading jieba's cache again
    costs a few tenths of a second, once per classifier built (start-up and each reload).
    """
    with _lock:
        found = _read_cache()
        if found is not None:
            return found
        jieba_logger = logging.getLogger("jieba")
        level = jieba_logger.level
        enabled = gc.isenabled()
        jieba_logger.setLevel(logging.WARNING)
        gc.disable()  # the cache holds ~500k small objects; collections triple its load time
        try:
            loader = jieba.Tokenizer()
            loader.initialize()
        finally:
            if enabled:
                gc.enable()
            jieba_logger.setLevel(level)
        return loader.FREQ, loader.total


def make_tokenizer(words: Iterable[str]) -> Any:
    """Return a fresh jieba.Tokenizer with the base dictionary plus these domain words."""
    freq, total = _base_dictionary()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = freq
    tokenizer.total = total
    tokenizer.initialized = True
    for word in words:
        if len(word) > 1 and not word.isascii() and not tokenizer.FREQ.get(word):
            tokenizer.add_word(word)
    return tokenizer


def split(tokenizer: Any, text: str) -> list[str]:
    """Cut lower-cased text into plain dictionary words (no HMM guessing of new words)."""
    return list(tokenizer.cut(text.lower(), HMM=False))


def expand(tokenizer: Any, words: list[str]) -> list[str]:
    """Add the dictionary sub-words of each long word, as jieba's search mode does.

    学校食堂 yields 学校, 食堂 and 学校食堂, so a keyword matches inside a longer compound.
    """
    freq = tokenizer.FREQ
    out: list[str] = []
    for word in words:
        size = len(word)
        if size > 2:
            out.extend(g for i in range(size - 1) if freq.get(g := word[i : i + 2]))
            if size > 3:
                out.extend(g for i in range(size - 2) if freq.get(g := word[i : i + 3]))
        out.append(word)
    return out


def segment(tokenizer: Any, text: str) -> list[str]:
    """Cut text into words and their dictionary sub-words."""
    return expand(tokenizer, split(tokenizer, text))


_CLAUSE_END = re.compile(r"[，。！？：；,.!?:;\s]")


def lead(text: str, limit: int = 40, fallback: int = 25) -> str:
    """Return a message's opening clause, read as its title when none is given.

    That is the text before the first punctuation mark within `limit` characters, else the
    first `fallback` characters; a message that is all one short clause has no lead.
    """
    text = text.strip()
    found = _CLAUSE_END.search(text, 0, limit + 1)
    if found is not None:
        return text[: found.start()] if text[found.end() :].strip() else ""
    return text[:fallback] if len(text) > 2 * limit else ""
