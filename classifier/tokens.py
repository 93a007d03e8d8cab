"""Cut messages into words: jieba's cuts over one shared dictionary plus a classifier's words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from classifier.dictionary import TrieTokenizer


def make_tokenizer(words: Iterable[str]) -> TrieTokenizer:
    """Return a tokenizer over jieba's shared dictionary plus these domain words."""
    tokenizer = TrieTokenizer()
    for word in words:
        if len(word) > 1 and not word.isascii() and not tokenizer.FREQ.get(word):
            tokenizer.add_word(word)
    return tokenizer


def split(tokenizer: Any, text: str) -> list[str]:
    """Cut lower-cased text into plain dictionary words (no HMM guessing of new words)."""
    return list(tokenizer.cut(text.lower(), HMM=False))


def expand(is_word: Callable[[str], bool], words: list[str]) -> list[str]:
    """Add the dictionary sub-words of each long word, as jieba's search mode does.

    学校食堂 yields 学校, 食堂 and 学校食堂, so a keyword matches inside a longer compound.
    """
    out: list[str] = []
    for word in words:
        size = len(word)
        if size > 2:
            out.extend(g for i in range(size - 1) if is_word(g := word[i : i + 2]))
            if size > 3:
                out.extend(g for i in range(size - 2) if is_word(g := word[i : i + 3]))
        out.append(word)
    return out


def segment(tokenizer: Any, text: str) -> list[str]:
    """Cut text into words and their dictionary sub-words."""
    return expand(tokenizer.FREQ.is_word, split(tokenizer, text))


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
