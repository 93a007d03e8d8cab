"""jieba's word dictionary in a memory-mapped MARISA trie: jieba's own cuts, a tenth of the memory.

jieba keeps its dictionary as a dict of ~500k words and word prefixes (~60 MB in every process).
Here the 349k words live in a trie (a few MB, mapped from a file shared by every process of the
machine) with their frequencies in an array; a tokenizer's own words sit in a small dict on top.
`TrieTokenizer` is a jieba.Tokenizer that finds the words starting at each position with one
trie search instead of a dict look-up per prefix, and leaves the rest of jieba's cutting as is.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import marisa_trie

from classifier.jieba_import import jieba

CACHE_VERSION = "3"
_MISSING: Any = object()


@dataclass(frozen=True)
class BaseDictionary:
    """jieba's words: a trie, each word's log frequency by key id, their total, the longest."""

    trie: marisa_trie.Trie
    logs: array[float]
    freqs: array[int]
    total: int
    longest: int


def _entries(text: str) -> Iterator[tuple[str, int]]:
    """Yield (word, frequency) from the lines of jieba's dict.txt (word freq [tag])."""
    for line in text.splitlines():
        parts = line.strip().split(" ")
        if len(parts) >= 2:
            yield parts[0], int(parts[1])


def _compile(text: str) -> tuple[marisa_trie.Trie, array[int]]:
    """Return the trie of the dictionary's words and their counts by key id.

    After the counts come their total as jieba adds it up (every line) and the longest word.
    """
    entries = list(_entries(text))
    freq = dict(entries)  # a word listed twice keeps its last count, as in jieba
    trie = marisa_trie.Trie(freq)
    counts = array("q", bytes(8 * (len(trie) + 2)))
    for word, count in freq.items():
        counts[trie[word]] = count
    counts[-2], counts[-1] = sum(count for _, count in entries), max(map(len, freq))
    return trie, counts


def _logs(counts: array[int]) -> array[float]:
    """Return the natural log of each word's count (the trailing total and length left out)."""
    return array("d", map(math.log, counts[:-2]))


def _mapped(
    source: Path, folder: Path, stem: str
) -> tuple[marisa_trie.Trie, array[int], array[float]]:
    """Map the trie from the cache folder, writing its files (atomically, by rename) if missing."""
    files = {suffix: folder / f"{stem}{suffix}" for suffix in (".freq", ".logs", ".trie")}
    if not files[".trie"].is_file():
        trie, counts = _compile(source.read_text(encoding="utf-8"))
        staged = folder / f"{stem}.{os.getpid()}.part"
        trie.save(str(staged.with_suffix(".trie")))
        staged.with_suffix(".freq").write_bytes(counts.tobytes())
        staged.with_suffix(".logs").write_bytes(_logs(counts).tobytes())
        for suffix, final in files.items():  # the trie last: it says the others are there
            staged.with_suffix(suffix).replace(final)
    counts, logs = array("q"), array("d")
    counts.frombytes(files[".freq"].read_bytes())
    logs.frombytes(files[".logs"].read_bytes())
    return marisa_trie.Trie().mmap(str(files[".trie"])), counts, logs


@cache
def base_dictionary() -> BaseDictionary:
    """Map jieba's dictionary from the cache folder (built on first use; if unwritable, kept).

    The cache is named after jieba's version and its dict.txt's size and time, so a start
    reads only the prepared files, not the 5 MB dictionary.
    """
    source = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    stat = source.stat()
    key = f"{CACHE_VERSION}:{jieba.__version__}:{stat.st_size}:{stat.st_mtime_ns}"
    stem = f"deputybot-jieba-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    try:
        trie, counts, logs = _mapped(source, Path(tempfile.gettempdir()), stem)
    except OSError:
        trie, counts = _compile(source.read_text(encoding="utf-8"))
        logs = _logs(counts)
    longest, total = counts.pop(), counts.pop()
    return BaseDictionary(trie, logs, counts, total, longest)


