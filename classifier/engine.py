"""The keyword classifier: weighted keyword scoring over jieba tokens, with abstention."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.loader import load_config
from classifier.model import Route, RoutingConfig, Suggestion, Topic
from classifier.titles import split_title
from classifier.tokens import expand, make_tokenizer, segment, split

Index = dict[str, tuple[tuple[int, float], ...]]
Hit = tuple[str, float]
SUGGESTIONS = 3
"""How many topics a route suggests, best first (those with keyword evidence only)."""

_LOG = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]


def _sublinear(count: int) -> float:
    """Return 1 + ln(count), or 0 for no occurrence."""
    return _LOG[count] if count < 64 else 1.0 + math.log(count)


def _build_index(topics: Iterable[Topic], short: bool) -> Index:
    """Map each keyword to (topic position, signed weight) pairs, for short or long messages."""
    pairs: dict[str, list[tuple[int, float]]] = {}
    for position, topic in enumerate(topics):
        words = topic.short_keywords() if short else topic.all_keywords()
        for word, weight in words.items():
            pairs.setdefault(word, []).append((position, weight))
        for word, weight in topic.negative.items():
            pairs.setdefault(word, []).append((position, -weight))
    return {word: tuple(hits) for word, hits in pairs.items()}


@dataclass(frozen=True)
class Ranked:
    """Top-level topics with keyword evidence, best first, and what abstention compares.

    second is the best score among all other top-level topics, evidence or not.
    """

    topics: tuple[tuple[str, float], ...]
    top: float
    second: float


@dataclass
class _Scored:
    """One message scored: per topic, per top-level topic, and the evidence ranking."""

    scores: list[float]
    matched: list[list[Hit]]
    totals: dict[int, float]
    evidence: list[int]
    second: float


class Classifier:
    """Route a concern to a topic and department; immutable once built."""

    def __init__(self, config: RoutingConfig, tokenizer: Any) -> None:
        self._config = config
        self._tokenizer = tokenizer
        self._indexes = (_build_index(config.topics, False), _build_index(config.topics, True))
        self._biases = tuple([t.bias_for(short) for t in config.topics] for short in (False, True))
        codes = [t.code for t in config.topics]
        self._roots = [codes.index(config.root(c)) for c in codes]
        self._root_set = sorted(set(self._roots))
        self._children: dict[int, list[int]] = {}
        for position, topic in enumerate(config.topics):
            if topic.parent is not None and topic.parent in codes:
                self._children.setdefault(codes.index(topic.parent), []).append(position)

    @property
    def config(self) -> RoutingConfig:
        """Return the routing config this classifier was built from."""
        return self._config

    def rebuilt(self, config: RoutingConfig) -> Classifier:
        """Return a classifier for config sharing this tokenizer (its words must be tokens)."""
        return Classifier(config, self._tokenizer)

    def tokens(self, text: str) -> list[str]:
        """Segment text with this classifier's own tokenizer (words and their sub-words)."""
        return segment(self._tokenizer, text)

    @staticmethod
    def length(text: str, title: str = "") -> int:
        """Return a message's length in characters, title included."""
        return len(text.strip()) + len(title.strip())

    def is_short(self, length: int) -> bool:
        """Tell whether a message of this length is scored with the short-message keywords."""
        return 0 < length <= self._config.scoring.short_length

    def _counts(self, text: str, title: str) -> tuple[Counter[str], Counter[str]]:
        """Count the tokens of title and text together, and those of the title alone.

        Without a separate title, the title found at the start of the text counts (see
        split_title); a one-line message has none.
        """
        text = text.strip()
        words = split(self._tokenizer, text)
        body = Counter(expand(self._tokenizer.FREQ.is_word, words))
        if title.strip():
            head = Counter(segment(self._tokenizer, title))
            body.update(head)
            return body, head
        size, used, opening = len(split_title(text)[0]), 0, []
        for word in words:
            if used >= size:
                break
            opening.append(word)
            used += len(word)
        return body, Counter(expand(self._tokenizer.FREQ.is_word, opening))

    def _scale(self, body: Counter[str]) -> float:
        """Return sqrt(length_norm / distinct words), at most 1 (see Scoring.length_norm)."""
        norm = self._config.scoring.length_norm
        words = len(body)
        return math.sqrt(norm / words) if 0.0 < norm < words else 1.0

    def _factors(
        self, body: Counter[str], head: Counter[str], words: Iterable[str]
    ) -> dict[str, float]:
        """Weigh words: 1 + ln(count) in the message plus title_weight times that in the title."""
        weight = self._config.scoring.title_weight
        scale = self._scale(body)
        return {w: scale * (_sublinear(body[w]) + weight * _sublinear(head[w])) for w in words}

    def found(self, text: str, title: str = "") -> dict[str, float]:
        """Map every token to its factor (see _factors); learning and evaluation use this."""
        body, head = self._counts(text, title)
        return self._factors(body, head, body.keys())

    def topic_scores(
        self, found: dict[str, float], short: bool = False
    ) -> tuple[list[float], list[list[Hit]]]:
        """Score every topic: its bias plus each keyword weight times its factor in found."""
        scores = list(self._biases[short])
        matched: list[list[Hit]] = [[] for _ in scores]
        index = self._indexes[short]
        for word, factor in found.items():
            hits = index.get(word)
            if hits is None:
                continue
            for position, weight in hits:
                scores[position] += weight * factor
                matched[position].append((word, weight * factor))
        return scores, matched

    def _score(self, found: dict[str, float], short: bool) -> _Scored:
        """Score topics, sum them per top-level topic and rank those with evidence."""
        scores, matched = self.topic_scores(found, short)
        totals = dict.fromkeys(self._root_set, 0.0)
        hit: set[int] = set()
        for position, score in enumerate(scores):
            totals[self._roots[position]] += score
            if matched[position]:
                hit.add(self._roots[position])
        evidence = sorted(hit, key=lambda r: (-totals[r], r))
        second = (
            max((s for r, s in totals.items() if r != evidence[0]), default=0.0) if hit else 0.0
        )
        return _Scored(scores, matched, totals, evidence, second)

    def rank(self, found: dict[str, float], length: int) -> Ranked:
        """Rank the top-level topics of already segmented tokens (for tuning and evaluation)."""
        scored = self._score(found, self.is_short(length))
        ranked = tuple((self._config.topics[r].code, scored.totals[r]) for r in scored.evidence)
        top = ranked[0][1] if ranked else 0.0
        return Ranked(ranked, top, scored.second)

    def classify(self, text: str, title: str = "") -> Route:
        """Route one concern; abstain (send to triage) when the evidence is weak or split."""
        body, head = self._counts(text, title)
        length = self.length(text, title)
        keys = self._indexes[self.is_short(length)].keys()
        return self.route(self._factors(body, head, body.keys() & keys), length)

    def route(self, found: dict[str, float], length: int) -> Route:
        """Route already segmented tokens (see found) of a message of this many characters."""
        scored = self._score(found, self.is_short(length))
        if not scored.evidence:
            return Route("", "", 0.0, (), None, True)
        topics = self._config.topics
        totals = scored.totals
        best = scored.evidence[0]
        top = totals[best]
        temperature = self._config.scoring.temperature
        norm = sum(math.exp((s - top) / temperature) for s in totals.values())
        min_score, min_margin = self._config.thresholds.for_length(length)
        suggestions = []
        for root in scored.evidence[:SUGGESTIONS]:
            chosen = topics[self._descend(root, scored.scores, min_score)]
            share = math.exp((totals[root] - top) / temperature) / norm
            suggestions.append(
                Suggestion(chosen.code, chosen.department, round(share, 4), round(totals[root], 4))
            )
        words = [
            pair
            for p, pairs in enumerate(scored.matched)
            if self._roots[p] == best
            for pair in pairs
        ]
        words.sort(key=lambda pair: (-pair[1], pair[0]))
        runner_up = topics[scored.evidence[1]].code if len(scored.evidence) > 1 else None
        return Route(
            topic=suggestions[0].topic,
            department=suggestions[0].department,
            confidence=suggestions[0].confidence,
            matched=tuple(words),
            runner_up=runner_up,
            abstained=top < min_score or top - scored.second < min_margin * top,
            suggestions=tuple(suggestions),
        )

    def _descend(self, position: int, scores: list[float], min_score: float) -> int:
        """Move to the best finer topic while its own score reaches min_score."""
        while position in self._children:
            child = max(self._children[position], key=lambda c: scores[c])
            if scores[child] < min_score:
                break
            position = child
        return position


def load(path: str | Path) -> Classifier:
    """Build a classifier from a routing file; raise ConfigError when it is invalid."""
    config = load_config(path)
    words = list(config.words)
    for topic in config.topics:
        words.extend(topic.keywords)
        words.extend(topic.negative)
    return Classifier(config, make_tokenizer(words))