class Frequencies:
    """jieba's FREQ as a mapping: the trie's words, then a tokenizer's own words on top.

    Like jieba's dict, every prefix of a word is a key with frequency 0.
    """

    def __init__(self, base: BaseDictionary) -> None:
        self.base = base
        self.own: dict[str, int] = {}
        self.by_first: dict[str, list[str]] = {}  # own words with a frequency, by first char

    def get(self, key: str, default: Any = None) -> Any:
        """Return a word's frequency, 0 for a prefix of a word, else the default."""
        found = self.own.get(key)
        if found is not None:
            return found
        word_id = self.base.trie.get(key)
        if word_id is not None:
            return self.base.freqs[word_id]
        return 0 if next(self.base.trie.iterkeys(key), None) is not None else default

    def is_word(self, key: str) -> bool:
        """Tell whether the key is a word with a frequency (not only a prefix)."""
        if key in self.own:
            return self.own[key] > 0
        found = self.base.trie.get(key)
        return found is not None and self.base.freqs[found] > 0

    def __contains__(self, key: object) -> bool:
        """Tell whether the key is a word or a prefix of one."""
        return isinstance(key, str) and self.get(key, _MISSING) is not _MISSING

    def __getitem__(self, key: str) -> int:
        """Return the frequency of a word or prefix; KeyError for anything else."""
        found = self.get(key, _MISSING)
        if found is _MISSING:
            raise KeyError(key)
        return int(found)

    def __setitem__(self, key: str, value: int) -> None:
        """Set a tokenizer's own word (jieba.Tokenizer.add_word writes here)."""
        if key in self.base.trie:
            raise ValueError(f"{key!r} is in jieba's dictionary already")
        self.own[key] = value
        if value:
            self.by_first.setdefault(key[0], []).append(key)


class TrieTokenizer(jieba.Tokenizer):  # type: ignore[misc]
    """A jieba.Tokenizer over the shared trie: the same words, cut the same way."""

    def __init__(self) -> None:
        super().__init__()
        base = base_dictionary()
        self.FREQ = Frequencies(base)
        self.total = base.total
        self.initialized = True

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:
        """Return, for each position, the last positions of the words starting there.

        The most probable cut is found in the same pass, right to left (jieba's calc sums
        the same logs in the same order), and handed to calc() with the DAG.
        """
        freq: Frequencies = self.FREQ
        base, own = freq.base, freq.by_first
        words_at, logs, longest = base.trie.iter_prefixes_with_ids, base.logs, base.longest
        logtotal = math.log(self.total)
        unknown = 0.0 - logtotal  # a character that is no word counts once, as in jieba
        size = len(sentence)
        dag = _Dag()
        route = dag.route
        route[size] = (0, 0)
        for k in range(size - 1, -1, -1):
            found: list[tuple[str, int | None]] = list(words_at(sentence[k : k + longest]))
            if own and sentence[k] in own:
                found += [(w, None) for w in own[sentence[k]] if sentence.startswith(w, k)]
            if not found:
                dag[k] = [k]
                route[k] = (unknown + route[k + 1][0], k)
                continue
            best, ends = (-math.inf, -1), []
            for word, word_id in found:
                end = k + len(word) - 1
                weight = logs[word_id] if word_id is not None else math.log(freq.own[word])
                option = (weight - logtotal + route[end + 1][0], end)
                if option > best:
                    best = option
                ends.append(end)
            dag[k] = ends
            route[k] = best
        return dag

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, Any]) -> None:
        """Return the cut get_DAG found (jieba's own calc for any other DAG)."""
        if isinstance(DAG, _Dag):
            route.update(DAG.route)
        else:
            super().calc(sentence, DAG, route)


class _Dag(dict[int, list[int]]):
    """A DAG that carries the most probable cut found with it to calc()."""

    def __init__(self) -> None:
        super().__init__()
        self.route: dict[int, tuple[float, int]] = {}
